// Float vectors as BLOBs: the decision record's feature vector and SHAP
// values, stored as packed IEEE-754 values in little-endian byte order
// (4 bytes a float, 8 a double). A 50-feature decision keeps 600 bytes this
// way against ~3.5 KB as named JSON numbers, and the decision is written on
// every scored request.
#ifndef VIGIL_STORE_FLOAT_BLOB_H_
#define VIGIL_STORE_FLOAT_BLOB_H_

#include <bit>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fmt/format.h"

namespace vigil {

// The byte order is the machine's; every platform we build for is
// little-endian, and a big-endian port would byte-swap here.
static_assert(std::endian::native == std::endian::little, "float blobs are little-endian");

template <typename Float>
std::string EncodeFloatBlob(std::span<const Float> values) {
  std::string bytes(values.size() * sizeof(Float), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// DataLoss when the length is not a whole number of values.
template <typename Float>
StatusOr<std::vector<Float>> DecodeFloatBlob(std::string_view bytes) {
  if (bytes.size() % sizeof(Float) != 0) {
    return absl::DataLossError(
        fmt::format("a float blob of {} bytes is not a whole number of {}-byte values",
                    bytes.size(), sizeof(Float)));
  }
  std::vector<Float> values(bytes.size() / sizeof(Float));
  if (!values.empty()) std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

}  // namespace vigil

#endif  // VIGIL_STORE_FLOAT_BLOB_H_
