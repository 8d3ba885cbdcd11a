#include "common/ascii.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(AsciiLower, LowersAsciiLettersAndLeavesOtherBytes) {
  EXPECT_EQ(AsciiLower("Cash On DELIVERY"), "cash on delivery");
  // UTF-8 (Devanagari, an accented Latin letter) passes through byte for byte.
  EXPECT_EQ(AsciiLower("हिन्दी Ç-UPI"), "हिन्दी Ç-upi");
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(EqualsIgnoreCase, ComparesAsciiCaseOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "Content-Typ"));
  EXPECT_TRUE(StartsWithIgnoreCase("Bearer vk_x", "bearer "));
  EXPECT_FALSE(StartsWithIgnoreCase("Bear", "bearer "));
}

}  // namespace
}  // namespace vigil
