// Base64 (RFC 4648, standard alphabet, with padding) by OpenSSL: Twilio's
// request signatures and HTTP basic credentials. Thread-safe.
#ifndef VIGIL_SMS_BASE64_H_
#define VIGIL_SMS_BASE64_H_

#include <string>
#include <string_view>

namespace vigil {

std::string Base64Encode(std::string_view bytes);

}  // namespace vigil

#endif  // VIGIL_SMS_BASE64_H_
