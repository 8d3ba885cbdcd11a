// The store's dashboard sessions (sqlite_store_sessions.cc) on a real SQLite
// file: created once per token hash, found with their API key, revoked one by
// one or all of a key's, and forgotten a month after they ended.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

constexpr Timestamp kNow = 1'760'918'400;  // 2025-10-20T00:00:00Z
constexpr int64_t kEightHours = 8 * 3600;

class SqliteStoreSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenSqliteStore(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    ASSERT_TRUE(store_->PutApiKey(Key("key_a")).ok());
    ASSERT_TRUE(store_->PutApiKey(Key("key_b")).ok());
  }

  static ApiKeyRecord Key(const std::string& id) {
    return ApiKeyRecord{.key_id = id,
                        .name = "name of " + id,
                        .role = "analyst",
                        .key_hash = "hash of " + id,
                        .created_at = kNow - 100};
  }
  static SessionRecord Session(const std::string& token_hash, const std::string& key_id,
                               Timestamp at = kNow) {
    return SessionRecord{.token_hash = token_hash,
                         .key_id = key_id,
                         .role = "analyst",
                         .csrf_token = "csrf of " + token_hash,
                         .created_at = at,
                         .expires_at = at + kEightHours};
  }
  std::optional<SessionAndKey> Find(std::string_view token_hash) {
    auto found = store_->FindSession(token_hash);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::nullopt;
  }

  ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreSessionsTest, FindsASessionWithItsKey) {
  const SessionRecord session = Session("h1", "key_a");
  ASSERT_TRUE(store_->CreateSession(session).ok());
  const auto found = Find("h1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->session, session);
  ASSERT_TRUE(found->key.has_value());
  EXPECT_EQ(*found->key, Key("key_a"));
  EXPECT_FALSE(Find("h2").has_value());
}

TEST_F(SqliteStoreSessionsTest, ASessionWhoseKeyIsNotStoredIsFoundWithoutAKey) {
  ASSERT_TRUE(store_->CreateSession(Session("h1", "key_gone")).ok());
  const auto found = Find("h1");
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->key.has_value());
}

TEST_F(SqliteStoreSessionsTest, ShowsTheKeysRevocation) {
  ASSERT_TRUE(store_->CreateSession(Session("h1", "key_a")).ok());
  ASSERT_TRUE(*store_->RevokeApiKey("key_a", kNow + 5));
  const auto found = Find("h1");
  ASSERT_TRUE(found.has_value() && found->key.has_value());
  EXPECT_EQ(found->key->revoked_at, kNow + 5);
  EXPECT_EQ(found->session.revoked_at, std::nullopt);
}

TEST_F(SqliteStoreSessionsTest, RefusesASecondSessionWithTheSameTokenHash) {
  ASSERT_TRUE(store_->CreateSession(Session("h1", "key_a")).ok());
  const Status again = store_->CreateSession(Session("h1", "key_b"));
  EXPECT_TRUE(absl::IsAlreadyExists(again)) << again;
  EXPECT_EQ(Find("h1")->session.key_id, "key_a");
}

TEST_F(SqliteStoreSessionsTest, RefusesASessionWithoutTokenHashKeyOrCsrfToken) {
  for (auto clear :
       {&SessionRecord::token_hash, &SessionRecord::key_id, &SessionRecord::csrf_token}) {
    SessionRecord session = Session("h1", "key_a");
    session.*clear = "";
    EXPECT_TRUE(absl::IsInvalidArgument(store_->CreateSession(session)));
  }
  EXPECT_FALSE(Find("h1").has_value());
}

TEST_F(SqliteStoreSessionsTest, RevokesOneSessionOnce) {
  ASSERT_TRUE(store_->CreateSession(Session("h1", "key_a")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("h2", "key_a")).ok());
  EXPECT_EQ(store_->RevokeSession("h1", kNow + 10).value_or(false), true);
  EXPECT_EQ(store_->RevokeSession("h1", kNow + 20).value_or(true), false);
  EXPECT_EQ(store_->RevokeSession("unknown", kNow + 20).value_or(true), false);
  EXPECT_EQ(Find("h1")->session.revoked_at, kNow + 10);
  EXPECT_EQ(Find("h2")->session.revoked_at, std::nullopt);
}

TEST_F(SqliteStoreSessionsTest, RevokesEverySessionOfAKeyAndNoOther) {
  ASSERT_TRUE(store_->CreateSession(Session("h1", "key_a")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("h2", "key_a")).ok());
  ASSERT_TRUE(store_->CreateSession(Session("h3", "key_b")).ok());
  ASSERT_TRUE(*store_->RevokeSession("h2", kNow + 1));
  EXPECT_EQ(store_->RevokeSessionsOfKey("key_a", kNow + 30).value_or(-1), 1);
  EXPECT_EQ(Find("h1")->session.revoked_at, kNow + 30);
  EXPECT_EQ(Find("h2")->session.revoked_at, kNow + 1);  // kept: it ended first
  EXPECT_EQ(Find("h3")->session.revoked_at, std::nullopt);
  EXPECT_EQ(store_->RevokeSessionsOfKey("key_a", kNow + 40).value_or(-1), 0);
}

TEST_F(SqliteStoreSessionsTest, ANewSessionForgetsSessionsThatEndedAMonthBefore) {
  const Timestamp month = Store::kSessionRetentionSeconds;
  ASSERT_TRUE(store_->CreateSession(Session("expired_long_ago", "key_a", kNow - month - 1)).ok());
  ASSERT_TRUE(
      store_->CreateSession(Session("expired_two_months_ago", "key_a", kNow - 2 * month)).ok());
  ASSERT_TRUE(store_->CreateSession(Session("expired_lately", "key_a", kNow - month + 1)).ok());
  // Revoked a month ago, though it would still have had time left.
  SessionRecord revoked = Session("revoked_early", "key_a", kNow - month - 100);
  revoked.expires_at = kNow + kEightHours;
  revoked.revoked_at = kNow - month - 50;
  ASSERT_TRUE(store_->CreateSession(revoked).ok());
  ASSERT_TRUE(store_->CreateSession(Session("new", "key_b", kNow + kEightHours)).ok());
  EXPECT_FALSE(Find("expired_long_ago").has_value());
  EXPECT_FALSE(Find("expired_two_months_ago").has_value());
  EXPECT_FALSE(Find("revoked_early").has_value());
  EXPECT_TRUE(Find("expired_lately").has_value());
  EXPECT_TRUE(Find("new").has_value());
}

TEST_F(SqliteStoreSessionsTest, SessionsSurviveReopening) {
  ASSERT_TRUE(store_->CreateSession(Session("h1", "key_a")).ok());
  store_.reset();
  auto reopened = OpenSqliteStore(dir_.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  ASSERT_TRUE(Find("h1").has_value());
  EXPECT_EQ(Find("h1")->session, Session("h1", "key_a"));
}

}  // namespace
}  // namespace vigil
