#include "model/scoring_model.h"

#include <fmt/format.h>

#include "model/checksum.h"
#include "model/version_files.h"

namespace vigil {

ScoringModel::ScoringModel(std::string model_json, ModelManifest manifest, FlatForest forest)
    : model_json_(std::move(model_json)),
      manifest_(std::move(manifest)),
      forest_(std::move(forest)) {}

StatusOr<std::shared_ptr<const ScoringModel>> ScoringModel::Load(const std::string& version_dir) {
  ASSIGN_OR_RETURN(VersionFiles files, ReadVersionFiles(version_dir));
  auto model = FromParts(std::move(files.model_json), std::move(files.manifest));
  if (!model.ok()) {
    return absl::DataLossError(
        fmt::format("{}/{}: {}", version_dir, kModelFile, model.status().message()));
  }
  return model;
}

StatusOr<std::shared_ptr<const ScoringModel>> ScoringModel::FromParts(std::string model_json,
                                                                      ModelManifest manifest) {
  if (!manifest.checksum.empty() && ArtifactChecksum(model_json) != manifest.checksum) {
    return absl::DataLossError("the model does not match the manifest's checksum");
  }
  ASSIGN_OR_RETURN(FlatForest forest, FlatForest::FromModelJson(model_json));
  const size_t n_features = forest.num_features();
  if (n_features != manifest.feature_names.size()) {
    return absl::DataLossError(
        fmt::format("the XGBoost model expects {} features but the manifest names {}", n_features,
                    manifest.feature_names.size()));
  }
  return std::shared_ptr<const ScoringModel>(
      new ScoringModel(std::move(model_json), std::move(manifest), std::move(forest)));
}

Status ScoringModel::PredictMargins(const float* rows, size_t n_rows, size_t n_cols,
                                    std::vector<float>* margins) const {
  if (n_cols != manifest_.feature_names.size()) {
    return absl::InvalidArgumentError(
        fmt::format("rows have {} columns but model {} expects {} (its manifest's feature_names)",
                    n_cols, manifest_.model_version, manifest_.feature_names.size()));
  }
  // FlatForest sums leaves in float as XGBoost does; the double it returns
  // holds that float exactly.
  std::vector<double> exact;
  forest_.PredictMargins(rows, n_rows, &exact);
  margins->assign(exact.begin(), exact.end());
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
