// AWS Signature Version 4 (header form), on OpenSSL's SHA-256 and HMAC: the
// canonical request, the string to sign, the derived signing key and the
// Authorization header, following the rules AWS publishes for services other
// than S3 (path segments are URI-encoded once more, so a path that is already
// percent-encoded on the wire is signed double-encoded; dot segments and empty
// segments are removed). Pure functions; thread-safe.
#ifndef VIGIL_NARRATE_SIGV4_H_
#define VIGIL_NARRATE_SIGV4_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/sha256.h"

namespace vigil {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// One request as it will go on the wire. `target` is the request-target of
// the request line: the path (percent-encoded as sent) and an optional
// "?query". `headers` are the headers to sign; they must include "host" and
// "x-amz-date" (names in any case; repeated names are joined with ",").
struct SigV4Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lowercase hex
  std::string authorization;   // the Authorization header's value
};

// `amz_date` is the request's x-amz-date ("20150830T123600Z"); its first 8
// characters are the credential scope's date.
SigV4Signature SignV4(const SigV4Request& request, const AwsCredentials& credentials,
                      std::string_view region, std::string_view service, std::string_view amz_date);

// The pieces, exposed for tests and for servers that verify a signature.
std::string SigV4CanonicalUri(std::string_view path);
std::string SigV4CanonicalQuery(std::string_view query);
// RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ (and '/'
// when `keep_slash`), uppercase hex.
std::string UriEncode(std::string_view text, bool keep_slash);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw bytes
std::string HexEncode(std::string_view bytes);
// "20150830T123600Z" for a time point (UTC).
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

}  // namespace vigil

#endif  // VIGIL_NARRATE_SIGV4_H_
