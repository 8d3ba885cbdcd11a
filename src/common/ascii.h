// ASCII case for std::string_views, through Abseil's (locale-independent,
// unlike std::tolower): case-insensitive comparisons and lower-casing.
// Boost.Beast's iequals (Boost 1.81) reads one byte past both strings when
// they differ in case only at their last character (found by the Twilio
// message-page fuzzer), so Vigil does not use it.
#ifndef VIGIL_COMMON_ASCII_H_
#define VIGIL_COMMON_ASCII_H_

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace vigil {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

inline bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return absl::StartsWithIgnoreCase(absl::string_view(text.data(), text.size()),
                                    absl::string_view(prefix.data(), prefix.size()));
}

// `text` with A-Z lowered; other bytes (UTF-8 included) unchanged.
inline std::string AsciiLower(std::string_view text) {
  return absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
}

}  // namespace vigil

#endif  // VIGIL_COMMON_ASCII_H_
