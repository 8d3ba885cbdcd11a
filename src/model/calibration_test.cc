#include "model/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace vigil {
namespace {

TEST(CalibrationTest, AppliesLogisticOfAffineMargin) {
  Calibration c;
  c.a = 2;
  c.b = -1;
  EXPECT_DOUBLE_EQ(c.Apply(0.5), 0.5);
  EXPECT_DOUBLE_EQ(c.Apply(1.0), 1 / (1 + std::exp(-1.0)));
  EXPECT_DOUBLE_EQ(c.Apply(-1000), 0.0);
  EXPECT_DOUBLE_EQ(c.Apply(1000), 1.0);
}

TEST(CalibrationTest, DefaultIsTheBoostersOwnSigmoid) {
  EXPECT_DOUBLE_EQ(Calibration().Apply(0.3), 1 / (1 + std::exp(-0.3)));
}

TEST(CalibrationTest, JsonRoundTrip) {
  Calibration c;
  c.a = 0.75;
  c.b = -2.5;
  auto back = Calibration::FromJson(c.ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->method, "platt");
  EXPECT_EQ(back->a, 0.75);
  EXPECT_EQ(back->b, -2.5);
}

TEST(CalibrationTest, FromJsonNamesTheBadField) {
  auto no_b = Calibration::FromJson({{"method", "platt"}, {"a", 1}});
  EXPECT_EQ(no_b.status().message(), "calibration.b must be a finite number");
  auto method = Calibration::FromJson({{"method", "isotonic"}, {"a", 1}, {"b", 0}});
  EXPECT_EQ(method.status().message(), "calibration.method must be \"platt\"");
}

TEST(FitPlattTest, RecoversTheGeneratingLogisticCurve) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  std::vector<float> margins, labels;
  for (int i = 0; i < 20000; ++i) {
    float m = 1.5f * normal(rng);
    margins.push_back(m);
    labels.push_back(uniform(rng) < 1 / (1 + std::exp(-(0.5 * m - 1.0))) ? 1.0f : 0.0f);
  }
  auto c = FitPlatt(margins, labels);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_NEAR(c->a, 0.5, 0.05);
  EXPECT_NEAR(c->b, -1.0, 0.05);
}

TEST(FitPlattTest, MeanProbabilityMatchesSmoothedTargetsAtTheOptimum) {
  std::vector<float> margins = {-2, -1, -0.5, 0, 0.5, 1, 2, 3};
  std::vector<float> labels = {0, 0, 1, 0, 0, 1, 1, 1};
  auto c = FitPlatt(margins, labels);
  ASSERT_TRUE(c.ok()) << c.status();
  // The gradient in b is sum(p - t): zero at the optimum.
  double sum_p = 0, sum_t = 0;
  for (size_t i = 0; i < margins.size(); ++i) {
    sum_p += c->Apply(margins[i]);
    sum_t += labels[i] > 0.5f ? 5.0 / 6.0 : 1.0 / 6.0;
  }
  EXPECT_NEAR(sum_p, sum_t, 1e-6);
  EXPECT_GT(c->a, 0);
}

TEST(FitPlattTest, SeparableDataStaysFinite) {
  std::vector<float> margins = {-3, -2, -1, 1, 2, 3};
  std::vector<float> labels = {0, 0, 0, 1, 1, 1};
  auto c = FitPlatt(margins, labels);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(std::isfinite(c->a) && std::isfinite(c->b));
  EXPECT_LT(c->Apply(3), 0.95);  // smoothed targets keep it from saturating
}

TEST(FitPlattTest, RejectsSingleClass) {
  std::vector<float> margins = {0, 1};
  std::vector<float> labels = {1, 1};
  EXPECT_EQ(FitPlatt(margins, labels).status().message(),
            "Platt scaling needs both classes; got 2 positive and 0 negative rows");
}

TEST(FitPlattTest, RejectsLengthMismatch) {
  std::vector<float> margins = {0, 1};
  std::vector<float> labels = {1};
  EXPECT_EQ(FitPlatt(margins, labels).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
