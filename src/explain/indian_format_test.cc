#include "explain/indian_format.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(FormatIndianNumberTest, GroupsLakhsAndCrores) {
  EXPECT_EQ(FormatIndianNumber(123456, 2), "1,23,456.00");
  EXPECT_EQ(FormatIndianNumber(10000000, 0), "1,00,00,000");
  EXPECT_EQ(FormatIndianNumber(1234567890.5, 2), "1,23,45,67,890.50");
  EXPECT_EQ(FormatIndianNumber(99999, 0), "99,999");
  EXPECT_EQ(FormatIndianNumber(1000, 0), "1,000");
  EXPECT_EQ(FormatIndianNumber(999, 0), "999");
}

TEST(FormatIndianNumberTest, ZeroAndRounding) {
  EXPECT_EQ(FormatIndianNumber(0, 2), "0.00");
  EXPECT_EQ(FormatIndianNumber(0, 0), "0");
  EXPECT_EQ(FormatIndianNumber(2.345, 1), "2.3");
  EXPECT_EQ(FormatIndianNumber(999.996, 2), "1,000.00");
  EXPECT_EQ(FormatIndianNumber(4.6, 0), "5");
}

TEST(FormatIndianNumberTest, Negatives) {
  EXPECT_EQ(FormatIndianNumber(-1234567.5, 2), "-12,34,567.50");
  EXPECT_EQ(FormatIndianNumber(-12, 0), "-12");
  EXPECT_EQ(FormatIndianNumber(-0.001, 2), "0.00");
}

TEST(FormatIndianNumberTest, HugeValuesFallBackToPlainNotation) {
  EXPECT_EQ(FormatIndianNumber(1e16, 0), "10000000000000000");
}

TEST(FormatRupeesTest, PrefixesTheRupeeSign) {
  EXPECT_EQ(FormatRupees(123456), "₹1,23,456.00");
  EXPECT_EQ(FormatRupees(0), "₹0.00");
  EXPECT_EQ(FormatRupees(10000000), "₹1,00,00,000.00");
  EXPECT_EQ(FormatRupees(-2499.5), "-₹2,499.50");
}

TEST(FormatPercentTest, RoundsToWholePercent) {
  EXPECT_EQ(FormatPercent(4.0 / 6.0), "67%");
  EXPECT_EQ(FormatPercent(0.35), "35%");
  EXPECT_EQ(FormatPercent(0), "0%");
  EXPECT_EQ(FormatPercent(1), "100%");
}

}  // namespace
}  // namespace vigil
