// ModelArtifacts: everything a trained model version consists of before it is
// published (the XGBoost model, its manifest, its validation evaluation and
// feature importance), and MakeArtifacts, which assembles them from a
// TrainModel result. A value type; thread-safe to read.
#ifndef VIGIL_MODEL_MODEL_ARTIFACTS_H_
#define VIGIL_MODEL_MODEL_ARTIFACTS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "model/dataset.h"
#include "model/evaluation.h"
#include "model/model_manifest.h"
#include "model/trainer.h"

namespace vigil {

struct ModelArtifacts {
  std::string model_json;  // XGBoost's JSON model
  // Training facts. ModelRegistry::Publish fills kind, version, model_version,
  // checksum and created_at, and the library versions when empty.
  ModelManifest manifest;
  Evaluation validation;
  std::vector<std::pair<std::string, double>> importance_gain;  // highest first
};

// Assembles artifacts from a trained model, the rows it was trained on (for
// the training period) and its validation rows and evaluation. Set
// `manifest.feature_descriptions` afterwards if there are any.
ModelArtifacts MakeArtifacts(const TrainedModel& model, const Dataset& train, const Dataset& valid,
                             Evaluation validation);

// metrics.json: model_version, the validation metrics (roc_auc, pr_auc,
// log_loss, brier, positive_rate, mean_predicted, thresholds, curves), row
// counts {train, fit, calibration, valid, valid_positives} and
// feature_importance [{feature, gain_share}].
nlohmann::json MetricsJson(const ModelManifest& manifest, const Evaluation& validation,
                           const std::vector<std::pair<std::string, double>>& importance_gain);

}  // namespace vigil

#endif  // VIGIL_MODEL_MODEL_ARTIFACTS_H_
