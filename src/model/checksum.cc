#include "model/checksum.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace vigil {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure, which we treat as fatal.
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string ArtifactChecksum(std::string_view data) { return "sha256:" + Sha256Hex(data); }

}  // namespace vigil
