#include "model/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsPositive(float label) { return label > 0.5f; }

// NaN scores sort as the lowest, keeping the comparison a strict weak order.
double SortKey(double score) {
  return std::isnan(score) ? -std::numeric_limits<double>::infinity() : score;
}

// Cumulative counts after flagging every row scoring >= threshold, one entry
// per distinct score, highest threshold first.
struct Cut {
  double threshold;
  size_t true_positives;
  size_t false_positives;
};

std::vector<Cut> DistinctCuts(std::span<const float> labels, std::span<const double> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t i, size_t j) { return SortKey(scores[i]) > SortKey(scores[j]); });
  std::vector<Cut> cuts;
  size_t tp = 0, fp = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    (IsPositive(labels[order[k]]) ? tp : fp) += 1;
    const bool last_of_tie =
        k + 1 == order.size() || SortKey(scores[order[k + 1]]) != SortKey(scores[order[k]]);
    if (last_of_tie) cuts.push_back({scores[order[k]], tp, fp});
  }
  return cuts;
}

std::vector<CurvePoint> Thin(std::vector<CurvePoint> points, size_t max_points) {
  if (points.size() <= max_points || max_points < 2) return points;
  std::vector<CurvePoint> kept;
  const double stride = static_cast<double>(points.size() - 1) / (max_points - 1);
  for (size_t i = 0; i < max_points; ++i) {
    kept.push_back(points[static_cast<size_t>(std::llround(i * stride))]);
  }
  return kept;
}

}  // namespace

size_t CountPositives(std::span<const float> labels) {
  return std::count_if(labels.begin(), labels.end(), IsPositive);
}

double RocAuc(std::span<const float> labels, std::span<const double> scores) {
  const size_t n = labels.size();
  const size_t positives = CountPositives(labels);
  if (positives == 0 || positives == n) return kNaN;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t i, size_t j) { return SortKey(scores[i]) < SortKey(scores[j]); });
  double positive_rank_sum = 0;
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && SortKey(scores[order[end]]) == SortKey(scores[order[start]])) ++end;
    const double average_rank = (start + 1 + end) / 2.0;  // ranks start+1 .. end
    for (size_t k = start; k < end; ++k) {
      if (IsPositive(labels[order[k]])) positive_rank_sum += average_rank;
    }
    start = end;
  }
  const double p = static_cast<double>(positives), q = static_cast<double>(n - positives);
  return (positive_rank_sum - p * (p + 1) / 2) / (p * q);
}

double AveragePrecision(std::span<const float> labels, std::span<const double> scores) {
  const size_t positives = CountPositives(labels);
  if (positives == 0) return kNaN;
  double ap = 0, previous_recall = 0;
  for (const Cut& cut : DistinctCuts(labels, scores)) {
    const double recall = static_cast<double>(cut.true_positives) / positives;
    const double precision =
        static_cast<double>(cut.true_positives) / (cut.true_positives + cut.false_positives);
    ap += (recall - previous_recall) * precision;
    previous_recall = recall;
  }
  return ap;
}

ThresholdMetrics AtThreshold(std::span<const float> labels, std::span<const double> scores,
                             double threshold) {
  ThresholdMetrics m;
  m.threshold = threshold;
  size_t positives = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool positive = IsPositive(labels[i]);
    positives += positive;
    if (scores[i] >= threshold) {
      ++m.flagged;
      m.true_positives += positive;
    }
  }
  m.precision = m.flagged == 0 ? kNaN : static_cast<double>(m.true_positives) / m.flagged;
  m.recall = positives == 0 ? kNaN : static_cast<double>(m.true_positives) / positives;
  m.flagged_share = labels.empty() ? kNaN : static_cast<double>(m.flagged) / labels.size();
  return m;
}

std::vector<CurvePoint> RocCurve(std::span<const float> labels, std::span<const double> scores,
                                 size_t max_points) {
  const size_t positives = CountPositives(labels);
  const size_t negatives = labels.size() - positives;
  if (positives == 0 || negatives == 0) return {};
  std::vector<CurvePoint> points = {{0, 0, std::numeric_limits<double>::infinity()}};
  for (const Cut& cut : DistinctCuts(labels, scores)) {
    points.push_back({static_cast<double>(cut.false_positives) / negatives,
                      static_cast<double>(cut.true_positives) / positives, cut.threshold});
  }
  return Thin(std::move(points), max_points);
}

std::vector<CurvePoint> PrCurve(std::span<const float> labels, std::span<const double> scores,
                                size_t max_points) {
  const size_t positives = CountPositives(labels);
  if (positives == 0) return {};
  std::vector<CurvePoint> points = {{0, 1, std::numeric_limits<double>::infinity()}};
  for (const Cut& cut : DistinctCuts(labels, scores)) {
    points.push_back(
        {static_cast<double>(cut.true_positives) / positives,
         static_cast<double>(cut.true_positives) / (cut.true_positives + cut.false_positives),
         cut.threshold});
  }
  return Thin(std::move(points), max_points);
}

std::vector<ReliabilityBin> ReliabilityBins(std::span<const float> labels,
                                            std::span<const double> probabilities, size_t n_bins) {
  std::vector<ReliabilityBin> bins(n_bins);
  std::vector<double> sum_p(n_bins, 0), sum_y(n_bins, 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(probabilities[i], 0.0, 1.0);
    const size_t b = std::min(static_cast<size_t>(p * n_bins), n_bins - 1);
    ++bins[b].count;
    sum_p[b] += p;
    sum_y[b] += IsPositive(labels[i]);
  }
  std::vector<ReliabilityBin> nonempty;
  for (size_t b = 0; b < n_bins; ++b) {
    if (bins[b].count == 0) continue;
    ReliabilityBin bin = bins[b];
    bin.lower = static_cast<double>(b) / n_bins;
    bin.upper = static_cast<double>(b + 1) / n_bins;
    bin.mean_predicted = sum_p[b] / bin.count;
    bin.observed_rate = sum_y[b] / bin.count;
    nonempty.push_back(bin);
  }
  return nonempty;
}

double LogLoss(std::span<const float> labels, std::span<const double> probabilities) {
  if (labels.empty()) return kNaN;
  constexpr double kEps = 1e-15;
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(probabilities[i], kEps, 1 - kEps);
    total -= IsPositive(labels[i]) ? std::log(p) : std::log1p(-p);
  }
  return total / labels.size();
}

double BrierScore(std::span<const float> labels, std::span<const double> probabilities) {
  if (labels.empty()) return kNaN;
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double d = probabilities[i] - (IsPositive(labels[i]) ? 1.0 : 0.0);
    total += d * d;
  }
  return total / labels.size();
}

}  // namespace vigil
