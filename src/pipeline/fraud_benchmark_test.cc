#include "pipeline/fraud_benchmark.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

TEST(CardPrecisionTest, CountsEachCardOnceAtItsHighestScore) {
  // Day 0: card 1 twice (one fraud), card 2 legit, card 3 fraud scored low.
  const std::vector<ScoredTransaction> rows = {
      {0, 1, 0.9, false}, {0, 1, 0.2, true}, {0, 2, 0.8, false}, {0, 3, 0.1, true}};
  std::vector<double> daily;
  EXPECT_DOUBLE_EQ(CardPrecisionAtK(rows, 2, &daily), 0.5);  // top 2: cards 1 and 2
  EXPECT_THAT(daily, ::testing::ElementsAre(0.5));
}

TEST(CardPrecisionTest, DropsCardsCaughtOnEarlierDays) {
  const std::vector<ScoredTransaction> rows = {{0, 1, 0.9, true},
                                               {0, 2, 0.1, false},  // card 1 caught on day 0
                                               {1, 1, 0.9, true},
                                               {1, 2, 0.5, false},
                                               {1, 3, 0.4, true}};  // so day 1 ranks 2 and 3
  std::vector<double> daily;
  EXPECT_DOUBLE_EQ(CardPrecisionAtK(rows, 1, &daily), 0.5);
  EXPECT_THAT(daily, ::testing::ElementsAre(1.0, 0.0));
}

class FraudBenchmarkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test and process: ctest runs tests side by side.
    dir_ = fs::path(::testing::TempDir()) /
           ("fraud_benchmark_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Card A's fraud on 07-26 makes it known compromised from 08-03 on
    // (D - 8 days), so t3 leaves the test set and t1 stays.
    std::ofstream(dir_ / "transactions.csv")
        << "transaction_id,user_id,created_at,amount,is_fraud\n"
           "t0,A,2018-07-26 10:00:00,10,1\n"
           "t1,A,2018-08-02 10:00:00,10,1\n"
           "t2,B,2018-08-02 11:00:00,10,0\n"
           "t3,A,2018-08-03 10:00:00,10,0\n"
           "t4,C,2018-08-03 11:00:00,10,1\n";
    std::ofstream(dir_ / "scores.csv") << "id,risk_score\nt0,0.9\nt1,0.8\nt2,0.1\nt3,0.7\nt4,0.6\n";
  }
  FraudBenchmarkRequest Request() const {
    FraudBenchmarkRequest request{.data_dir = dir_.string(),
                                  .known_from = "2018-07-25",
                                  .test_from = "2018-08-01",
                                  .top_k = 2};
    return request;
  }
  fs::path dir_;
};

TEST_F(FraudBenchmarkTest, RemovesKnownCompromisedCardsAndScores) {
  FraudBenchmarkRequest request = Request();
  request.scores_path = (dir_ / "scores.csv").string();
  const FraudBenchmarkResult result = RunFraudBenchmark(request).value();
  EXPECT_EQ(result.removed, 1u);
  EXPECT_EQ(result.transactions, 3u);
  EXPECT_EQ(result.frauds, 2u);
  EXPECT_DOUBLE_EQ(result.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(result.average_precision, 1.0);
  EXPECT_THAT(result.daily_card_precision, ::testing::ElementsAre(0.5, 0.5));
}

TEST_F(FraudBenchmarkTest, AConstantScoreGivesAucOneHalfAndApTheFraudRate) {
  const FraudBenchmarkResult result = RunFraudBenchmark(Request()).value();
  EXPECT_DOUBLE_EQ(result.roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(result.average_precision, 2.0 / 3);
}

TEST_F(FraudBenchmarkTest, SaysWhichTransactionHasNoScore) {
  std::ofstream(dir_ / "scores.csv") << "id,risk_score\nt1,0.5\n";
  FraudBenchmarkRequest request = Request();
  request.scores_path = (dir_ / "scores.csv").string();
  EXPECT_THAT(RunFraudBenchmark(request).status().message(),
              ::testing::HasSubstr("no score for transaction t2"));
}

}  // namespace
}  // namespace vigil
