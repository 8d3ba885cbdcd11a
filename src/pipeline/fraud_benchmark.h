// The evaluation protocol of the Fraud Detection Handbook's benchmark
// (see /work/shared/datasets/fraud-handbook/README.md and BENCHMARKS.md):
// given the scores `vigil score --kind transaction` wrote, evaluate the test
// days after removing the transactions of known compromised cards, with the
// handbook's three metrics. `vigil fraud-benchmark` is a thin wrapper.
#ifndef VIGIL_PIPELINE_FRAUD_BENCHMARK_H_
#define VIGIL_PIPELINE_FRAUD_BENCHMARK_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/data_lake.h"

namespace vigil {

// One scored transaction of the test period.
struct ScoredTransaction {
  int64_t day = 0;  // day number in the data's zone
  uint32_t card = 0;
  double score = 0;
  bool fraud = false;
};

// Card Precision@k as the handbook defines it: for each test day in order,
// drop cards already caught (frauds in the top k of earlier days), give each
// card its day's largest score and label, and take the share of frauds
// among the k highest-scored cards; the mean over the days. `rows` must be
// ordered by day. `daily` (optional) receives each day's value.
double CardPrecisionAtK(std::span<const ScoredTransaction> rows, size_t k,
                        std::vector<double>* daily = nullptr);

struct FraudBenchmarkRequest {
  std::string data_dir;
  LoadOptions load;
  // CSV with `id` and `risk_score` columns (vigil score's output); empty:
  // every transaction scores 0.5, the check that AUC is 0.5.
  std::string scores_path;
  // Frauds from this day on mark a card as compromised (the training start).
  std::string known_from;
  std::string test_from;
  int test_days = 7;
  // A card is dropped from test day D if it had a fraud from known_from
  // through D - delay_days - 1.
  int delay_days = 7;
  size_t top_k = 100;
};

struct FraudBenchmarkResult {
  size_t transactions = 0;  // test transactions after the removal
  size_t frauds = 0;
  size_t removed = 0;  // test transactions of known compromised cards
  double roc_auc = 0;
  double average_precision = 0;
  double card_precision = 0;
  std::vector<double> daily_card_precision;
};

// NotFound / InvalidArgument for unreadable inputs; InvalidArgument when a
// test transaction has no score.
[[nodiscard]] StatusOr<FraudBenchmarkResult> RunFraudBenchmark(
    const FraudBenchmarkRequest& request);

}  // namespace vigil

#endif  // VIGIL_PIPELINE_FRAUD_BENCHMARK_H_
