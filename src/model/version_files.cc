#include "model/version_files.h"

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "model/checksum.h"

namespace vigil {
namespace {

std::string PathIn(const std::string& dir, const char* file) { return dir + "/" + file; }

}  // namespace

StatusOr<ModelManifest> ReadManifest(const std::string& version_dir) {
  const std::string path = PathIn(version_dir, kManifestFile);
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::DataLossError(fmt::format("{} is not valid JSON; restore or republish it", path));
  }
  auto manifest = ModelManifest::FromJson(json);
  if (!manifest.ok()) {
    return absl::DataLossError(fmt::format("{}: {}", path, manifest.status().message()));
  }
  return manifest;
}

StatusOr<VersionFiles> ReadVersionFiles(const std::string& version_dir) {
  VersionFiles files;
  ASSIGN_OR_RETURN(files.manifest, ReadManifest(version_dir));
  const std::string model_path = PathIn(version_dir, kModelFile);
  ASSIGN_OR_RETURN(files.model_json, ReadFileToString(model_path));
  const std::string actual = ArtifactChecksum(files.model_json);
  if (actual != files.manifest.checksum) {
    return absl::DataLossError(fmt::format(
        "{} does not match the checksum in its manifest (expected {}, found {}): the file was "
        "changed or corrupted; restore it or publish a new version",
        model_path, files.manifest.checksum, actual));
  }
  return files;
}

}  // namespace vigil
