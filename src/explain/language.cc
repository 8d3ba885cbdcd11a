#include "explain/language.h"

#include <cctype>
#include <charconv>
#include <string>

#include "common/ascii.h"

namespace vigil {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "hi", "hi-IN", "hindi", "हिन्दी" -> "hi"; "en*", "english", "*" -> "en"; else "".
std::string_view Supported(std::string_view range) {
  const std::string tag = AsciiLower(range);
  const std::string primary = tag.substr(0, tag.find_first_of("-_"));
  if (primary == "hi" || primary == "hin" || primary == "hindi" || tag == "हिन्दी" ||
      tag == "हिंदी") {
    return "hi";
  }
  if (primary == "en" || primary == "eng" || primary == "english" || primary == "*") return "en";
  return "";
}

// The q-value of one entry's parameters (";q=0.8"); 1 when absent or malformed.
double Quality(std::string_view params) {
  const size_t q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  std::string_view number = Trim(params.substr(q + 2));
  double value = 1.0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  (void)end;
  return error == std::errc() ? value : 1.0;
}

}  // namespace

std::string_view NegotiateLanguage(std::string_view header) {
  std::string_view best = "en";
  double best_q = 0.0;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view entry = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t semi = entry.find(';');
    const std::string_view language = Supported(Trim(entry.substr(0, semi)));
    const double q = semi == std::string_view::npos ? 1.0 : Quality(entry.substr(semi + 1));
    if (!language.empty() && q > best_q) {
      best = language;
      best_q = q;
    }
  }
  return best;
}

}  // namespace vigil
