#include "sms/twilio_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "sms/base64.h"

namespace vigil {
namespace {

std::string HmacSha1(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Where a URL's authority (user@host:port) is: after "scheme://", up to the
// first '/', '?' or '#'.
struct Authority {
  size_t begin = 0;
  size_t end = 0;
};

std::optional<Authority> FindAuthority(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Authority a;
  a.begin = scheme_end + 3;
  a.end = std::min(url.find_first_of("/?#", a.begin), url.size());
  return a;
}

// The URL with its default port added or removed, or nothing when it has
// another port, no authority, or a scheme other than http(s).
std::optional<std::string> WithDefaultPortToggled(std::string_view url) {
  const std::optional<Authority> a = FindAuthority(url);
  if (!a) return std::nullopt;
  std::string_view default_port;
  if (url.starts_with("https://")) {
    default_port = ":443";
  } else if (url.starts_with("http://")) {
    default_port = ":80";
  } else {
    return std::nullopt;
  }
  const std::string_view authority = url.substr(a->begin, a->end - a->begin);
  // A port follows the last ':' that is not inside an IPv6 literal's brackets.
  const size_t colon = authority.rfind(':');
  const size_t bracket = authority.rfind(']');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  std::string out(url);
  if (!has_port) return out.insert(a->end, default_port);
  if (authority.substr(colon) != default_port) return std::nullopt;
  return out.erase(a->begin + colon, default_port.size());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            const FormParams& params) {
  FormParams sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string data(url);
  for (const auto& [name, value] : sorted) data.append(name).append(value);
  return Base64Encode(HmacSha1(auth_token, data));
}

bool IsValidTwilioSignature(std::string_view auth_token, std::string_view url,
                            const FormParams& params, std::string_view signature) {
  if (ConstantTimeEquals(TwilioSignature(auth_token, url, params), signature)) return true;
  const std::optional<std::string> other = WithDefaultPortToggled(url);
  return other && ConstantTimeEquals(TwilioSignature(auth_token, *other, params), signature);
}

SignedTwilioRequest SignTwilioRequest(std::string_view auth_token, std::string_view url,
                                      const FormParams& params) {
  return {EncodeForm(params), TwilioSignature(auth_token, url, params)};
}

}  // namespace vigil
