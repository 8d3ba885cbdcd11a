#include "explain/language.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(NegotiateLanguageTest, PlainValues) {
  EXPECT_EQ(NegotiateLanguage("hi"), "hi");
  EXPECT_EQ(NegotiateLanguage("hi-IN"), "hi");
  EXPECT_EQ(NegotiateLanguage("HI_in"), "hi");
  EXPECT_EQ(NegotiateLanguage("Hindi"), "hi");
  EXPECT_EQ(NegotiateLanguage("हिन्दी"), "hi");
  EXPECT_EQ(NegotiateLanguage("en"), "en");
  EXPECT_EQ(NegotiateLanguage("en-GB"), "en");
}

TEST(NegotiateLanguageTest, DefaultsToEnglish) {
  EXPECT_EQ(NegotiateLanguage(""), "en");
  EXPECT_EQ(NegotiateLanguage("ta-IN"), "en");
  EXPECT_EQ(NegotiateLanguage("*"), "en");
  EXPECT_EQ(NegotiateLanguage(" , ;q=1"), "en");
}

TEST(NegotiateLanguageTest, AcceptLanguageHeaderPrefersHighestQuality) {
  EXPECT_EQ(NegotiateLanguage("hi-IN,hi;q=0.9,en;q=0.8"), "hi");
  EXPECT_EQ(NegotiateLanguage("en-US,en;q=0.9,hi;q=0.8"), "en");
  EXPECT_EQ(NegotiateLanguage("en;q=0.5, hi;q=0.7"), "hi");
  EXPECT_EQ(NegotiateLanguage("ta-IN, hi;q=0.3"), "hi");
}

TEST(NegotiateLanguageTest, TiesGoToTheEarlierEntry) {
  EXPECT_EQ(NegotiateLanguage("hi, en"), "hi");
  EXPECT_EQ(NegotiateLanguage("en, hi"), "en");
}

TEST(NegotiateLanguageTest, RefusesZeroQuality) {
  EXPECT_EQ(NegotiateLanguage("hi;q=0, en;q=0.1"), "en");
  EXPECT_EQ(NegotiateLanguage("hi;q=0"), "en");
}

}  // namespace
}  // namespace vigil
