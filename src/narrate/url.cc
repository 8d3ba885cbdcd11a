#include "narrate/url.h"

#include <charconv>

namespace vigil {

std::string Url::HostHeader() const {
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? name : name + ":" + port;
}

StatusOr<Url> ParseUrl(std::string_view text) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return absl::InvalidArgumentError(fmt::format("'{}' is not an http:// or https:// URL", text));
  }
  if (text.find_first_of("?#@") != std::string_view::npos) {
    return absl::InvalidArgumentError("the URL must not have a query, fragment or user info");
  }
  const size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(text.substr(slash));
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed '[' in host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return absl::InvalidArgumentError("bad host");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return absl::InvalidArgumentError("the URL has no host");
  if (port.empty()) {
    url.port = url.tls ? "443" : "80";
  } else {
    int value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return absl::InvalidArgumentError(fmt::format("bad port '{}'", port));
    }
    url.port = std::string(port);
  }
  return url;
}

}  // namespace vigil
