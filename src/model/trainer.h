// TrainModel: fits a calibrated XGBoost binary classifier on time-ordered
// point-in-time rows. The latest `calibration_fraction` of the rows (by time)
// is held out: trees are boosted on the earlier rows with early stopping on
// the held-out ROC-AUC, the model is cut back to its best round, and Platt
// scaling is fitted on the held-out margins (so probabilities are calibrated
// even though scale_pos_weight rebalances the classes during boosting).
// Thread-safe: TrainModel shares no state between calls.
#ifndef VIGIL_MODEL_TRAINER_H_
#define VIGIL_MODEL_TRAINER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/calibration.h"
#include "model/dataset.h"

namespace vigil {

struct TrainOptions {
  int max_rounds = 500;
  int max_depth = 6;
  double eta = 0.08;
  double subsample = 0.85;
  double colsample_bytree = 0.8;
  double min_child_weight = 2;
  double lambda = 1.0;
  int early_stopping_rounds = 40;
  int nthread = 2;
  uint64_t seed = 7;            // XGBoost takes the low 31 bits
  bool balance_classes = true;  // scale_pos_weight = negatives / positives
  double calibration_fraction = 0.15;
  // Called after each boosting round with (rounds done, max_rounds); optional.
  std::function<void(int, int)> on_round;
};

struct TrainedModel {
  std::string model_json;  // XGBoost's own JSON, exactly best_iteration + 1 rounds
  Calibration calibration;
  int best_iteration = 0;           // 0-based round with the best held-out AUC
  int rounds = 0;                   // rounds boosted before early stopping ended the loop
  double best_calibration_auc = 0;  // held-out ROC-AUC at best_iteration
  // (feature, share of the model's total split gain), highest first; sums to 1.
  std::vector<std::pair<std::string, double>> importance_gain;
  std::vector<std::string> feature_names;
  size_t fit_rows = 0;
  size_t calibration_rows = 0;
  double fit_positive_rate = 0;
  nlohmann::json params;  // the XGBoost parameters used, plus early-stopping settings
};

inline constexpr size_t kMinTrainingRows = 100;

// Errors (InvalidArgument): malformed dataset, fewer than kMinTrainingRows
// rows, bad options, a single class in the fitting or the held-out part.
// XGBoost failures come back as Internal.
[[nodiscard]] StatusOr<TrainedModel> TrainModel(const Dataset& train, const TrainOptions& options);

}  // namespace vigil

#endif  // VIGIL_MODEL_TRAINER_H_
