#include "common/utf8_prefix.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(Utf8PrefixTest, KeepsShortTextWhole) {
  EXPECT_EQ(Utf8Prefix("2026-13-01", 40), "2026-13-01");
  EXPECT_EQ(Utf8Prefix("", 40), "");
}

TEST(Utf8PrefixTest, CutsLongTextBeforeACharacterItWouldSplit) {
  EXPECT_EQ(Utf8Prefix("abcdef", 4), "abcd");
  // "हाँ" is three 3-byte characters: 4 bytes keep only the first.
  EXPECT_EQ(Utf8Prefix("हाँ", 4), "ह");
  EXPECT_EQ(Utf8Prefix("हाँ", 6), "हा");
  EXPECT_EQ(Utf8Prefix("aह", 2), "a");
}

}  // namespace
}  // namespace vigil
