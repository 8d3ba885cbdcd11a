// SHA-256 (OpenSSL) as lower-case hex: artifact checksums, API key hashes,
// SigV4 payload hashes.
#ifndef VIGIL_COMMON_SHA256_H_
#define VIGIL_COMMON_SHA256_H_

#include <string>
#include <string_view>

namespace vigil {

std::string Sha256Hex(std::string_view data);

}  // namespace vigil

#endif  // VIGIL_COMMON_SHA256_H_
