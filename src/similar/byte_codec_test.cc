#include "similar/byte_codec.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(ByteCodecTest, ReadsBackWhatWasWritten) {
  ByteWriter out;
  out.Write(uint32_t{7});
  out.Write(int64_t{-1'780'000'000});
  out.Write(0.25f);
  out.WriteString("ORD-1");
  out.WriteString("");
  ByteReader in(out.bytes());
  uint32_t u = 0;
  int64_t i = 0;
  float f = 0;
  std::string a = "x", b = "x";
  ASSERT_TRUE(in.Read(&u) && in.Read(&i) && in.Read(&f) && in.ReadString(&a) && in.ReadString(&b));
  EXPECT_EQ(u, 7u);
  EXPECT_EQ(i, -1'780'000'000);
  EXPECT_EQ(f, 0.25f);
  EXPECT_EQ(a, "ORD-1");
  EXPECT_EQ(b, "");
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(ByteCodecTest, ReaderStopsAtTheEndInsteadOfReadingPastIt) {
  ByteWriter out;
  out.Write(uint32_t{1000});  // a string length with no string after it
  ByteReader in(out.bytes());
  std::string s;
  EXPECT_FALSE(in.ReadString(&s));
  ByteReader short_input(std::string_view("abc"));
  uint32_t u = 0;
  EXPECT_FALSE(short_input.Read(&u));
  std::string_view raw;
  EXPECT_FALSE(short_input.ReadRaw(4, &raw));
  EXPECT_TRUE(short_input.ReadRaw(3, &raw));
  EXPECT_EQ(raw, "abc");
}

TEST(ByteCodecTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
}

}  // namespace
}  // namespace vigil
