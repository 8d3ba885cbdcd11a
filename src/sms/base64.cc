#include "sms/base64.h"

#include <openssl/evp.h>

namespace vigil {

std::string Base64Encode(std::string_view bytes) {
  // EVP_EncodeBlock writes 4 characters per started 3 bytes plus a NUL.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

}  // namespace vigil
