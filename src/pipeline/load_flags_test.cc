#include "pipeline/load_flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

TEST(LoadFlagsTest, ParsesAColumnMapping) {
  const auto mapping = ParseColumnMapping("transaction_id=TRANSACTION_ID, user_id = CUSTOMER_ID");
  ASSERT_TRUE(mapping.ok());
  EXPECT_EQ(mapping->at("transaction_id"), "TRANSACTION_ID");
  EXPECT_EQ(mapping->at("user_id"), "CUSTOMER_ID");
  EXPECT_TRUE(ParseColumnMapping("")->empty());
}

TEST(LoadFlagsTest, RejectsAMappingItemWithoutBothNames) {
  EXPECT_THAT(ParseColumnMapping("user_id").status().message(),
              HasSubstr("'user_id' is not ours=theirs"));
  EXPECT_THAT(ParseColumnMapping("a=B,a=C").status().message(), HasSubstr("a is mapped twice"));
}

TEST(LoadFlagsTest, ParsesNamedZonesAndFixedOffsets) {
  EXPECT_EQ(ParseTimeZone("UTC").value(), 0);
  EXPECT_EQ(ParseTimeZone("Asia/Kolkata").value(), 19800);
  EXPECT_EQ(ParseTimeZone("+05:30").value(), 19800);
  EXPECT_EQ(ParseTimeZone("-0800").value(), -8 * 3600);
  EXPECT_EQ(ParseTimeZone("UTC+2").value(), 2 * 3600);
}

TEST(LoadFlagsTest, RejectsZonesWithDaylightSaving) {
  EXPECT_THAT(ParseTimeZone("Europe/Paris").status().message(),
              HasSubstr("daylight saving are not supported"));
  EXPECT_FALSE(ParseTimeZone("+25:00").ok());
}

}  // namespace
}  // namespace vigil
