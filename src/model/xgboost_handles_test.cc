#include "model/xgboost_handles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace vigil {
namespace {

struct Table {
  std::vector<float> values;
  std::vector<float> labels;
};

// y = 1 when x0 + noise > 0; x1 is noise, some x1 missing.
Table MakeTable(size_t rows) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal;
  Table t;
  for (size_t i = 0; i < rows; ++i) {
    float x0 = normal(rng);
    float x1 = i % 7 == 0 ? NAN : normal(rng);
    t.values.push_back(x0);
    t.values.push_back(x1);
    t.labels.push_back(x0 + 0.5f * normal(rng) > 0 ? 1.0f : 0.0f);
  }
  return t;
}

StatusOr<Booster> TrainRounds(const DMatrix& train, int rounds) {
  const DMatrix* cache[] = {&train};
  ASSIGN_OR_RETURN(Booster booster, Booster::Create(cache));
  RETURN_IF_ERROR(booster.SetParam("objective", "binary:logistic"));
  RETURN_IF_ERROR(booster.SetParam("nthread", "1"));
  RETURN_IF_ERROR(booster.SetParam("max_depth", "3"));
  for (int i = 0; i < rounds; ++i) RETURN_IF_ERROR(booster.UpdateOneIter(i, train));
  return booster;
}

TEST(XgbCallTest, NonZeroReturnCodeCarriesXgboostMessage) {
  Status status = XgbCall(XGBoosterFree(nullptr), "freeing");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_NE(status.message().find("XGBoost freeing: "), std::string::npos) << status;
  EXPECT_TRUE(XgbCall(0).ok());
}

TEST(XgboostVersionTest, ReportsVersionOneSeven) {
  EXPECT_EQ(XgboostVersion().rfind("1.7.", 0), 0u) << XgboostVersion();
}

TEST(DMatrixTest, BuildsFromDatasetWithShape) {
  Dataset dataset;
  dataset.feature_names = {"a", "b"};
  float row[] = {1.0f, NAN};
  dataset.AddRow(row, 1.0f, 0, "x");
  dataset.AddRow(row, 0.0f, 1, "y");
  auto matrix = DMatrix::FromDataset(dataset);
  ASSERT_TRUE(matrix.ok()) << matrix.status();
  EXPECT_EQ(matrix->rows(), 2u);
  EXPECT_EQ(matrix->cols(), 2u);
}

TEST(DMatrixTest, RejectsLabelCountMismatch) {
  std::vector<float> values = {1, 2, 3, 4};
  std::vector<float> labels = {1};
  auto matrix = DMatrix::FromDense(values.data(), 2, 2, labels);
  EXPECT_EQ(matrix.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(matrix.status().message(), "1 labels given for a matrix of 2 rows");
}

TEST(BoosterTest, SliceKeepsExactlyTheFirstRoundsAndTheirPredictions) {
  Table t = MakeTable(500);
  auto train = DMatrix::FromDense(t.values.data(), 500, 2, t.labels);
  ASSERT_TRUE(train.ok()) << train.status();
  auto booster = TrainRounds(*train, 10);
  ASSERT_TRUE(booster.ok()) << booster.status();
  auto sliced = booster->Slice(0, 4);
  ASSERT_TRUE(sliced.ok()) << sliced.status();
  EXPECT_EQ(*sliced->BoostedRounds(), 4);
  auto limited = booster->PredictMargins(*train, 4);
  auto from_slice = sliced->PredictMargins(*train);
  ASSERT_TRUE(limited.ok() && from_slice.ok());
  EXPECT_EQ(*limited, *from_slice);
}

TEST(BoosterTest, JsonRoundTripPredictsTheSameMarginsInPlace) {
  Table t = MakeTable(300);
  auto train = DMatrix::FromDense(t.values.data(), 300, 2, t.labels);
  ASSERT_TRUE(train.ok());
  auto booster = TrainRounds(*train, 5);
  ASSERT_TRUE(booster.ok());
  auto json = booster->SaveModelJson();
  ASSERT_TRUE(json.ok()) << json.status();
  auto loaded = Booster::FromModelJson(*json);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded->NumFeatures(), 2u);
  auto expected = booster->PredictMargins(*train);
  auto in_place = loaded->PredictDenseMargins(t.values.data(), 300, 2);
  ASSERT_TRUE(expected.ok() && in_place.ok()) << in_place.status();
  ASSERT_EQ(in_place->size(), 300u);
  for (size_t i = 0; i < 300; ++i) EXPECT_FLOAT_EQ((*in_place)[i], (*expected)[i]) << i;
}

TEST(BoosterTest, RejectsMalformedModelJson) {
  auto loaded = Booster::FromModelJson("{not json");
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(loaded.status().message().find("loading a JSON model"), std::string::npos);
}

TEST(BoosterTest, TotalGainIsPositiveOnlyForUsedSignal) {
  Table t = MakeTable(500);
  auto train = DMatrix::FromDense(t.values.data(), 500, 2, t.labels);
  ASSERT_TRUE(train.ok());
  auto booster = TrainRounds(*train, 5);
  ASSERT_TRUE(booster.ok());
  auto gains = booster->TotalGainByFeature(2);
  ASSERT_TRUE(gains.ok()) << gains.status();
  EXPECT_GT((*gains)[0], (*gains)[1]);
}

TEST(BoosterTest, EvalOneIterReportsNamedMetric) {
  Table t = MakeTable(200);
  auto train = DMatrix::FromDense(t.values.data(), 200, 2, t.labels);
  ASSERT_TRUE(train.ok());
  auto booster = TrainRounds(*train, 1);
  ASSERT_TRUE(booster.ok());
  ASSERT_TRUE(booster->SetParam("eval_metric", "auc").ok());
  auto line = booster->EvalOneIter(0, *train, "cal");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->rfind("[0]\tcal-auc:", 0), 0u) << *line;
}

}  // namespace
}  // namespace vigil
