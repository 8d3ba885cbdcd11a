// ScoringModel: a published model version loaded for scoring: model.json
// (checksum verified) evaluated by our FlatForest, which predicts the margins
// XGBoost predicts bit for bit (flat_forest.h), its manifest (feature names in
// column order, model_version, calibration) and calibrated probabilities.
// XGBoost stays the trainer and the tests' oracle.
//
// Immutable after loading: const methods may be called from many threads at
// once without locking. Share it as shared_ptr<const ScoringModel>.
#ifndef VIGIL_MODEL_SCORING_MODEL_H_
#define VIGIL_MODEL_SCORING_MODEL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/calibration.h"
#include "model/flat_forest.h"
#include "model/model_manifest.h"

namespace vigil {

class ScoringModel {
 public:
  // Loads models/<kind>/<version>/: NotFound / DataLoss as ReadVersionFiles,
  // DataLoss when model.json cannot be evaluated (malformed, or a kind of
  // model FlatForest does not support) or its feature count differs from the
  // manifest's feature_names.
  [[nodiscard]] static StatusOr<std::shared_ptr<const ScoringModel>> Load(
      const std::string& version_dir);
  // From in-memory parts (e.g. before publishing). A non-empty
  // manifest.checksum must match model_json.
  [[nodiscard]] static StatusOr<std::shared_ptr<const ScoringModel>> FromParts(
      std::string model_json, ModelManifest manifest);

  const ModelManifest& manifest() const { return manifest_; }
  const std::vector<std::string>& feature_names() const { return manifest_.feature_names; }
  const std::string& model_version() const { return manifest_.model_version; }
  const Calibration& calibration() const { return manifest_.calibration; }
  const std::string& model_json() const { return model_json_; }

  // Raw margins (log-odds) of `n_rows` row-major rows of `n_cols` values
  // (NaN = missing), columns in feature_names() order. InvalidArgument when
  // n_cols differs from the manifest.
  [[nodiscard]] Status PredictMargins(const float* rows, size_t n_rows, size_t n_cols,
                                      std::vector<float>* margins) const;
  // Calibrated probabilities of the same rows.
  [[nodiscard]] Status PredictProbabilities(const float* rows, size_t n_rows, size_t n_cols,
                                            std::vector<double>* probabilities) const;
  // The trees, for explainers (TreeShap).
  const FlatForest& forest() const { return forest_; }

  // The calibrated probability of a margin.
  double Probability(double margin) const { return manifest_.calibration.Apply(margin); }

 private:
  ScoringModel(std::string model_json, ModelManifest manifest, FlatForest forest);

  const std::string model_json_;
  const ModelManifest manifest_;
  const FlatForest forest_;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_SCORING_MODEL_H_
