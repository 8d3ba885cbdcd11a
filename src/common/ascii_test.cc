#include "common/ascii.h"

#include <gtest/gtest.h>

#include <clocale>

namespace vigil {
namespace {

TEST(AsciiLower, LowersAsciiLettersOnlyWhateverTheLocale) {
  EXPECT_EQ(AsciiLower("Cash On DELIVERY"), "cash on delivery");
  // UTF-8 (Devanagari, an accented Latin letter) passes through byte for byte.
  EXPECT_EQ(AsciiLower("हिन्दी Ç-UPI"), "हिन्दी Ç-upi");
  EXPECT_EQ(AsciiLower(""), "");
  // std::tolower would follow a Latin-1 locale and change byte 0xC7.
  const char* previous = std::setlocale(LC_CTYPE, nullptr);
  const std::string saved = previous != nullptr ? previous : "C";
  if (std::setlocale(LC_CTYPE, "en_US.ISO-8859-1") != nullptr) {
    EXPECT_EQ(AsciiLower("\xC7X"), "\xC7x");
  }
  std::setlocale(LC_CTYPE, saved.c_str());
}

TEST(EqualsIgnoreCase, ComparesAsciiCaseOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "Content-Typ"));
  EXPECT_TRUE(StartsWithIgnoreCase("Bearer vk_x", "bearer "));
  EXPECT_FALSE(StartsWithIgnoreCase("Bear", "bearer "));
}

}  // namespace
}  // namespace vigil
