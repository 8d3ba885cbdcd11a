// ReadVersionFiles: reads a model version directory (models/<kind>/<vN>/)
// and checks it: manifest.json parses and is complete, model.json exists and
// matches the manifest's checksum. Errors: NotFound for a missing file,
// DataLoss for a corrupt or tampered one, each naming the file and what to
// do. Thread-safe (no shared state).
#ifndef VIGIL_MODEL_VERSION_FILES_H_
#define VIGIL_MODEL_VERSION_FILES_H_

#include <string>

#include "common/status.h"
#include "model/model_manifest.h"

namespace vigil {

inline constexpr char kModelFile[] = "model.json";
inline constexpr char kManifestFile[] = "manifest.json";
inline constexpr char kMetricsFile[] = "metrics.json";
inline constexpr char kReportFile[] = "report.html";

struct VersionFiles {
  ModelManifest manifest;
  std::string model_json;
};

[[nodiscard]] StatusOr<VersionFiles> ReadVersionFiles(const std::string& version_dir);

// Reads and parses manifest.json only (no checksum check).
[[nodiscard]] StatusOr<ModelManifest> ReadManifest(const std::string& version_dir);

}  // namespace vigil

#endif  // VIGIL_MODEL_VERSION_FILES_H_
