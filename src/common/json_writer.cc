#include "common/json_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fmt/compile.h"
#include "fmt/format.h"

namespace vigil {
namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when it
// does not start with one (RFC 3629: no overlongs, surrogates or values past
// U+10FFFF).
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// Whether `c` stands in a JSON string as it is: printable ASCII other than
// the quote and the backslash.
bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Eight characters at a time (SWAR): a mask with the high bit set in each
// byte of `w` that is not plain, exact in the lowest such byte (a borrow
// may also mark bytes above it, which the caller never looks at).
uint64_t NotPlainBytes(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const auto zero_bytes = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t control = (w - 0x20 * kOnes) & ~w & kHigh;  // bytes below 0x20
  return control | (w & kHigh) | zero_bytes(w ^ ('"' * kOnes)) | zero_bytes(w ^ ('\\' * kOnes));
}

// How many characters at the start of `s` are plain.
size_t PlainRunLength(std::string_view s) {
  static_assert(std::endian::native == std::endian::little);
  size_t n = 0;
  for (; n + 8 <= s.size(); n += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + n, sizeof(w));
    if (const uint64_t mask = NotPlainBytes(w); mask != 0) {
      return n + static_cast<size_t>(std::countr_zero(mask)) / 8;
    }
  }
  while (n < s.size() && IsPlain(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

// fmt (its format string compiled) into a stack buffer, then one append:
// through a back_insert_iterator it goes through a growing buffer.
template <typename T>
void AppendNumber(std::string& out, T value) {
  char buffer[40];
  const auto end = fmt::format_to_n(buffer, sizeof(buffer), FMT_COMPILE("{}"), value);
  out.append(buffer, std::min(end.size, sizeof(buffer)));
}

}  // namespace

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_members_.empty()) {
    if (has_members_.back()) out_.push_back(',');
    has_members_.back() = true;
  }
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  has_members_.push_back(false);
}

void JsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  if (!has_members_.empty()) has_members_.pop_back();
}

void JsonWriter::Key(std::string_view name) {
  BeforeValue();
  AppendEscaped(name);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendEscaped(value);
}

void JsonWriter::Number(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_.append("null");
    return;
  }
  AppendNumber(out_, value);
}

void JsonWriter::Float(float value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_.append("null");
    return;
  }
  AppendNumber(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  AppendNumber(out_, value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
}

void JsonWriter::AppendEscaped(std::string_view s) {
  out_.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // The characters that need nothing, appended as one run: a character at
    // a time cost ~4 % of a scored request's instructions (callgrind).
    const size_t run = PlainRunLength(s.substr(i));
    out_.append(s.data() + i, run);
    i += run;
    if (i == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out_.append("\\\"");
        break;
      case '\\':
        out_.append("\\\\");
        break;
      case '\n':
        out_.append("\\n");
        break;
      case '\r':
        out_.append("\\r");
        break;
      case '\t':
        out_.append("\\t");
        break;
      case '\b':
        out_.append("\\b");
        break;
      case '\f':
        out_.append("\\f");
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out_), "\\u{:04x}", c);
        } else if (const size_t n = Utf8SequenceLength(s.substr(i)); n > 0) {
          out_.append(s.substr(i, n));
          i += n;
          continue;
        } else {
          out_.append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not UTF-8
        }
    }
    ++i;
  }
  out_.push_back('"');
}

}  // namespace vigil
