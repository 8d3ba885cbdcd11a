// ScoringModel: a published model version loaded for batch scoring: the
// XGBoost booster from model.json (checksum verified), its manifest (feature
// names in column order, model_version, calibration) and margin/probability
// prediction through XGBoost's in-place predict. This is the batch path; the
// flat forest evaluator is the fast path for single rows.
//
// Thread-safe: const methods may be called from many threads; predictions
// are serialised on an internal mutex (XGBoost's booster is not documented
// as safe for concurrent use). Share it as shared_ptr<const ScoringModel>.
#ifndef VIGIL_MODEL_SCORING_MODEL_H_
#define VIGIL_MODEL_SCORING_MODEL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "model/calibration.h"
#include "model/model_manifest.h"
#include "model/xgboost_handles.h"

namespace vigil {

class ScoringModel {
 public:
  // Loads models/<kind>/<version>/: NotFound / DataLoss as ReadVersionFiles,
  // DataLoss when XGBoost cannot load model.json or its feature count
  // differs from the manifest's feature_names. XGBoost predicts on
  // `nthread` threads (see Booster::FromModelJson for why 1 is the default).
  [[nodiscard]] static StatusOr<std::shared_ptr<const ScoringModel>> Load(
      const std::string& version_dir, int nthread = 1);
  // From in-memory parts (e.g. before publishing). A non-empty
  // manifest.checksum must match model_json.
  [[nodiscard]] static StatusOr<std::shared_ptr<const ScoringModel>> FromParts(
      std::string model_json, ModelManifest manifest, int nthread = 1);

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
  // The calibrated probability of a margin.
  double Probability(double margin) const { return manifest_.calibration.Apply(margin); }

 private:
  ScoringModel(std::string model_json, ModelManifest manifest, Booster booster);

  const std::string model_json_;
  const ModelManifest manifest_;
  mutable absl::Mutex mutex_;
  Booster booster_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace vigil

#endif  // VIGIL_MODEL_SCORING_MODEL_H_
