#include "model/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil {
namespace {

// scikit-learn's documentation example.
const std::vector<float> kLabels = {0, 0, 1, 1};
const std::vector<double> kScores = {0.1, 0.4, 0.35, 0.8};

// Three positives, two negatives, a three-way tie at 0.5.
const std::vector<float> kTieLabels = {1, 0, 1, 0, 1};
const std::vector<double> kTieScores = {0.5, 0.5, 0.9, 0.1, 0.5};

TEST(RocAucTest, CountsOrderedPairs) { EXPECT_DOUBLE_EQ(RocAuc(kLabels, kScores), 0.75); }

TEST(RocAucTest, TiesCountHalf) {
  // Pairs won: 0.9 beats both (2); each 0.5 ties one and beats one (1.5 + 1.5).
  EXPECT_DOUBLE_EQ(RocAuc(kTieLabels, kTieScores), 5.0 / 6.0);
}

TEST(RocAucTest, ConstantScoreIsOneHalf) {
  std::vector<double> constant(4, 0.3);
  EXPECT_DOUBLE_EQ(RocAuc(kLabels, constant), 0.5);
}

TEST(RocAucTest, PerfectAndReversedRanking) {
  std::vector<double> perfect = {0.1, 0.2, 0.3, 0.4};
  std::vector<double> reversed = {0.4, 0.3, 0.2, 0.1};
  EXPECT_DOUBLE_EQ(RocAuc(kLabels, perfect), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc(kLabels, reversed), 0.0);
}

TEST(RocAucTest, SingleClassIsNaN) {
  std::vector<float> ones = {1, 1};
  std::vector<double> scores = {0.2, 0.9};
  EXPECT_TRUE(std::isnan(RocAuc(ones, scores)));
}

TEST(AveragePrecisionTest, MatchesStepwiseDefinition) {
  // Cuts: 0.8 -> R 1/2 P 1; 0.4 -> R 1/2; 0.35 -> R 1 P 2/3.
  EXPECT_DOUBLE_EQ(AveragePrecision(kLabels, kScores), 0.5 + 0.5 * 2.0 / 3.0);
}

TEST(AveragePrecisionTest, TiedScoresFormOneStep) {
  // Cuts: 0.9 -> R 1/3 P 1; 0.5 -> R 1 P 3/4.
  EXPECT_DOUBLE_EQ(AveragePrecision(kTieLabels, kTieScores), 1.0 / 3.0 + 2.0 / 3.0 * 0.75);
}

TEST(AveragePrecisionTest, ConstantScoreIsThePositiveRate) {
  std::vector<double> constant(5, 0.7);
  EXPECT_DOUBLE_EQ(AveragePrecision(kTieLabels, constant), 0.6);
}

TEST(AveragePrecisionTest, NoPositivesIsNaN) {
  std::vector<float> zeros = {0, 0};
  std::vector<double> scores = {0.2, 0.9};
  EXPECT_TRUE(std::isnan(AveragePrecision(zeros, scores)));
}

TEST(AtThresholdTest, FlagsScoresAtOrAboveThreshold) {
  ThresholdMetrics m = AtThreshold(kLabels, kScores, 0.35);
  EXPECT_EQ(m.flagged, 3u);
  EXPECT_EQ(m.true_positives, 2u);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_DOUBLE_EQ(m.flagged_share, 0.75);
}

TEST(AtThresholdTest, NothingFlaggedHasUndefinedPrecision) {
  ThresholdMetrics m = AtThreshold(kLabels, kScores, 0.9);
  EXPECT_EQ(m.flagged, 0u);
  EXPECT_TRUE(std::isnan(m.precision));
  EXPECT_DOUBLE_EQ(m.recall, 0.0);
  EXPECT_DOUBLE_EQ(m.flagged_share, 0.0);
}

std::vector<std::pair<double, double>> Xy(const std::vector<CurvePoint>& points) {
  std::vector<std::pair<double, double>> xy;
  for (const CurvePoint& p : points) xy.emplace_back(p.x, p.y);
  return xy;
}

TEST(RocCurveTest, OnePointPerDistinctScore) {
  std::vector<std::pair<double, double>> expected = {
      {0, 0}, {0, 0.5}, {0.5, 0.5}, {0.5, 1}, {1, 1}};
  EXPECT_EQ(Xy(RocCurve(kLabels, kScores)), expected);
}

TEST(RocCurveTest, TiesMoveDiagonally) {
  std::vector<std::pair<double, double>> expected = {{0, 0}, {0, 1.0 / 3}, {0.5, 1}, {1, 1}};
  EXPECT_EQ(Xy(RocCurve(kTieLabels, kTieScores)), expected);
}

TEST(RocCurveTest, ThinsToMaxPointsKeepingEnds) {
  std::vector<float> labels;
  std::vector<double> scores;
  for (int i = 0; i < 1000; ++i) {
    labels.push_back(i % 3 == 0 ? 1.0f : 0.0f);
    scores.push_back(i * 0.001);
  }
  auto curve = RocCurve(labels, scores, 50);
  ASSERT_EQ(curve.size(), 50u);
  EXPECT_EQ(curve.front().x, 0.0);
  EXPECT_EQ(curve.front().y, 0.0);
  EXPECT_EQ(curve.back().x, 1.0);
  EXPECT_EQ(curve.back().y, 1.0);
}

TEST(PrCurveTest, StartsAtFullPrecisionAndWalksThresholds) {
  std::vector<std::pair<double, double>> expected = {
      {0, 1}, {0.5, 1}, {0.5, 0.5}, {1, 2.0 / 3.0}, {1, 0.5}};
  EXPECT_EQ(Xy(PrCurve(kLabels, kScores)), expected);
}

TEST(ReliabilityBinsTest, GroupsByPredictedProbability) {
  std::vector<float> labels = {0, 1, 0, 1, 1};
  std::vector<double> probabilities = {0.05, 0.15, 0.12, 0.95, 1.0};
  auto bins = ReliabilityBins(labels, probabilities, 10);
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins[0].count, 1u);
  EXPECT_DOUBLE_EQ(bins[0].lower, 0.0);
  EXPECT_DOUBLE_EQ(bins[0].observed_rate, 0.0);
  EXPECT_EQ(bins[1].count, 2u);
  EXPECT_DOUBLE_EQ(bins[1].mean_predicted, (0.15 + 0.12) / 2);
  EXPECT_DOUBLE_EQ(bins[1].observed_rate, 0.5);
  EXPECT_EQ(bins[2].count, 2u);  // 1.0 falls into the last bin
  EXPECT_DOUBLE_EQ(bins[2].upper, 1.0);
  EXPECT_DOUBLE_EQ(bins[2].mean_predicted, 0.975);
}

TEST(LogLossTest, MeanNegativeLogLikelihood) {
  std::vector<float> labels = {1, 0};
  std::vector<double> probabilities = {0.8, 0.4};
  EXPECT_DOUBLE_EQ(LogLoss(labels, probabilities), -(std::log(0.8) + std::log(0.6)) / 2);
}

TEST(LogLossTest, ClipsCertainMistakes) {
  std::vector<float> labels = {1};
  std::vector<double> probabilities = {0.0};
  EXPECT_NEAR(LogLoss(labels, probabilities), -std::log(1e-15), 1e-9);
}

TEST(BrierScoreTest, MeanSquaredError) {
  std::vector<float> labels = {1, 0};
  std::vector<double> probabilities = {0.8, 0.4};
  EXPECT_DOUBLE_EQ(BrierScore(labels, probabilities), (0.04 + 0.16) / 2);
}

}  // namespace
}  // namespace vigil
