#include "sms/form.h"

#include <cctype>

#include "common/percent_encoding.h"
#include "fmt/format.h"

namespace vigil {
namespace {

StatusOr<std::string> Unescape(std::string_view text) {
  std::string out;
  const size_t malformed = PercentDecode(text, /*plus_is_space=*/true, &out);
  if (malformed != std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("form body has a malformed %-escape at '{}'", text.substr(malformed, 3)));
  }
  return out;
}

}  // namespace

StatusOr<FormParams> ParseForm(std::string_view body) {
  FormParams params;
  while (!body.empty()) {
    const size_t end = body.find('&');
    const std::string_view segment = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    if (segment.empty()) continue;
    const size_t equals = segment.find('=');
    ASSIGN_OR_RETURN(std::string name, Unescape(segment.substr(0, equals)));
    std::string value;
    if (equals != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, Unescape(segment.substr(equals + 1)));
    }
    params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

std::string EncodeForm(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name, {}, /*space_as_plus=*/true);
    out += '=';
    out += PercentEncode(value, {}, /*space_as_plus=*/true);
  }
  return out;
}

std::optional<std::string> FormValue(const FormParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace vigil
