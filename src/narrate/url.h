// Url: the parts of an http:// or https:// URL that an HTTP client needs.
// A plain value; thread-safe as a value.
#ifndef VIGIL_NARRATE_URL_H_
#define VIGIL_NARRATE_URL_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

struct Url {
  bool tls = false;  // https
  std::string host;  // without brackets for IPv6 literals
  std::string port;  // "80" / "443" when the URL has none
  std::string path;  // "" when the URL has none; no query or fragment
  // The Host header: host, plus ":port" when it is not the scheme's default.
  std::string HostHeader() const;
};

// InvalidArgument for another scheme, a missing host, a bad port, or a
// query, fragment or user info (the endpoints here have none).
[[nodiscard]] StatusOr<Url> ParseUrl(std::string_view text);

}  // namespace vigil

#endif  // VIGIL_NARRATE_URL_H_
