#include "model/tree_shap.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "model/flat_forest.h"
#include "model/forest_oracle_for_test.h"

namespace vigil {
namespace {

using testing::Depthwise;
using testing::MakeRandomRows;
using testing::OracleBooster;
using testing::OracleMatrix;
using testing::Params;
using testing::RandomRows;
using testing::ScoringRows;
using testing::With;

// Every kernel this CPU can run, the fastest first.
std::vector<ForestKernel> SupportedKernels() {
  std::vector<ForestKernel> kernels;
  for (ForestKernel k : {ForestKernel::kAvx512, ForestKernel::kAvx2, ForestKernel::kPortable}) {
    if (ResolveForestKernel(k) == k) kernels.push_back(k);
  }
  return kernels;
}

struct ShapCase {
  std::string name;
  size_t rows;
  size_t cols;
  double missing_rate;
  int rounds;
  Params params;
  size_t scored_rows = 150;
};

class TreeShapMatchesXgboost : public ::testing::TestWithParam<ShapCase> {};

TEST_P(TreeShapMatchesXgboost, ContributionsEqualPredContribsAndSumToMargin) {
  const ShapCase& c = GetParam();
  const RandomRows train = MakeRandomRows(c.rows, c.cols, c.missing_rate, 5);
  ASSERT_OK_AND_ASSIGN(auto dtrain, OracleMatrix::FromRows(train, /*with_labels=*/true));
  ASSERT_OK_AND_ASSIGN(auto booster, OracleBooster::Train(dtrain, c.params, c.rounds));
  ASSERT_OK_AND_ASSIGN(std::string json, booster.ModelJson());
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(json));
  const RandomRows rows = ScoringRows(train, c.scored_rows, 31, 50);
  ASSERT_OK_AND_ASSIGN(auto scoring, OracleMatrix::FromRows(rows, /*with_labels=*/false));
  ASSERT_OK_AND_ASSIGN(std::vector<float> expected, booster.Contributions(scoring));
  ASSERT_EQ(expected.size(), rows.rows * (c.cols + 1));

  for (ForestKernel kernel : SupportedKernels()) {
    SCOPED_TRACE(ForestKernelName(kernel));
    const TreeShap shap(forest, kernel);
    ASSERT_EQ(shap.num_features(), c.cols);
    ASSERT_EQ(shap.kernel(), kernel);
    std::vector<double> phi(c.cols + 1);
    double worst = 0;
    for (size_t i = 0; i < rows.rows; ++i) {
      shap.Explain(rows.row(i), phi.data());
      double sum = 0;
      for (size_t j = 0; j <= c.cols; ++j) {
        const double want = expected[i * (c.cols + 1) + j];
        worst = std::max(worst, std::abs(phi[j] - want));
        ASSERT_NEAR(phi[j], want, 1e-5) << "row " << i << " feature " << j;
        sum += phi[j];
      }
      ASSERT_NEAR(sum, forest.PredictMargin(rows.row(i)), 1e-5) << "row " << i;
    }
    RecordProperty(fmt::format("{}_max_abs_difference", ForestKernelName(kernel)),
                   fmt::format("{:.2e}", worst));
  }
}

INSTANTIATE_TEST_SUITE_P(
    RandomForests, TreeShapMatchesXgboost,
    ::testing::Values(
        ShapCase{"Depth1", 400, 5, 0.1, 40, Depthwise(1)},
        // More than 63 features: row values come from memory, not registers.
        ShapCase{"ManyFeatures", 600, 90, 0.2, 40, Depthwise(6)},
        ShapCase{"Depth2Exact", 400, 6, 0.1, 30, Depthwise(2, "exact")},
        ShapCase{"Depth3Approx", 400, 7, 0.2, 30, Depthwise(3, "approx")},
        ShapCase{"Depth4", 500, 8, 0.1, 40, Depthwise(4)},
        ShapCase{"Depth5NoMissingInTraining", 500, 9, 0.0, 30, Depthwise(5)},
        ShapCase{"Depth6Hundreds", 2000, 20, 0.15, 300, Depthwise(6), 60},
        ShapCase{"Depth7Exact", 800, 10, 0.1, 20, Depthwise(7, "exact")},
        ShapCase{"Depth8", 1000, 12, 0.2, 25, Depthwise(8)},
        ShapCase{"Depth9", 1500, 12, 0.1, 20, Depthwise(9)},
        ShapCase{"Depth10", 2000, 15, 0.1, 15, Depthwise(10, "exact")},
        // Three features and deep trees: most splits repeat a feature above them.
        ShapCase{"RepeatedFeaturesDeep", 1500, 3, 0.15, 30, Depthwise(8)},
        ShapCase{"LossguideUnbalanced", 2000, 10, 0.1, 30,
                 With(Depthwise(0), {{"grow_policy", "lossguide"}, {"max_leaves", "48"}})},
        ShapCase{
            "MixedDepthsBySampling", 600, 8, 0.3, 41,
            With(Depthwise(6),
                 {{"subsample", "0.5"}, {"colsample_bytree", "0.6"}, {"min_child_weight", "8"}})},
        ShapCase{"SingleLeafTrees", 300, 4, 0.1, 10, With(Depthwise(4), {{"gamma", "1e9"}})},
        ShapCase{"SquaredErrorBaseScore",
                 500,
                 6,
                 0.1,
                 20,
                 {{"objective", "reg:squarederror"}, {"max_depth", "5"}, {"base_score", "3.7"}}},
        ShapCase{"RandomForestParallelTrees", 500, 6, 0.1, 5,
                 With(Depthwise(5), {{"num_parallel_tree", "4"}, {"subsample", "0.7"}})}),
    [](const auto& info) { return info.param.name; });

TEST(TreeShapTest, FastestKernelIsTheFirstSupported) {
  EXPECT_EQ(ResolveForestKernel(ForestKernel::kFastest), SupportedKernels().front());
}

// Trees of up to 8 levels take the lane-parallel kernel, deeper ones the
// scalar one, whatever the instruction set.
TEST(TreeShapTest, ExplainsShallowTreesLaneParallelAndDeepTreesOneByOne) {
  const RandomRows train = MakeRandomRows(3000, 12, 0.1, 4);
  ASSERT_OK_AND_ASSIGN(auto dtrain, OracleMatrix::FromRows(train, /*with_labels=*/true));
  ASSERT_OK_AND_ASSIGN(auto booster, OracleBooster::Train(dtrain, Depthwise(12), 4));
  ASSERT_OK_AND_ASSIGN(std::string json, booster.ModelJson());
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(json));
  size_t shallow = 0;
  for (const ForestTree& tree : forest.trees()) shallow += tree.depth <= 8 ? 1 : 0;
  ASSERT_LT(shallow, forest.num_trees());
  for (ForestKernel kernel : SupportedKernels()) {
    // Groups are 16 consecutive trees; here there is one, and it is deep.
    EXPECT_EQ(TreeShap(forest, kernel).vectorized_trees(), 0u) << ForestKernelName(kernel);
  }
}

// A thread's working memory serves every model it explains: a narrow model
// first (a return's 45 features), then a wider one (an order's 50), must
// give the wider model's own values (it overflowed the rows once).
TEST(TreeShapTest, OneThreadExplainsANarrowModelThenAWideOne) {
  auto train_forest = [](size_t cols, uint64_t seed) {
    const RandomRows train = MakeRandomRows(400, cols, 0.1, seed);
    auto dtrain = OracleMatrix::FromRows(train, /*with_labels=*/true).value();
    auto booster = OracleBooster::Train(dtrain, {{"max_depth", "4"}}, 20).value();
    return std::make_pair(train, FlatForest::FromModelJson(booster.ModelJson().value()).value());
  };
  const auto [narrow_rows, narrow] = train_forest(45, 3);
  const auto [wide_rows, wide] = train_forest(50, 4);
  const TreeShap narrow_shap(narrow), wide_shap(wide);
  std::vector<double> expected(wide.num_features() + 1), seen(expected.size()),
      scratch(narrow.num_features() + 1);
  // By pointer: clang 14 cannot capture a structured binding in a lambda.
  const float* narrow_row = narrow_rows.row(0);
  const float* wide_row = wide_rows.row(0);
  std::thread([&] { wide_shap.Explain(wide_row, expected.data()); }).join();
  std::thread([&] {
    narrow_shap.Explain(narrow_row, scratch.data());
    wide_shap.Explain(wide_row, seen.data());
  }).join();
  EXPECT_EQ(seen, expected);
}

TEST(TreeShapTest, ExplainsFromManyThreadsAtOnce) {
  const RandomRows train = MakeRandomRows(500, 8, 0.1, 9);
  ASSERT_OK_AND_ASSIGN(auto dtrain, OracleMatrix::FromRows(train, /*with_labels=*/true));
  ASSERT_OK_AND_ASSIGN(auto booster, OracleBooster::Train(dtrain, {{"max_depth", "5"}}, 40));
  ASSERT_OK_AND_ASSIGN(std::string json, booster.ModelJson());
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(json));
  const TreeShap shap(forest);
  const size_t width = train.cols + 1;
  std::vector<double> expected(train.rows * width);
  for (size_t i = 0; i < train.rows; ++i) shap.Explain(train.row(i), &expected[i * width]);
  std::vector<std::vector<double>> seen(4, std::vector<double>(expected.size()));
  std::vector<std::thread> threads;
  for (auto& values : seen) {
    threads.emplace_back([&, &values = values] {
      for (size_t i = 0; i < train.rows; ++i) shap.Explain(train.row(i), &values[i * width]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& values : seen) EXPECT_EQ(values, expected);
}

}  // namespace
}  // namespace vigil
