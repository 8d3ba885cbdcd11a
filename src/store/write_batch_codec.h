// The write journal's record payload: a WriteBatch (its events and decisions,
// every field Submit writes) as bytes and back. Integers and floats are in
// the machine's byte order (little-endian everywhere we build, as in
// float_blob.h); strings and vectors are preceded by their length (u32).
// A journal is read back only by the same deployment, so the layout carries
// a version byte rather than a schema.
#ifndef VIGIL_STORE_WRITE_BATCH_CODEC_H_
#define VIGIL_STORE_WRITE_BATCH_CODEC_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace vigil {

// Appends the encoding of `batch` to *out.
void EncodeWriteBatch(const WriteBatch& batch, std::string* out);

// DataLoss naming what was cut short or malformed.
[[nodiscard]] StatusOr<WriteBatch> DecodeWriteBatch(std::string_view bytes);

}  // namespace vigil

#endif  // VIGIL_STORE_WRITE_BATCH_CODEC_H_
