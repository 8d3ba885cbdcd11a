#include "sms/form.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(ParseForm, DecodesTwilioInboundSmsFields) {
  const StatusOr<FormParams> params =
      ParseForm("From=%2B919812345678&Body=YES+please&MessageSid=SM123");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_THAT(*params, ElementsAre(Pair("From", "+919812345678"), Pair("Body", "YES please"),
                                   Pair("MessageSid", "SM123")));
}

TEST(ParseForm, DecodesUtf8PercentEscapesAndPercentTwenty) {
  // "हाँ" as UTF-8, escaped byte by byte.
  const StatusOr<FormParams> params = ParseForm("Body=%E0%A4%B9%E0%A4%BE%E0%A4%81&A=x%20y");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_THAT(*params, ElementsAre(Pair("Body", "हाँ"), Pair("A", "x y")));
}

TEST(ParseForm, KeepsRepeatedNamesEmptyValuesAndSkipsEmptySegments) {
  const StatusOr<FormParams> params = ParseForm("a=1&&a=2&flag&b=");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_THAT(*params,
              ElementsAre(Pair("a", "1"), Pair("a", "2"), Pair("flag", ""), Pair("b", "")));
  EXPECT_TRUE(ParseForm("")->empty());
}

TEST(ParseForm, RejectsMalformedEscapes) {
  EXPECT_THAT(ParseForm("a=%4").status().message(), HasSubstr("malformed %-escape at '%4'"));
  EXPECT_EQ(ParseForm("a=%zz").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseForm("%=1").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FormValue, ReturnsFirstValueOrNothing) {
  const FormParams params = {{"a", "1"}, {"a", "2"}};
  EXPECT_EQ(FormValue(params, "a"), "1");
  EXPECT_EQ(FormValue(params, "b"), std::nullopt);
}

TEST(EncodeForm, EscapesAllButUnreservedBytesAndRoundTrips) {
  const FormParams params = {{"To", "+919812345678"},
                             {"Body", "Reply YES & pay ₹4,999 = ok?\n"},
                             {"", ""},
                             {"a b", "-._~"}};
  const std::string body = EncodeForm(params);
  EXPECT_EQ(body,
            "To=%2B919812345678&Body=Reply+YES+%26+pay+%E2%82%B94%2C999+%3D+ok%3F%0A&=&a+b=-._~");
  EXPECT_EQ(ParseForm(body).value(), params);
  EXPECT_EQ(EncodeForm({}), "");
}

}  // namespace
}  // namespace vigil
