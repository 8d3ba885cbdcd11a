// Test-only: a small transaction model, trained in a second or two, for the
// payment flow's tests.
#ifndef VIGIL_SERVICE_TRANSACTION_MODEL_FOR_TEST_H_
#define VIGIL_SERVICE_TRANSACTION_MODEL_FOR_TEST_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/time.h"
#include "fmt/format.h"
#include "pipeline/train_command.h"

namespace vigil::testing {

// 200 cards over 40 days; a payment above ₹220 is fraud. Trained once per
// test process (a second or two). Returns the models directory.
inline std::string TrainTransactionModel(const std::string& root) {
  namespace fs = std::filesystem;
  const fs::path data = fs::path(root) / "data";
  fs::create_directories(data);
  {
    std::ofstream out(data / "transactions.csv");
    out << "transaction_id,created_at,user_id,merchant,amount,is_fraud\n";
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> card(0, 199), merchant(0, 99), second(0, 86399);
    std::exponential_distribution<double> amount(1 / 60.0);
    int id = 0;
    for (int day = 0; day < 40; ++day) {
      std::vector<int> seconds(150);
      for (int& s : seconds) s = second(rng);
      std::sort(seconds.begin(), seconds.end());
      for (int s : seconds) {
        const double a = amount(rng);
        out << fmt::format(
            "T{},{},U{},M{},{:.2f},{}\n", id++,
            FormatTimestamp(ParseTimestamp("2026-09-01", 0).value() + day * kSecondsPerDay + s),
            card(rng), merchant(rng), a, a > 220 ? 1 : 0);
      }
    }
  }
  TrainRequest train{.data_dir = data.string(),
                     .models_dir = (fs::path(root) / "models").string(),
                     .kinds = {DecisionKind::kTransaction}};
  train.train.nthread = 1;
  train.train.max_rounds = 40;
  FILE* quiet = std::fopen("/dev/null", "w");
  auto trained = RunTrain(train, quiet);
  std::fclose(quiet);
  EXPECT_TRUE(trained.ok()) << trained.status();
  return train.models_dir;
}

}  // namespace vigil::testing

#endif  // VIGIL_SERVICE_TRANSACTION_MODEL_FOR_TEST_H_
