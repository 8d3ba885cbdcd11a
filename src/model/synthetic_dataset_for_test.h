// Test-only: a synthetic, separable-but-noisy binary dataset with a known
// logistic truth, rows in time order, about 12% positives and some missing
// values. Used by the model layer's tests.
#ifndef VIGIL_MODEL_SYNTHETIC_DATASET_FOR_TEST_H_
#define VIGIL_MODEL_SYNTHETIC_DATASET_FOR_TEST_H_

#include <cmath>
#include <random>
#include <string>

#include "model/dataset.h"

namespace vigil::testing {

// The true log-odds of a row of the synthetic dataset.
inline double SyntheticLogOdds(const float* x) {
  const double x2 = std::isnan(x[2]) ? 0.0 : x[2];
  return -2.6 + 1.3 * x[0] - 0.9 * x[1] + 0.7 * x2 * x[3] + 0.6 * std::sin(2.0 * x[4]);
}

// `rows` rows one minute apart from `start`; feature 5 is pure noise.
inline Dataset MakeSyntheticDataset(size_t rows, uint32_t seed, Timestamp start = 1'760'000'000) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  Dataset d;
  d.feature_names = {"x0", "x1", "x2", "x3", "x4", "noise"};
  float x[6];
  for (size_t i = 0; i < rows; ++i) {
    for (float& v : x) v = normal(rng);
    if (uniform(rng) < 0.1) x[2] = NAN;
    const double p = 1.0 / (1.0 + std::exp(-SyntheticLogOdds(x)));
    const float label = uniform(rng) < p ? 1.0f : 0.0f;
    d.AddRow(x, label, start + static_cast<Timestamp>(i) * 60, "row" + std::to_string(i));
  }
  return d;
}

}  // namespace vigil::testing

#endif  // VIGIL_MODEL_SYNTHETIC_DATASET_FOR_TEST_H_
