#include "store/sqlite_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store_records_for_test.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<SqliteConnection> OpenDb(const ScopedTempDir& dir) {
  auto c = SqliteConnection::Open(dir.path() + "/vigil.db", {});
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

std::vector<std::string> Tables(SqliteConnection& c) {
  auto stmt = c.Prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  while (*(*stmt)->Step()) names.push_back((*stmt)->ColumnText(0));
  return names;
}

TEST(SqliteSchemaTest, MigratesAnEmptyDatabaseToTheLatestVersion) {
  ScopedTempDir dir;
  auto c = OpenDb(dir);
  EXPECT_EQ(*SqliteSchemaVersion(*c), 0);
  ASSERT_TRUE(MigrateSqliteSchema(*c).ok());
  EXPECT_EQ(*SqliteSchemaVersion(*c), SqliteSchemaLatestVersion());
  EXPECT_EQ(SqliteSchemaLatestVersion(), 16);
  EXPECT_THAT(Tables(*c),
              ElementsAre("accounts", "api_keys", "decision_labels", "decision_rollup",
                          "decision_rollup_state", "decisions", "events", "list_entries", "outbox",
                          "sessions", "sms_inbound", "sms_outbound", "snapshot_chunks", "snapshots",
                          "sqlite_sequence", "transaction_history", "transactions"));
  ASSERT_TRUE(MigrateSqliteSchema(*c).ok());  // nothing left to do
  EXPECT_EQ(*SqliteSchemaVersion(*c), 16);
}

TEST(SqliteSchemaTest, VersionOneDataSurvivesTheNarrationMigration) {
  ScopedTempDir dir;
  auto c = OpenDb(dir);
  ASSERT_TRUE(MigrateSqliteSchema(*c, 1).ok());
  ASSERT_TRUE(c->Exec("INSERT INTO decisions (decision_id, subject_id, kind, at, customer_id, "
                      "model_version, risk_score, risk_level, action, request_id, document) "
                      "VALUES ('dec_1', 'ORD1', 'order', 5, 'C', 'v1', 0.5, 'low', 'allow', "
                      "'r', '{}')")
                  .ok());
  ASSERT_TRUE(MigrateSqliteSchema(*c).ok());
  auto stmt = c->Prepare("SELECT decision_id, narration, features, contributions FROM decisions");
  ASSERT_TRUE(*(*stmt)->Step());
  EXPECT_EQ((*stmt)->ColumnText(0), "dec_1");
  EXPECT_TRUE((*stmt)->ColumnIsNull(1));
  EXPECT_TRUE((*stmt)->ColumnIsNull(2));
  EXPECT_TRUE((*stmt)->ColumnIsNull(3));
}

TEST(SqliteSchemaTest, RefusesADatabaseFromANewerBinary) {
  ScopedTempDir dir;
  auto c = OpenDb(dir);
  ASSERT_TRUE(c->Exec("PRAGMA user_version = 99").ok());
  EXPECT_EQ(MigrateSqliteSchema(*c),
            absl::FailedPreconditionError(
                "the database has schema version 99, newer than this binary's 16; use a newer "
                "vigil"));
}

TEST(SqliteSchemaTest, TheDatabaseIsInWalMode) {
  ScopedTempDir dir;
  auto c = OpenDb(dir);
  auto stmt = c->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*(*stmt)->Step());
  EXPECT_EQ((*stmt)->ColumnText(0), "wal");
}

}  // namespace
}  // namespace vigil
