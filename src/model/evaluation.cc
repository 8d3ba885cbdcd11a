#include "model/evaluation.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "model/xgboost_handles.h"

namespace vigil {
namespace {

// nlohmann writes NaN as null; make that explicit and keep numbers short.
nlohmann::json Number(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

nlohmann::json CurveJson(const std::vector<CurvePoint>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const CurvePoint& p : points) out.push_back({p.x, p.y});
  return out;
}

}  // namespace

nlohmann::json Evaluation::ToJson() const {
  nlohmann::json thresholds_json = nlohmann::json::array();
  for (const ThresholdMetrics& t : thresholds) {
    thresholds_json.push_back({{"threshold", t.threshold},
                               {"precision", Number(t.precision)},
                               {"recall", Number(t.recall)},
                               {"flagged_share", Number(t.flagged_share)},
                               {"flagged", t.flagged},
                               {"true_positives", t.true_positives}});
  }
  nlohmann::json reliability_json = nlohmann::json::array();
  for (const ReliabilityBin& b : reliability) {
    reliability_json.push_back({{"lower", b.lower},
                                {"upper", b.upper},
                                {"count", b.count},
                                {"mean_predicted", b.mean_predicted},
                                {"observed_rate", b.observed_rate}});
  }
  return {{"rows", rows},
          {"positives", positives},
          {"positive_rate", Number(positive_rate)},
          {"mean_predicted", Number(mean_predicted)},
          {"roc_auc", Number(roc_auc)},
          {"pr_auc", Number(pr_auc)},
          {"log_loss", Number(log_loss)},
          {"brier", Number(brier)},
          {"thresholds", thresholds_json},
          {"curves",
           {{"roc", CurveJson(roc_curve)},
            {"pr", CurveJson(pr_curve)},
            {"reliability", reliability_json}}}};
}

Evaluation Evaluate(std::span<const float> labels, std::span<const double> probabilities,
                    std::span<const double> thresholds) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Evaluation e;
  e.rows = labels.size();
  double sum_p = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    e.positives += labels[i] > 0.5f;
    sum_p += probabilities[i];
  }
  e.positive_rate = e.rows == 0 ? kNaN : static_cast<double>(e.positives) / e.rows;
  e.mean_predicted = e.rows == 0 ? kNaN : sum_p / e.rows;
  e.roc_auc = RocAuc(labels, probabilities);
  e.pr_auc = AveragePrecision(labels, probabilities);
  e.log_loss = LogLoss(labels, probabilities);
  e.brier = BrierScore(labels, probabilities);
  for (double t : thresholds) e.thresholds.push_back(AtThreshold(labels, probabilities, t));
  e.roc_curve = RocCurve(labels, probabilities);
  e.pr_curve = PrCurve(labels, probabilities);
  e.reliability = ReliabilityBins(labels, probabilities);
  return e;
}

StatusOr<Evaluation> EvaluateTrainedModel(const TrainedModel& model, const Dataset& valid,
                                          std::span<const double> thresholds) {
  if (valid.feature_names != model.feature_names) {
    return absl::InvalidArgumentError(fmt::format(
        "validation rows have {} features that differ from the model's {} (names or order)",
        valid.cols(), model.feature_names.size()));
  }
  if (valid.values.size() != valid.rows() * valid.cols()) {
    return absl::InvalidArgumentError("malformed validation dataset");
  }
  ASSIGN_OR_RETURN(Booster booster, Booster::FromModelJson(model.model_json));
  ASSIGN_OR_RETURN(std::vector<float> margins,
                   booster.PredictDenseMargins(valid.values.data(), valid.rows(), valid.cols()));
  std::vector<double> probabilities;
  probabilities.reserve(margins.size());
  for (float m : margins) probabilities.push_back(model.calibration.Apply(m));
  return Evaluate(valid.labels, probabilities, thresholds);
}

}  // namespace vigil
