// SHA-256 checksums of model artifacts (OpenSSL EVP), written into
// manifest.json as "sha256:<hex>" and verified whenever a model is loaded.
// Pure functions; thread-safe.
#ifndef VIGIL_MODEL_CHECKSUM_H_
#define VIGIL_MODEL_CHECKSUM_H_

#include <string>
#include <string_view>

#include "common/sha256.h"

namespace vigil {

// "sha256:<hex>" of `data`: the manifest's checksum format.
std::string ArtifactChecksum(std::string_view data);

}  // namespace vigil

#endif  // VIGIL_MODEL_CHECKSUM_H_
