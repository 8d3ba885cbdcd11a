#include "common/percent_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

TEST(PercentEncodingTest, DecodingKeepsMalformedEscapesAndSaysWhereTheFirstIs) {
  std::string out;
  EXPECT_EQ(PercentDecode("a%2Fb%2%41+%", false, &out), 5u);
  EXPECT_EQ(out, "a/b%2A+%");
  EXPECT_EQ(PercentDecode("a+b%20c", true, &out), std::string_view::npos);
  EXPECT_EQ(out, "a b c");
  EXPECT_EQ(PercentDecode("ends%4", true, &out), 4u);
  EXPECT_EQ(out, "ends%4");
  EXPECT_EQ(PercentDecode("%zz%41", false, &out), 0u);
  EXPECT_EQ(out, "%zzA");
}

TEST(PercentEncodingTest, EncodesAllButTheUnreservedAndWhatItIsToldToKeep) {
  EXPECT_EQ(PercentEncode("a-b._~Z9 /é"), "a-b._~Z9%20%2F%C3%A9");
  EXPECT_EQ(PercentEncode("/a b/c", "/"), "/a%20b/c");
  EXPECT_EQ(PercentEncode("Body=Yes please&x", {}, true), "Body%3DYes+please%26x");
}

TEST(PercentEncodingTest, DecodingUndoesEncodingForEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string decoded;
  for (const bool plus : {false, true}) {
    EXPECT_EQ(PercentDecode(PercentEncode(all, {}, plus), plus, &decoded), std::string_view::npos);
    EXPECT_EQ(decoded, all);
  }
}

}  // namespace
}  // namespace vigil
