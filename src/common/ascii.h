// Case-insensitive ASCII comparisons of std::string_views, through Abseil's.
// Boost.Beast's iequals (Boost 1.81) reads one byte past both strings when
// they differ in case only at their last character (found by the Twilio
// message-page fuzzer), so Vigil does not use it.
#ifndef VIGIL_COMMON_ASCII_H_
#define VIGIL_COMMON_ASCII_H_

#include <string_view>

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

}  // namespace vigil

#endif  // VIGIL_COMMON_ASCII_H_
