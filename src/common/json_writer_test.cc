#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

using nlohmann::json;

TEST(JsonWriterTest, WritesNestedObjectsAndArraysWithCommas) {
  JsonWriter w;
  w.StartObject();
  w.Field("a", "x");
  w.Key("list");
  w.StartArray();
  w.Int(1);
  w.StartObject();
  w.EndObject();
  w.StartArray();
  w.EndArray();
  w.Bool(false);
  w.Null();
  w.EndArray();
  w.NumberField("n", 0.5);
  w.Key("raw");
  w.Raw(R"({"k":[1,2]})");
  w.EndObject();
  EXPECT_EQ(w.text(), R"({"a":"x","list":[1,{},[],false,null],"n":0.5,"raw":{"k":[1,2]}})");
}

TEST(JsonWriterTest, NumbersRoundTripShortestAndNonFiniteIsNull) {
  JsonWriter w;
  w.StartArray();
  for (double v :
       {0.68, 22347.0, 1e-7, -0.0, 0.1 + 0.2, 1.7976931348623157e308,
        std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
    w.Number(v);
  }
  w.EndArray();
  EXPECT_EQ(w.text(),
            "[0.68,22347,1e-07,-0,0.30000000000000004,1.7976931348623157e+308,null,null]");
  const json parsed = json::parse(w.text());
  EXPECT_EQ(parsed[4].get<double>(), 0.1 + 0.2);
}

TEST(JsonWriterTest, TheLongestNumbersAreWrittenWhole) {
  JsonWriter w;
  w.StartArray();
  w.Number(-2.2250738585072014e-308);
  w.Number(-4.9406564584124654e-324);
  w.Int(std::numeric_limits<int64_t>::min());
  w.Float(-1.17549435e-38f);
  w.EndArray();
  EXPECT_EQ(w.text(), "[-2.2250738585072014e-308,-5e-324,-9223372036854775808,-1.1754944e-38]");
}

TEST(JsonWriterTest, FloatsInTheirOwnShortestForm) {
  JsonWriter w;
  w.StartArray();
  w.Float(0.1f);
  w.Float(22347.0f);
  w.Float(std::numeric_limits<float>::quiet_NaN());
  w.EndArray();
  EXPECT_EQ(w.text(), "[0.1,22347,null]");
  EXPECT_EQ(json::parse(w.text())[0].get<float>(), 0.1f);
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  w.String(std::string("q\"b\\n\n\t\x01\x1f end"));
  EXPECT_EQ(w.text(), R"("q\"b\\n\n\t\u0001\u001f end")");
  EXPECT_EQ(json::parse(w.text()).get<std::string>(), std::string("q\"b\\n\n\t\x01\x1f end"));
}

// Escaping one character at a time, for the property below.
std::string EscapedOneByOne(const std::vector<std::string>& pieces) {
  std::string out = "\"";
  for (const std::string& piece : pieces) {
    const unsigned char c = static_cast<unsigned char>(piece[0]);
    if (piece.size() > 1 || (c >= 0x20 && c != '"' && c != '\\')) {
      out += piece;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += piece;
    } else if (c == '\n' || c == '\t' || c == '\b') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\b";
    } else {
      out += fmt::format("\\u{:04x}", c);
    }
  }
  return out + "\"";
}

// Plain runs are found eight bytes at a time: every character that needs
// escaping, or starts a UTF-8 sequence, at every offset within and across
// the eight-byte words must still be found.
TEST(JsonWriterTest, EscapesLikeOneCharacterAtATimeAtEveryOffset) {
  const std::vector<std::string> alphabet = {std::string(1, '\0'),
                                             "\x01",
                                             "\b",
                                             "\t",
                                             "\n",
                                             "\x1f",
                                             " ",
                                             "!",
                                             "\"",
                                             "#",
                                             "[",
                                             "\\",
                                             "]",
                                             "a",
                                             "~",
                                             "\x7f",
                                             "\xC3\xA9" /* é */,
                                             "\xE0\xA4\xB9" /* ह */};
  std::mt19937 rng(7);
  for (int round = 0; round < 20'000; ++round) {
    const size_t length = rng() % 40;
    std::vector<std::string> pieces;
    std::string text;
    for (size_t i = 0; i < length; ++i) {
      // Mostly plain, so long runs end on an awkward character.
      const std::string& piece = rng() % 4 == 0 ? alphabet[rng() % alphabet.size()] : alphabet[13];
      pieces.push_back(piece);
      text += piece;
    }
    JsonWriter w;
    w.String(text);
    ASSERT_EQ(w.text(), EscapedOneByOne(pieces)) << "round " << round;
  }
}

TEST(JsonWriterTest, KeepsUtf8AndReplacesBytesThatAreNotUtf8) {
  JsonWriter w;
  w.StartArray();
  w.String("₹22,347 हाँ 😀");
  // A lone continuation byte, a truncated sequence, an overlong '/', a
  // surrogate and a byte past U+10FFFF.
  w.String(
      "a\x80"
      "b\xE0\xA4"
      "c\xC0\xAF"
      "d\xED\xA0\x80"
      "e\xF5");
  w.EndArray();
  const json parsed = json::parse(w.text());  // throws on invalid UTF-8
  EXPECT_EQ(parsed[0], "₹22,347 हाँ 😀");
  EXPECT_EQ(parsed[1], "a\uFFFDb\uFFFD\uFFFDc\uFFFD\uFFFDd\uFFFD\uFFFD\uFFFDe\uFFFD");
}

}  // namespace
}  // namespace vigil
