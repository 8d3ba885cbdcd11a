#include "model/flat_forest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "model/forest_oracle_for_test.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using testing::MakeRandomRows;
using testing::OracleBooster;
using testing::OracleMatrix;
using testing::Params;
using testing::RandomRows;

struct ForestCase {
  std::string name;
  size_t rows;
  size_t cols;
  double missing_rate;
  int rounds;
  Params params;
};

// Rows to score: training rows (values equal to split conditions) and fresh
// rows with more missing values, including one with every value missing.
RandomRows ScoringRows(const RandomRows& train, size_t fresh, uint32_t seed) {
  RandomRows rows = MakeRandomRows(fresh, train.cols, 0.3, seed);
  const size_t reused = std::min<size_t>(train.rows, 200);
  rows.values.insert(rows.values.end(), train.values.begin(),
                     train.values.begin() + reused * train.cols);
  rows.values.insert(rows.values.end(), train.cols, NAN);
  rows.rows += reused + 1;
  return rows;
}

class FlatForestMatchesXgboost : public ::testing::TestWithParam<ForestCase> {};

TEST_P(FlatForestMatchesXgboost, MarginsEqualXgboostPredictions) {
  const ForestCase& c = GetParam();
  const RandomRows train = MakeRandomRows(c.rows, c.cols, c.missing_rate, 11);
  ASSERT_OK_AND_ASSIGN(auto dtrain, OracleMatrix::FromRows(train, /*with_labels=*/true));
  ASSERT_OK_AND_ASSIGN(auto booster, OracleBooster::Train(dtrain, c.params, c.rounds));
  ASSERT_OK_AND_ASSIGN(std::string json, booster.ModelJson());
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(json));
  int trees_per_round = 1;
  for (const auto& [name, value] : c.params) {
    if (name == "num_parallel_tree") trees_per_round = std::stoi(value);
  }
  EXPECT_EQ(forest.num_trees(), static_cast<size_t>(c.rounds * trees_per_round));
  EXPECT_EQ(forest.num_features(), c.cols);

  const RandomRows rows = ScoringRows(train, 300, 23);
  ASSERT_OK_AND_ASSIGN(auto scoring, OracleMatrix::FromRows(rows, /*with_labels=*/false));
  ASSERT_OK_AND_ASSIGN(std::vector<float> expected, booster.Margins(scoring));
  ASSERT_OK_AND_ASSIGN(std::vector<float> in_place,
                       booster.InPlaceMargins(rows.values.data(), rows.rows, rows.cols));
  std::vector<double> margins;
  forest.PredictMargins(rows.values.data(), rows.rows, &margins);
  ASSERT_EQ(margins.size(), rows.rows);
  for (size_t i = 0; i < rows.rows; ++i) {
    ASSERT_EQ(margins[i], expected[i]) << "row " << i;
    ASSERT_EQ(margins[i], in_place[i]) << "row " << i;
    ASSERT_EQ(forest.PredictMargin(rows.row(i)), margins[i]) << "row " << i;
  }
}

Params Depthwise(int depth, std::string method = "hist") {
  return {{"objective", "binary:logistic"},
          {"max_depth", std::to_string(depth)},
          {"tree_method", std::move(method)},
          {"eta", "0.3"}};
}

Params With(Params params, const Params& more) {
  params.insert(params.end(), more.begin(), more.end());
  return params;
}

INSTANTIATE_TEST_SUITE_P(
    RandomForests, FlatForestMatchesXgboost,
    ::testing::Values(
        ForestCase{"Depth1", 400, 5, 0.1, 40, Depthwise(1)},
        ForestCase{"Depth2Exact", 400, 6, 0.1, 30, Depthwise(2, "exact")},
        ForestCase{"Depth3Approx", 400, 7, 0.2, 30, Depthwise(3, "approx")},
        ForestCase{"Depth4", 500, 8, 0.1, 40, Depthwise(4)},
        ForestCase{"Depth5NoMissingInTraining", 500, 9, 0.0, 30, Depthwise(5)},
        ForestCase{"Depth6Hundreds", 2000, 20, 0.15, 300, Depthwise(6)},
        ForestCase{"Depth7Exact", 800, 10, 0.1, 20, Depthwise(7, "exact")},
        ForestCase{"Depth8", 1000, 12, 0.2, 25, Depthwise(8)},
        ForestCase{"Depth9", 1500, 12, 0.1, 20, Depthwise(9)},
        ForestCase{"Depth10", 2000, 15, 0.1, 15, Depthwise(10, "exact")},
        ForestCase{"LossguideUnbalanced", 2000, 10, 0.1, 30,
                   With(Depthwise(0), {{"grow_policy", "lossguide"}, {"max_leaves", "48"}})},
        ForestCase{
            "MixedDepthsBySampling", 600, 8, 0.3, 41,
            With(Depthwise(6),
                 {{"subsample", "0.5"}, {"colsample_bytree", "0.6"}, {"min_child_weight", "8"}})},
        ForestCase{"LogisticBaseScore", 500, 6, 0.1, 20,
                   With(Depthwise(4), {{"base_score", "0.2"}})},
        ForestCase{"SquaredErrorBaseScore",
                   500,
                   6,
                   0.1,
                   20,
                   {{"objective", "reg:squarederror"}, {"max_depth", "5"}, {"base_score", "3.7"}}},
        ForestCase{
            "Poisson", 500, 6, 0.1, 20, {{"objective", "count:poisson"}, {"max_depth", "4"}}},
        ForestCase{"RandomForestParallelTrees", 500, 6, 0.1, 5,
                   With(Depthwise(5), {{"num_parallel_tree", "4"}, {"subsample", "0.7"}})}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace vigil
