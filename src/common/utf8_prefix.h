// Utf8Prefix: the start of a text, at most so many bytes, never cutting a
// UTF-8 character in two — for echoing bad input in error messages, which are
// sent as JSON and must stay valid UTF-8.
#ifndef VIGIL_COMMON_UTF8_PREFIX_H_
#define VIGIL_COMMON_UTF8_PREFIX_H_

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace vigil {

inline std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  size_t shown = std::min(text.size(), max_bytes);
  // Back over continuation bytes (10xxxxxx) to a character's first byte.
  while (shown > 0 && shown < text.size() &&
         (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) {
    --shown;
  }
  return text.substr(0, shown);
}

}  // namespace vigil

#endif  // VIGIL_COMMON_UTF8_PREFIX_H_
