#include "sms/twilio_message_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

// Shaped like Twilio's documented answer (fields Vigil ignores trimmed).
constexpr char kPage[] = R"({
  "end": 1,
  "first_page_uri": "/2010-04-01/Accounts/ACxx/Messages.json?To=%2B919812345678&PageSize=2&Page=0",
  "next_page_uri": "/2010-04-01/Accounts/ACxx/Messages.json?To=%2B919812345678&PageSize=2&Page=1&PageToken=PASMb",
  "page": 0,
  "page_size": 2,
  "previous_page_uri": null,
  "start": 0,
  "uri": "/2010-04-01/Accounts/ACxx/Messages.json?To=%2B919812345678&PageSize=2&Page=0",
  "messages": [
    {"sid": "SMa", "to": "+919812345678", "from": "+15005550006", "body": "Reply YES \u20b9",
     "status": "queued", "date_created": "Wed, 18 Aug 2010 20:01:40 +0000", "date_sent": null,
     "direction": "outbound-api", "num_segments": "1", "error_code": null},
    {"sid": "SMb", "to": "+919812345678", "from": "+15005550006", "body": null,
     "status": "delivered", "date_created": null}
  ]
})";

TEST(ParseTwilioMessagePage, ReadsMessagesAndNextPage) {
  const StatusOr<TwilioMessagePage> page = ParseTwilioMessagePage(kPage);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(page->messages, SizeIs(2));
  const ListedMessage& a = page->messages[0];
  EXPECT_EQ(a.sid, "SMa");
  EXPECT_EQ(a.to, "+919812345678");
  EXPECT_EQ(a.from, "+15005550006");
  EXPECT_EQ(a.body, "Reply YES ₹");
  EXPECT_EQ(a.status, "queued");
  EXPECT_EQ(a.date_created, Timestamp{1282161700});
  const ListedMessage& b = page->messages[1];
  EXPECT_EQ(b.body, "");
  EXPECT_EQ(b.date_created, std::nullopt);
  EXPECT_EQ(page->next_page_uri,
            "/2010-04-01/Accounts/ACxx/Messages.json?To=%2B919812345678&PageSize=2&Page=1"
            "&PageToken=PASMb");
}

TEST(ParseTwilioMessagePage, LastPageHasNoNextPage) {
  for (const char* json : {R"({"messages": [], "next_page_uri": null})", R"({"messages": []})",
                           R"({"messages": [], "next_page_uri": ""})"}) {
    const StatusOr<TwilioMessagePage> page = ParseTwilioMessagePage(json);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_TRUE(page->messages.empty());
    EXPECT_EQ(page->next_page_uri, std::nullopt) << json;
  }
}

TEST(ParseTwilioMessagePage, UnreadableDateIsLeftEmpty) {
  const StatusOr<TwilioMessagePage> page = ParseTwilioMessagePage(
      R"({"messages": [{"sid": "SMa", "date_created": "2010-08-18T20:01:40Z"}]})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->messages[0].date_created, std::nullopt);
}

TEST(ParseTwilioMessagePage, RejectsWhatIsNotAMessageList) {
  const auto error = [](std::string_view json) {
    const StatusOr<TwilioMessagePage> page = ParseTwilioMessagePage(json);
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInternal) << json;
    return std::string(page.status().message());
  };
  EXPECT_THAT(error("<Response/>"), HasSubstr("not a JSON object"));
  EXPECT_THAT(error("[]"), HasSubstr("not a JSON object"));
  EXPECT_THAT(error(R"({"sid": "SMa"})"), HasSubstr(R"(no "messages" array)"));
  EXPECT_THAT(error(R"({"messages": {}})"), HasSubstr(R"(no "messages" array)"));
  EXPECT_THAT(error(R"({"messages": [1]})"), HasSubstr("not an object"));
  EXPECT_THAT(error(R"({"messages": [{"sid": 7}]})"), HasSubstr("without a sid"));
  EXPECT_THAT(error(R"({"messages": [], "next_page_uri": "https://evil.example/x"})"),
              HasSubstr("next_page_uri is not a path"));
  EXPECT_THAT(error(R"({"messages": [], "next_page_uri": 2})"),
              HasSubstr("next_page_uri is not a path"));
}

TEST(ParseTwilioMessagePage, QuotesAtMost200BytesOfTheAnswer) {
  const std::string long_answer = "x" + std::string(1000, 'y');
  const std::string message(ParseTwilioMessagePage(long_answer).status().message());
  EXPECT_LT(message.size(), 300u);
}

}  // namespace
}  // namespace vigil
