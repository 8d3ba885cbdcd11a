#include "model/scoring_model.h"

#include <fmt/format.h>

#include "model/checksum.h"
#include "model/version_files.h"

namespace vigil {

ScoringModel::ScoringModel(std::string model_json, ModelManifest manifest, Booster booster)
    : model_json_(std::move(model_json)),
      manifest_(std::move(manifest)),
      booster_(std::move(booster)) {}

StatusOr<std::shared_ptr<const ScoringModel>> ScoringModel::Load(const std::string& version_dir,
                                                                 int nthread) {
  ASSIGN_OR_RETURN(VersionFiles files, ReadVersionFiles(version_dir));
  auto model = FromParts(std::move(files.model_json), std::move(files.manifest), nthread);
  if (!model.ok()) {
    return absl::DataLossError(
        fmt::format("{}/{}: {}", version_dir, kModelFile, model.status().message()));
  }
  return model;
}

StatusOr<std::shared_ptr<const ScoringModel>> ScoringModel::FromParts(std::string model_json,
                                                                      ModelManifest manifest,
                                                                      int nthread) {
  if (!manifest.checksum.empty() && ArtifactChecksum(model_json) != manifest.checksum) {
    return absl::DataLossError("the model does not match the manifest's checksum");
  }
  ASSIGN_OR_RETURN(Booster booster, Booster::FromModelJson(model_json, nthread));
  ASSIGN_OR_RETURN(size_t n_features, booster.NumFeatures());
  if (n_features != manifest.feature_names.size()) {
    return absl::DataLossError(
        fmt::format("the XGBoost model expects {} features but the manifest names {}", n_features,
                    manifest.feature_names.size()));
  }
  return std::shared_ptr<const ScoringModel>(
      new ScoringModel(std::move(model_json), std::move(manifest), std::move(booster)));
}

Status ScoringModel::PredictMargins(const float* rows, size_t n_rows, size_t n_cols,
                                    std::vector<float>* margins) const {
  if (n_cols != manifest_.feature_names.size()) {
    return absl::InvalidArgumentError(
        fmt::format("rows have {} columns but model {} expects {} (its manifest's feature_names)",
                    n_cols, manifest_.model_version, manifest_.feature_names.size()));
  }
  absl::MutexLock lock(&mutex_);
  ASSIGN_OR_RETURN(*margins, booster_.PredictDenseMargins(rows, n_rows, n_cols));
  return absl::OkStatus();
}

Status ScoringModel::PredictProbabilities(const float* rows, size_t n_rows, size_t n_cols,
                                          std::vector<double>* probabilities) const {
  std::vector<float> margins;
  RETURN_IF_ERROR(PredictMargins(rows, n_rows, n_cols, &margins));
  probabilities->clear();
  probabilities->reserve(margins.size());
  for (float m : margins) probabilities->push_back(Probability(m));
  return absl::OkStatus();
}

}  // namespace vigil
