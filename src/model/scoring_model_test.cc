#include "model/scoring_model.h"

#include <gtest/gtest.h>

#include <thread>

#include "model/model_registry.h"
#include "model/trained_artifacts_for_test.h"
#include "model/xgboost_handles.h"

namespace vigil {
namespace {

using testing::ScratchDir;
using testing::TrainedSmallModel;

class ScoringModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModelRegistry registry(dir_.path());
    auto version = registry.Publish("order", TrainedSmallModel().artifacts, false);
    ASSERT_TRUE(version.ok()) << version.status();
    version_dir_ = registry.VersionDir("order", *version);
  }

  ScratchDir dir_;
  std::string version_dir_;
};

TEST_F(ScoringModelTest, PredictsExactlyWhatXgboostPredictsForTheTrainedBooster) {
  auto model = ScoringModel::Load(version_dir_);
  ASSERT_TRUE(model.ok()) << model.status();
  const Dataset& valid = TrainedSmallModel().valid;
  auto booster = Booster::FromModelJson(TrainedSmallModel().trained.model_json);
  ASSERT_TRUE(booster.ok());
  auto matrix = DMatrix::FromDataset(valid);
  ASSERT_TRUE(matrix.ok());
  auto expected = booster->PredictMargins(*matrix);
  ASSERT_TRUE(expected.ok());
  std::vector<float> margins;
  ASSERT_TRUE((*model)->PredictMargins(valid.values.data(), valid.rows(), 6, &margins).ok());
  EXPECT_EQ(margins, *expected);
}

TEST_F(ScoringModelTest, ProbabilitiesApplyTheManifestCalibration) {
  auto model = ScoringModel::Load(version_dir_);
  ASSERT_TRUE(model.ok());
  const Calibration& c = TrainedSmallModel().trained.calibration;
  EXPECT_EQ((*model)->calibration().a, c.a);
  EXPECT_DOUBLE_EQ((*model)->Probability(0.25), c.Apply(0.25));
  const Dataset& valid = TrainedSmallModel().valid;
  std::vector<float> margins;
  std::vector<double> probabilities;
  ASSERT_TRUE((*model)->PredictMargins(valid.row(0), 3, 6, &margins).ok());
  ASSERT_TRUE((*model)->PredictProbabilities(valid.row(0), 3, 6, &probabilities).ok());
  ASSERT_EQ(probabilities.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(probabilities[i], c.Apply(margins[i]));
}

TEST_F(ScoringModelTest, ExposesManifestFields) {
  auto model = ScoringModel::Load(version_dir_);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->model_version(), "order-v1");
  EXPECT_EQ((*model)->feature_names(), TrainedSmallModel().train.feature_names);
  EXPECT_EQ((*model)->model_json(), TrainedSmallModel().trained.model_json);
}

TEST_F(ScoringModelTest, RejectsColumnCountMismatch) {
  auto model = ScoringModel::Load(version_dir_);
  ASSERT_TRUE(model.ok());
  std::vector<float> row(5, 0.0f);
  std::vector<float> margins;
  Status status = (*model)->PredictMargins(row.data(), 1, 5, &margins);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "rows have 5 columns but model order-v1 expects 6 (its manifest's feature_names)");
}

TEST_F(ScoringModelTest, ConcurrentPredictionsAgree) {
  auto model = ScoringModel::Load(version_dir_);
  ASSERT_TRUE(model.ok());
  const Dataset& valid = TrainedSmallModel().valid;
  std::vector<float> expected;
  ASSERT_TRUE((*model)->PredictMargins(valid.values.data(), valid.rows(), 6, &expected).ok());
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!(*model)->PredictMargins(valid.values.data(), valid.rows(), 6, &result).ok()) return;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST_F(ScoringModelTest, MissingDirectoryIsNotFound) {
  auto model = ScoringModel::Load(dir_.path() + "/order/v9");
  EXPECT_EQ(model.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(model.status().message().find("manifest.json"), std::string::npos);
}

TEST_F(ScoringModelTest, FromPartsRejectsChecksumMismatch) {
  ModelManifest manifest = TrainedSmallModel().artifacts.manifest;
  manifest.checksum = "sha256:0000";
  auto model = ScoringModel::FromParts(TrainedSmallModel().trained.model_json, manifest);
  EXPECT_EQ(model.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace vigil
