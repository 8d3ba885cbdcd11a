// Metrics for a binary classifier's scores: ROC-AUC, average precision,
// precision/recall at thresholds, ROC and PR curve points, reliability bins,
// log loss and Brier score. `labels` are 0/1 (a label > 0.5 counts as
// positive); `scores` are probabilities or any monotone score. Undefined
// values (AUC with a single class, precision with nothing flagged) are NaN,
// which JSON writes as null. Pure functions; thread-safe.
#ifndef VIGIL_MODEL_METRICS_H_
#define VIGIL_MODEL_METRICS_H_

#include <cstddef>
#include <span>
#include <vector>

namespace vigil {

// Labels above 0.5 are positive (fraud, abuse, refusal).
size_t CountPositives(std::span<const float> labels);

// Area under the ROC curve; tied scores share the average rank (so a
// constant score gives 0.5). NaN without both classes.
double RocAuc(std::span<const float> labels, std::span<const double> scores);

// Average precision as scikit-learn's average_precision_score: the sum over
// distinct thresholds of (R_k - R_{k-1}) * P_k. NaN without positives.
double AveragePrecision(std::span<const float> labels, std::span<const double> scores);

struct ThresholdMetrics {
  double threshold = 0;
  size_t flagged = 0;         // rows with score >= threshold
  size_t true_positives = 0;  // flagged positives
  double precision = 0;       // NaN when nothing is flagged
  double recall = 0;          // NaN without positives
  double flagged_share = 0;   // flagged / rows
};
ThresholdMetrics AtThreshold(std::span<const float> labels, std::span<const double> scores,
                             double threshold);

struct CurvePoint {
  double x = 0;
  double y = 0;
  double threshold = 0;  // the lowest score counted as flagged at this point
};
// (false positive rate, true positive rate) from (0,0) to (1,1), one point per
// distinct score, thinned to at most `max_points` (ends always kept).
std::vector<CurvePoint> RocCurve(std::span<const float> labels, std::span<const double> scores,
                                 size_t max_points = 200);
// (recall, precision), starting at (0, 1) as scikit-learn's curve ends.
std::vector<CurvePoint> PrCurve(std::span<const float> labels, std::span<const double> scores,
                                size_t max_points = 200);

struct ReliabilityBin {
  double lower = 0, upper = 0;  // [lower, upper); the last bin includes 1
  size_t count = 0;
  double mean_predicted = 0;
  double observed_rate = 0;
};
// `n_bins` equal-width bins of predicted probability; empty bins left out.
std::vector<ReliabilityBin> ReliabilityBins(std::span<const float> labels,
                                            std::span<const double> probabilities,
                                            size_t n_bins = 10);

// Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15].
double LogLoss(std::span<const float> labels, std::span<const double> probabilities);
// Mean squared error of probabilities.
double BrierScore(std::span<const float> labels, std::span<const double> probabilities);

}  // namespace vigil

#endif  // VIGIL_MODEL_METRICS_H_
