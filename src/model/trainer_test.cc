#include "model/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/metrics.h"
#include "model/synthetic_dataset_for_test.h"
#include "model/xgboost_handles.h"

namespace vigil {
namespace {

using testing::MakeSyntheticDataset;

double Sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// The default options on one thread: tests share cores, where OpenMP's
// spin-waiting makes two threads much slower than one.
TrainOptions OneThread() {
  TrainOptions options;
  options.nthread = 1;
  return options;
}

// One model trained on 4000 rows, judged on the 2000 rows that follow.
class TrainedOnSyntheticData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    train_ = new Dataset(MakeSyntheticDataset(4000, 1));
    test_ = new Dataset(MakeSyntheticDataset(2000, 2, train_->times.back() + 60));
    auto model = TrainModel(*train_, OneThread());
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = new TrainedModel(*std::move(model));
    auto booster = Booster::FromModelJson(model_->model_json);
    ASSERT_TRUE(booster.ok()) << booster.status();
    auto margins = booster->PredictDenseMargins(test_->values.data(), test_->rows(), 6);
    ASSERT_TRUE(margins.ok()) << margins.status();
    margins_ = new std::vector<float>(*margins);
  }
  static void TearDownTestSuite() {
    delete train_;
    delete test_;
    delete model_;
    delete margins_;
  }

  static std::vector<double> Probabilities(bool calibrated) {
    std::vector<double> p;
    for (float m : *margins_) p.push_back(calibrated ? model_->calibration.Apply(m) : Sigmoid(m));
    return p;
  }

  static Dataset* train_;
  static Dataset* test_;
  static TrainedModel* model_;
  static std::vector<float>* margins_;
};

Dataset* TrainedOnSyntheticData::train_ = nullptr;
Dataset* TrainedOnSyntheticData::test_ = nullptr;
TrainedModel* TrainedOnSyntheticData::model_ = nullptr;
std::vector<float>* TrainedOnSyntheticData::margins_ = nullptr;

TEST_F(TrainedOnSyntheticData, RanksLaterRowsWell) {
  std::vector<double> truth;
  for (size_t i = 0; i < test_->rows(); ++i)
    truth.push_back(testing::SyntheticLogOdds(test_->row(i)));
  const double auc = RocAuc(test_->labels, Probabilities(true));
  const double oracle_auc = RocAuc(test_->labels, truth);
  std::printf("held-out AUC %.4f (true log-odds %.4f)\n", auc, oracle_auc);
  // Measured: 0.815 against the true log-odds' 0.851.
  EXPECT_GT(auc, 0.79);
  EXPECT_GT(auc, oracle_auc - 0.05);
}

TEST_F(TrainedOnSyntheticData, CalibratedMeanMatchesObservedRate) {
  const std::vector<double> p = Probabilities(true);
  double mean_p = 0, rate = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    mean_p += p[i];
    rate += test_->labels[i];
  }
  mean_p /= p.size();
  rate /= p.size();
  std::printf("mean calibrated %.4f observed %.4f\n", mean_p, rate);
  EXPECT_NEAR(mean_p, rate, 0.03);
}

TEST_F(TrainedOnSyntheticData, CalibrationBeatsTheRebalancedBoostersProbabilities) {
  const double calibrated = LogLoss(test_->labels, Probabilities(true));
  const double raw = LogLoss(test_->labels, Probabilities(false));
  std::printf("log loss calibrated %.4f raw %.4f\n", calibrated, raw);
  EXPECT_LT(calibrated, raw);
}

TEST_F(TrainedOnSyntheticData, SavedModelHasExactlyTheBestRounds) {
  auto booster = Booster::FromModelJson(model_->model_json);
  ASSERT_TRUE(booster.ok());
  EXPECT_EQ(*booster->BoostedRounds(), model_->best_iteration + 1);
  EXPECT_LE(model_->rounds, 500);
  EXPECT_GE(model_->rounds, model_->best_iteration + 1);
  std::printf("best iteration %d of %d rounds\n", model_->best_iteration, model_->rounds);
}

TEST_F(TrainedOnSyntheticData, HoldsOutTheLatestFifteenPercent) {
  EXPECT_EQ(model_->calibration_rows, 600u);
  EXPECT_EQ(model_->fit_rows, 3400u);
  EXPECT_DOUBLE_EQ(model_->params["scale_pos_weight"].get<double>(),
                   (1 - model_->fit_positive_rate) / model_->fit_positive_rate);
  EXPECT_EQ(model_->params["objective"], "binary:logistic");
  EXPECT_EQ(model_->params["tree_method"], "hist");
}

TEST_F(TrainedOnSyntheticData, ImportanceRanksSignalAboveNoise) {
  ASSERT_EQ(model_->importance_gain.size(), 6u);
  EXPECT_EQ(model_->importance_gain[0].first, "x0");
  double total = 0;
  for (const auto& [name, share] : model_->importance_gain) total += share;
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_EQ(model_->importance_gain.back().first, "noise");
}

TEST(TrainModelTest, StopsEarlyWhenHeldOutAucStopsImproving) {
  Dataset d = MakeSyntheticDataset(1000, 5);
  // Shuffle labels against features: nothing to learn, so AUC peaks early.
  std::mt19937 rng(9);
  std::shuffle(d.labels.begin(), d.labels.end(), rng);
  TrainOptions options = OneThread();
  options.max_rounds = 200;
  options.early_stopping_rounds = 10;
  int callbacks = 0;
  options.on_round = [&](int, int max) {
    ++callbacks;
    EXPECT_EQ(max, 200);
  };
  auto model = TrainModel(d, options);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->rounds, model->best_iteration + 1 + 10);
  EXPECT_EQ(callbacks, model->rounds);
  auto booster = Booster::FromModelJson(model->model_json);
  ASSERT_TRUE(booster.ok());
  EXPECT_EQ(*booster->BoostedRounds(), model->best_iteration + 1);
}

TEST(TrainModelTest, SortsRowsByTimeBeforeHoldingOut) {
  Dataset d = MakeSyntheticDataset(400, 6);
  Dataset reversed;
  reversed.feature_names = d.feature_names;
  for (size_t i = d.rows(); i-- > 0;) reversed.AddRow(d.row(i), d.labels[i], d.times[i], d.ids[i]);
  TrainOptions options = OneThread();
  options.max_rounds = 20;
  auto a = TrainModel(d, options);
  auto b = TrainModel(reversed, options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->model_json, b->model_json);
  EXPECT_EQ(a->calibration.a, b->calibration.a);
}

TEST(TrainModelTest, RejectsTooFewRows) {
  auto model = TrainModel(MakeSyntheticDataset(99, 1), OneThread());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(model.status().message(),
            "too few rows to train: got 99, need at least 100; widen the training period");
}

TEST(TrainModelTest, RejectsASingleClass) {
  Dataset d = MakeSyntheticDataset(300, 1);
  std::fill(d.labels.begin(), d.labels.end(), 0.0f);
  auto model = TrainModel(d, OneThread());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(model.status().message(),
            "the fitting part (earlier rows) (255 rows) has only negative labels; both classes "
            "are needed to train");
}

TEST(TrainModelTest, RejectsHeldOutPartWithoutPositives) {
  Dataset d = MakeSyntheticDataset(300, 1);
  std::fill(d.labels.begin() + 200, d.labels.end(), 0.0f);
  auto model = TrainModel(d, OneThread());
  EXPECT_EQ(model.status().message(),
            "the held-out calibration part (latest 15% of rows by time) (45 rows) has only "
            "negative labels; both classes are needed to train");
}

TEST(TrainModelTest, RejectsMalformedDataset) {
  Dataset d = MakeSyntheticDataset(300, 1);
  d.times.pop_back();
  EXPECT_EQ(TrainModel(d, OneThread()).status().message(),
            "malformed dataset: 300 labels, 299 times, 1800 values for 6 features");
}

}  // namespace
}  // namespace vigil
