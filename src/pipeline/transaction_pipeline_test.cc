// `vigil train --kind transaction` and `vigil score --kind transaction` on a
// small simulated card history in the handbook's column names.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/explain_command.h"
#include "pipeline/load_flags.h"
#include "pipeline/score_command.h"
#include "pipeline/train_command.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

// 200 cards over 60 days at 100 merchants. Frauds: amounts above 220, and
// every transaction at merchants 0-4 from day 20 on (compromised terminals).
void WriteTransactions(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream out(dir / "transactions.csv");
  out << "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\n";
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> card(0, 199), merchant(0, 99), second(0, 86399);
  std::exponential_distribution<double> amount(1 / 60.0);
  int id = 0;
  for (int day = 0; day < 60; ++day) {
    std::vector<int> seconds(150);
    for (int& s : seconds) s = second(rng);
    std::sort(seconds.begin(), seconds.end());
    for (int s : seconds) {
      const int m = merchant(rng);
      const double a = amount(rng);
      const bool fraud = a > 220 || (m < 5 && day >= 20);
      const Timestamp at = ParseTimestamp("2018-04-01", 0).value() + day * kSecondsPerDay + s;
      std::string naive = FormatTimestamp(at);  // "2018-04-01T00:00:31Z"
      naive[10] = ' ';
      naive.pop_back();
      out << fmt::format("{},{},{},{},{:.2f},{}\n", id++, naive, card(rng), m, a, fraud ? 1 : 0);
    }
  }
}

class TransactionPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("txpipe_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    WriteTransactions(root_ / "data");
  }
  TrainRequest Request() const {
    TrainRequest request{.data_dir = (root_ / "data").string(),
                         .models_dir = (root_ / "models").string(),
                         .kinds = {DecisionKind::kTransaction}};
    request.load.column_names =
        ParseColumnMapping(
            "transaction_id=TRANSACTION_ID,user_id=CUSTOMER_ID,created_at=TX_DATETIME,"
            "amount=TX_AMOUNT,merchant=TERMINAL_ID,is_fraud=TX_FRAUD")
            .value();
    request.train.nthread = 1;
    request.train.max_rounds = 60;
    return request;
  }
  fs::path root_;
};

TEST_F(TransactionPipelineTest, TrainsAndScoresTheTransactionModel) {
  TrainRequest request = Request();
  request.train_from = "2018-04-15";
  request.valid_from = "2018-05-15";
  const TrainSummary summary = RunTrain(request, stderr).value();
  ASSERT_EQ(summary.kinds.size(), 1u);
  const KindResult& result = summary.kinds[0];
  ASSERT_FALSE(result.skipped) << result.skip_reason;
  EXPECT_EQ(result.model_version, "transaction-v1");
  EXPECT_TRUE(result.production);
  EXPECT_GT(result.validation.roc_auc, 0.9);
  EXPECT_TRUE(fs::exists(result.report_path));
  // 30 days from 04-15 of 150 a day train; 05-15 to 05-30 validate.
  EXPECT_EQ(result.train_rows, 30u * 150);
  EXPECT_EQ(result.validation.rows, 16u * 150);

  ScoreRequest score{.data_dir = request.data_dir,
                     .models_dir = request.models_dir,
                     .kind = DecisionKind::kTransaction,
                     .out_path = (root_ / "scores.csv").string(),
                     .load = request.load};
  const ScoreSummary scored = RunScore(score, stderr).value();
  EXPECT_EQ(scored.scored, 60 * 150);
  std::ifstream in(score.out_path);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header, "id,risk_score,risk_level,recommended_action,model_version");
  EXPECT_THAT(first, ::testing::StartsWith("0,"));
  EXPECT_THAT(first, ::testing::EndsWith(",transaction-v1"));
}

TEST_F(TransactionPipelineTest, KindAllOnTransactionsAloneSkipsOrdersAndReturns) {
  TrainRequest request = Request();
  request.kinds = ParseKinds("all").value();
  const TrainSummary summary = RunTrain(request, stderr).value();
  ASSERT_EQ(summary.kinds.size(), 3u);
  EXPECT_TRUE(summary.kinds[0].skipped);
  EXPECT_THAT(summary.kinds[0].skip_reason, ::testing::HasSubstr("orders.csv"));
  EXPECT_TRUE(summary.kinds[1].skipped);
  EXPECT_FALSE(summary.kinds[2].skipped) << summary.kinds[2].skip_reason;
  EXPECT_EQ(summary.kinds[2].kind, DecisionKind::kTransaction);
}

TEST_F(TransactionPipelineTest, ScoringWithoutAModelSaysToTrainFirst) {
  ScoreRequest score{.data_dir = (root_ / "data").string(),
                     .models_dir = (root_ / "models").string(),
                     .kind = DecisionKind::kTransaction,
                     .out_path = (root_ / "scores.csv").string()};
  const auto scored = RunScore(score, stderr);
  EXPECT_EQ(scored.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(scored.status().message(), ::testing::HasSubstr("no production transaction model"));
}

TEST_F(TransactionPipelineTest, ExplainSaysTransactionsHaveNoExplanationsYet) {
  ExplainRequest explain{.data_dir = (root_ / "data").string(),
                         .models_dir = (root_ / "models").string(),
                         .kind = DecisionKind::kTransaction,
                         .id = "0"};
  const auto answer = RunExplain(explain);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(answer.status().message(), "explain: transactions have no explanations yet");
}

}  // namespace
}  // namespace vigil
