#include "sms/phone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil {
namespace {

using ::testing::HasSubstr;

TEST(ValidateE164, AcceptsIndianUsAndShortestAndLongestNumbers) {
  EXPECT_TRUE(ValidateE164("+919812345678").ok());
  EXPECT_TRUE(ValidateE164("+14158675309").ok());
  EXPECT_TRUE(ValidateE164("+12345678").ok());
  EXPECT_TRUE(ValidateE164("+123456789012345").ok());
}

TEST(ValidateE164, RejectsNumberWithoutPlus) {
  const Status s = ValidateE164("919812345678");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("must start with '+'"));
  EXPECT_EQ(ValidateE164("").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateE164, RejectsSpacesAndDashesNamingThePosition) {
  const Status s = ValidateE164("+91 98123 45678");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("found ' ' at position 3"));
  EXPECT_THAT(ValidateE164("+1-415-867-5309").message(), HasSubstr("found '-'"));
}

TEST(ValidateE164, RejectsTooFewAndTooManyDigits) {
  EXPECT_THAT(ValidateE164("+1234567").message(), HasSubstr("it has 7"));
  EXPECT_THAT(ValidateE164("+1234567890123456").message(), HasSubstr("it has 16"));
  EXPECT_THAT(ValidateE164("+").message(), HasSubstr("it has 0"));
}

TEST(ValidateE164, RejectsLeadingZeroCountryCode) {
  EXPECT_THAT(ValidateE164("+0919812345678").message(), HasSubstr("cannot start with 0"));
}

TEST(MaskPhone, KeepsPrefixAndLastFourDigits) {
  EXPECT_EQ(MaskPhone("+919812345678"), "+91******5678");
  EXPECT_EQ(MaskPhone("+14158675309"), "+14*****5309");
}

TEST(MaskPhone, MasksShortInputCompletely) {
  EXPECT_EQ(MaskPhone("+123456"), "*******");
  EXPECT_EQ(MaskPhone(""), "");
  EXPECT_EQ(MaskPhone("+1234567"), "+12*4567");
}

}  // namespace
}  // namespace vigil
