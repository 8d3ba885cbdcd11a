// Evaluation: every metric Vigil records for a model on its validation
// period (the rows after --valid-from), as written to metrics.json and drawn
// in report.html. Built from labels and calibrated probabilities. A value
// type; thread-safe to read.
#ifndef VIGIL_MODEL_EVALUATION_H_
#define VIGIL_MODEL_EVALUATION_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "common/status.h"
#include "model/dataset.h"
#include "model/metrics.h"
#include "model/trainer.h"

namespace vigil {

// Thresholds reported when the caller has no policy of its own.
inline constexpr double kDefaultReportThresholds[] = {0.1, 0.3, 0.5, 0.7, 0.9};

struct Evaluation {
  size_t rows = 0;
  size_t positives = 0;
  double positive_rate = 0;   // NaN without rows
  double mean_predicted = 0;  // NaN without rows
  double roc_auc = 0;
  double pr_auc = 0;  // average precision
  double log_loss = 0;
  double brier = 0;
  std::vector<ThresholdMetrics> thresholds;
  std::vector<CurvePoint> roc_curve;
  std::vector<CurvePoint> pr_curve;
  std::vector<ReliabilityBin> reliability;

  // {"rows", "positives", "positive_rate", "mean_predicted", "roc_auc", "pr_auc",
  //  "log_loss", "brier", "thresholds": [{threshold, precision, recall,
  //  flagged_share, flagged, true_positives}], "curves": {"roc": [[x, y]...],
  //  "pr": [[recall, precision]...], "reliability": [{...}]}}. NaN -> null.
  nlohmann::json ToJson() const;
};

// Requires labels.size() == probabilities.size() (checked by the callers below).
Evaluation Evaluate(std::span<const float> labels, std::span<const double> probabilities,
                    std::span<const double> thresholds = kDefaultReportThresholds);

// Scores `valid` with the trained booster and its calibration, then
// evaluates. InvalidArgument when `valid`'s columns differ from the model's.
[[nodiscard]] StatusOr<Evaluation> EvaluateTrainedModel(
    const TrainedModel& model, const Dataset& valid,
    std::span<const double> thresholds = kDefaultReportThresholds);

}  // namespace vigil

#endif  // VIGIL_MODEL_EVALUATION_H_
