#include "model/checksum.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace vigil {

std::string ArtifactChecksum(std::string_view data) { return "sha256:" + Sha256Hex(data); }

}  // namespace vigil
