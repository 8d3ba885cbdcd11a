// Percent-encoding (RFC 3986 section 2.1) as URLs, query strings and
// application/x-www-form-urlencoded bodies use it: the HTTP server's paths
// and queries, Twilio's form posts, AWS SigV4's canonical request. Pure
// functions; thread-safe.
#ifndef VIGIL_COMMON_PERCENT_ENCODING_H_
#define VIGIL_COMMON_PERCENT_ENCODING_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

// Decodes `in` into `out` ("%2F" -> "/"); with `plus_is_space`, '+' becomes
// ' ' (form bodies, query strings). A '%' not followed by two hex digits is
// kept as it is. Returns the offset in `in` of the first such '%', or
// std::string_view::npos when every escape was well formed, for callers that
// reject malformed input.
size_t PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// Encodes every byte of `text` as %XX (upper-case hex) but the unreserved
// characters (A-Z a-z 0-9 - . _ ~) and those in `keep` ("/" for a path);
// with `space_as_plus`, ' ' becomes '+' (form bodies).
std::string PercentEncode(std::string_view text, std::string_view keep = {},
                          bool space_as_plus = false);

}  // namespace vigil

#endif  // VIGIL_COMMON_PERCENT_ENCODING_H_
