#include "sms/form.h"

#include <cctype>

#include "fmt/format.h"

namespace vigil {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

StatusOr<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError(
            fmt::format("form body has a malformed %-escape at '{}'", text.substr(i, 3)));
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
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
  const auto append_escaped = [](std::string& out, std::string_view text) {
    for (const char c : text) {
      const unsigned char byte = static_cast<unsigned char>(c);
      if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += c;
      } else if (c == ' ') {
        out += '+';
      } else {
        out += fmt::format("%{:02X}", byte);
      }
    }
  };
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    append_escaped(out, name);
    out += '=';
    append_escaped(out, value);
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
