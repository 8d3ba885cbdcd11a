#include "model/evaluation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/synthetic_dataset_for_test.h"

namespace vigil {
namespace {

TEST(EvaluateTest, CollectsAllMetrics) {
  std::vector<float> labels = {0, 0, 1, 1};
  std::vector<double> p = {0.1, 0.4, 0.35, 0.8};
  std::vector<double> thresholds = {0.35, 0.5};
  Evaluation e = Evaluate(labels, p, thresholds);
  EXPECT_EQ(e.rows, 4u);
  EXPECT_EQ(e.positives, 2u);
  EXPECT_DOUBLE_EQ(e.positive_rate, 0.5);
  EXPECT_DOUBLE_EQ(e.mean_predicted, 1.65 / 4);
  EXPECT_DOUBLE_EQ(e.roc_auc, 0.75);
  EXPECT_DOUBLE_EQ(e.pr_auc, 0.5 + 0.5 * 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(e.brier, BrierScore(labels, p));
  ASSERT_EQ(e.thresholds.size(), 2u);
  EXPECT_EQ(e.thresholds[0].flagged, 3u);
  EXPECT_EQ(e.thresholds[1].flagged, 1u);
  EXPECT_EQ(e.roc_curve.size(), 5u);
}

TEST(EvaluateTest, JsonWritesUndefinedValuesAsNull) {
  std::vector<float> labels = {0, 0};
  std::vector<double> p = {0.2, 0.6};
  std::vector<double> thresholds = {0.9};
  nlohmann::json j = Evaluate(labels, p, thresholds).ToJson();
  EXPECT_TRUE(j["roc_auc"].is_null());
  EXPECT_TRUE(j["pr_auc"].is_null());
  EXPECT_TRUE(j["thresholds"][0]["precision"].is_null());
  EXPECT_EQ(j["thresholds"][0]["flagged"], 0);
  EXPECT_EQ(j["rows"], 2);
  EXPECT_DOUBLE_EQ(j["brier"].get<double>(), (0.04 + 0.36) / 2);
  EXPECT_TRUE(j["curves"]["roc"].empty());
}

TEST(EvaluateTest, EmptyValidationHasNoRates) {
  Evaluation e = Evaluate({}, {});
  EXPECT_EQ(e.rows, 0u);
  EXPECT_TRUE(std::isnan(e.positive_rate));
  EXPECT_TRUE(e.ToJson()["log_loss"].is_null());
}

TEST(EvaluateTrainedModelTest, RejectsDifferentFeatureColumns) {
  Dataset train = testing::MakeSyntheticDataset(400, 1);
  TrainOptions options;
  options.nthread = 1;
  options.max_rounds = 5;
  auto model = TrainModel(train, options);
  ASSERT_TRUE(model.ok()) << model.status();
  Dataset valid = testing::MakeSyntheticDataset(50, 2);
  auto good = EvaluateTrainedModel(*model, valid);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->rows, 50u);
  EXPECT_EQ(good->thresholds.size(), 5u);
  valid.feature_names[5] = "other";
  EXPECT_EQ(EvaluateTrainedModel(*model, valid).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
