// The festival calendar of a store directory: <data_dir>/festivals.csv,
// which the order features of `vigil serve` use and `vigil train
// --data-dir` replays with. It is written from the shipped 2024-2027
// calendar the first time it is needed, so operators can edit it; `vigil
// ingest` merges a lake's rows into it.
#ifndef VIGIL_SERVICE_STORE_FESTIVALS_H_
#define VIGIL_SERVICE_STORE_FESTIVALS_H_

#include <string>

#include "common/status.h"

namespace vigil {

// The calendar's path, the file written first if missing. PermissionDenied
// naming the path when it cannot be written.
[[nodiscard]] StatusOr<std::string> EnsureStoreFestivals(const std::string& data_dir);

}  // namespace vigil

#endif  // VIGIL_SERVICE_STORE_FESTIVALS_H_
