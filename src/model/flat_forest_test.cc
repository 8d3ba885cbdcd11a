#include "model/flat_forest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "model/forest_oracle_for_test.h"

namespace vigil {
namespace {

using testing::Depthwise;
using ::testing::HasSubstr;
using testing::MakeRandomRows;
using testing::OracleBooster;
using testing::OracleMatrix;
using testing::Params;
using testing::RandomRows;
using testing::ScoringRows;
using testing::With;

struct ForestCase {
  std::string name;
  size_t rows;
  size_t cols;
  double missing_rate;
  int rounds;
  Params params;
};

class FlatForestMatchesXgboost : public ::testing::TestWithParam<ForestCase> {};

// Margins are compared for exact equality: FlatForest adds the same float
// leaf values in the same order as XGBoost's predictor.
TEST_P(FlatForestMatchesXgboost, MarginsEqualXgboostPredictions) {
  const ForestCase& c = GetParam();
  const RandomRows train = MakeRandomRows(c.rows, c.cols, c.missing_rate, 11);
  ASSERT_OK_AND_ASSIGN(auto dtrain, OracleMatrix::FromRows(train, /*with_labels=*/true));
  ASSERT_OK_AND_ASSIGN(auto booster, OracleBooster::Train(dtrain, c.params, c.rounds));
  ASSERT_OK_AND_ASSIGN(std::string json, booster.ModelJson());
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(json));
  ASSERT_OK_AND_ASSIGN(FlatForest portable,
                       FlatForest::FromModelJson(json, ForestKernel::kPortable));
  int trees_per_round = 1;
  for (const auto& [name, value] : c.params) {
    if (name == "num_parallel_tree") trees_per_round = std::stoi(value);
  }
  EXPECT_EQ(forest.num_trees(), static_cast<size_t>(c.rounds * trees_per_round));
  EXPECT_EQ(forest.num_features(), c.cols);

  const RandomRows rows = ScoringRows(train, 300, 23, 200);
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
    ASSERT_EQ(portable.PredictMargin(rows.row(i)), margins[i]) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    RandomForests, FlatForestMatchesXgboost,
    ::testing::Values(
        ForestCase{"Depth1", 400, 5, 0.1, 40, Depthwise(1)},
        // More than 63 features: row values come from memory, not registers.
        ForestCase{"ManyFeatures", 600, 90, 0.2, 40, Depthwise(6)},
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

// A small real model to load, break and check.
class FlatForestModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    train_ = MakeRandomRows(300, 5, 0.1, 3);
    auto matrix = OracleMatrix::FromRows(train_, /*with_labels=*/true);
    ASSERT_TRUE(matrix.ok()) << matrix.status();
    auto booster = OracleBooster::Train(*matrix, Base(), 3);
    ASSERT_TRUE(booster.ok()) << booster.status();
    auto json = booster->ModelJson();
    ASSERT_TRUE(json.ok()) << json.status();
    model_ = nlohmann::json::parse(*json);
  }

  static Params Base() {
    return {{"objective", "binary:logistic"}, {"max_depth", "3"}, {"base_score", "0.2"}};
  }
  nlohmann::json& Tree0() { return model_["learner"]["gradient_booster"]["model"]["trees"][0]; }
  Status LoadStatus() const { return FlatForest::FromModelJson(model_.dump()).status(); }

  // Trains `params` on the fixture's rows; returns the model JSON.
  std::string TrainJson(const Params& params, const std::vector<float>& labels) {
    auto matrix = OracleMatrix::FromDense(train_.values.data(), train_.rows, train_.cols, labels);
    EXPECT_TRUE(matrix.ok()) << matrix.status();
    auto booster = OracleBooster::Train(*matrix, params, 2);
    EXPECT_TRUE(booster.ok()) << booster.status();
    auto json = booster->ModelJson();
    EXPECT_TRUE(json.ok()) << json.status();
    return json.ok() ? *json : "";
  }

  RandomRows train_;
  nlohmann::json model_;
};

TEST_F(FlatForestModelTest, BaseMarginIsXgboostsLogitOfBaseScore) {
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(model_.dump()));
  EXPECT_EQ(forest.base_margin(), -std::log(1.0f / 0.2f - 1.0f));
  EXPECT_EQ(forest.objective(), "binary:logistic");
  EXPECT_EQ(forest.num_features(), 5u);
  EXPECT_EQ(forest.num_trees(), 3u);
}

TEST_F(FlatForestModelTest, LoadsModelFile) {
  const std::string path = ::testing::TempDir() + "/flat_forest_model.json";
  {
    std::ofstream out(path);
    out << model_.dump();
  }
  ASSERT_OK_AND_ASSIGN(FlatForest from_file, FlatForest::FromFile(path));
  ASSERT_OK_AND_ASSIGN(FlatForest from_text, FlatForest::FromModelJson(model_.dump()));
  for (size_t i = 0; i < train_.rows; ++i) {
    EXPECT_EQ(from_file.PredictMargin(train_.row(i)), from_text.PredictMargin(train_.row(i)));
  }
  std::remove(path.c_str());
}

TEST_F(FlatForestModelTest, MissingFileIsNotFound) {
  const Status status = FlatForest::FromFile("/nonexistent/model.json").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "model file: cannot read /nonexistent/model.json: No such file or directory");
}

TEST_F(FlatForestModelTest, RejectsTextThatIsNotJson) {
  const Status status = FlatForest::FromModelJson("{\"learner\": ").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "the model is not valid JSON");
}

TEST_F(FlatForestModelTest, RejectsMissingField) {
  Tree0().erase("sum_hessian");
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "tree 0 has no field 'sum_hessian'");
}

TEST_F(FlatForestModelTest, RejectsArrayOfWrongLength) {
  Tree0()["split_conditions"].erase(0);
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tree 0.split_conditions is not an array of"));
}

TEST_F(FlatForestModelTest, RejectsFeatureOutsideTheModel) {
  Tree0()["split_indices"][0] = 99;
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "tree 0 node 0 splits on feature 99 but the model has 5 features");
}

TEST_F(FlatForestModelTest, RejectsNodeReachedTwice) {
  Tree0()["right_children"][0] = Tree0()["left_children"][0];
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "tree 0 node 1 is reached twice");
}

TEST_F(FlatForestModelTest, RejectsChildOutsideTheTree) {
  Tree0()["left_children"][0] = 1000;
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tree 0 node 0 has children 1000 and"));
}

TEST_F(FlatForestModelTest, RejectsCategoricalSplits) {
  Tree0()["split_type"][0] = 1;
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(),
            "tree 0 node 0 is a categorical split; only numerical splits are supported");
}

TEST_F(FlatForestModelTest, RejectsUnknownObjective) {
  model_["learner"]["objective"]["name"] = "reg:quantileerror";
  const Status status = LoadStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(), "objective 'reg:quantileerror' is not supported");
}

TEST_F(FlatForestModelTest, RejectsMultiClassModels) {
  std::vector<float> labels(train_.rows);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<float>(i % 3);
  const std::string json =
      TrainJson({{"objective", "multi:softprob"}, {"num_class", "3"}, {"max_depth", "2"}}, labels);
  const Status status = FlatForest::FromModelJson(json).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(), "the model has 3 classes; only single-output models are supported");
}

TEST_F(FlatForestModelTest, RejectsLinearBoosters) {
  const std::string json = TrainJson({{"booster", "gblinear"}}, train_.labels);
  const Status status = FlatForest::FromModelJson(json).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(), "booster 'gblinear' is not supported; only gbtree is");
}

TEST_F(FlatForestModelTest, RejectsDartBoosters) {
  const std::string json =
      TrainJson({{"booster", "dart"}, {"max_depth", "2"}, {"rate_drop", "0.5"}}, train_.labels);
  const Status status = FlatForest::FromModelJson(json).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(), "booster 'dart' is not supported; only gbtree is");
}

TEST_F(FlatForestModelTest, PredictsFromManyThreadsAtOnce) {
  ASSERT_OK_AND_ASSIGN(FlatForest forest, FlatForest::FromModelJson(model_.dump()));
  std::vector<double> expected;
  forest.PredictMargins(train_.values.data(), train_.rows, &expected);
  std::vector<std::vector<double>> seen(4, std::vector<double>(train_.rows));
  std::vector<std::thread> threads;
  for (auto& margins : seen) {
    threads.emplace_back([&forest, &margins, this] {
      for (size_t i = 0; i < train_.rows; ++i) margins[i] = forest.PredictMargin(train_.row(i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& margins : seen) EXPECT_EQ(margins, expected);
}

}  // namespace
}  // namespace vigil
