#include "sms/log_sender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kPhone[] = "+919812345678";

class LogSenderTest : public ::testing::Test {
 protected:
  LogSender sender_{[this](std::string_view line) { lines_.emplace_back(line); }};
  std::vector<std::string> lines_;
};

TEST_F(LogSenderTest, WritesOneMaskedLineMarkedNotSent) {
  const StatusOr<SentMessage> sent =
      sender_.Send({kPhone, "Reply YES if you made this payment", std::nullopt, "txn-1/1"});
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_THAT(lines_, SizeIs(1));
  EXPECT_THAT(lines_[0], HasSubstr("NOT SENT"));
  EXPECT_THAT(lines_[0], HasSubstr("to=+91******5678"));
  EXPECT_THAT(lines_[0], HasSubstr("Reply YES if you made this payment"));
  EXPECT_THAT(lines_[0], Not(HasSubstr(kPhone)));
  EXPECT_THAT(lines_[0], Not(HasSubstr("9812345678")));
}

TEST_F(LogSenderTest, ReturnsLoggedStatusAndLogSid) {
  const StatusOr<SentMessage> sent = sender_.Send({kPhone, "hi", std::nullopt, ""});
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_THAT(sent->message_sid, MatchesRegex("LOG[0-9a-f]{32}"));
  EXPECT_EQ(sent->status, "logged");
  EXPECT_EQ(sent->sender, "log");
  EXPECT_THAT(lines_[0], HasSubstr("sid=" + sent->message_sid));
}

TEST_F(LogSenderTest, SameIdempotencyKeyGivesSameSid) {
  const StatusOr<SentMessage> first = sender_.Send({kPhone, "hi", std::nullopt, "key-1"});
  const StatusOr<SentMessage> again = sender_.Send({kPhone, "hi", std::nullopt, "key-1"});
  const StatusOr<SentMessage> other = sender_.Send({kPhone, "hi", std::nullopt, "key-2"});
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->message_sid, again->message_sid);
  EXPECT_NE(first->message_sid, other->message_sid);
}

TEST_F(LogSenderTest, KeepsMultiLineBodyOnOneLine) {
  ASSERT_TRUE(sender_.Send({kPhone, "line one\nline two", std::nullopt, "k"}).ok());
  ASSERT_THAT(lines_, SizeIs(1));
  EXPECT_THAT(lines_[0], HasSubstr(R"(line one\nline two)"));
}

TEST_F(LogSenderTest, RejectsNonE164NumberWithoutLogging) {
  const StatusOr<SentMessage> sent = sender_.Send({"98123 45678", "hi", std::nullopt, "k"});
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(lines_.empty());
}

TEST_F(LogSenderTest, FindSentFindsNothingEvenAfterASend) {
  const OutgoingSms sms{kPhone, "Reply YES (ref P-1/1)", std::nullopt, "P-1/1"};
  ASSERT_TRUE(sender_.Send(sms).ok());
  const StatusOr<std::optional<SentMessage>> found = sender_.FindSent(sms, /*since=*/0);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  EXPECT_THAT(lines_, SizeIs(1));  // looking writes nothing
}

TEST_F(LogSenderTest, FindSentRejectsNonE164Number) {
  EXPECT_EQ(sender_.FindSent({"98123 45678", "hi", std::nullopt, "k"}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
