#include "features/transaction_feature_engine.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "common/csv_reader.h"
#include "features/feature_engine.h"
#include "features/training_rows.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using F = TransactionFeature;

float Get(const std::vector<float>& v, F feature) { return v[static_cast<size_t>(feature)]; }

constexpr Timestamp kMonday = 1751241600;  // 2025-06-30T00:00:00Z, a Monday
constexpr Timestamp kHour = kSecondsPerHour;

Transaction Tx(Timestamp at, uint32_t card, uint32_t merchant, float amount, int8_t label = 0) {
  return Transaction{.at = at,
                     .label_known_at = at + 7 * kDay,
                     .card = card,
                     .merchant = merchant,
                     .amount = amount,
                     .label = label};
}

TEST(TransactionFeatureEngineTest, CardWindowsIncludeTheCurrentTransaction) {
  TransactionFeatureEngine engine;
  std::vector<float> v;
  engine.Process(Tx(kMonday + 10 * kHour, 1, 7, 100), &v);
  EXPECT_EQ(Get(v, F::k_card_transactions_1d), 1);
  EXPECT_EQ(Get(v, F::k_card_avg_amount_1d), 100);
  EXPECT_TRUE(std::isnan(Get(v, F::k_transaction_amount_vs_card_avg_30d)));
  EXPECT_EQ(Get(v, F::k_transaction_new_merchant_for_card), 1);
  engine.Process(Tx(kMonday + 2 * kDay, 1, 7, 50), &v);
  EXPECT_EQ(Get(v, F::k_card_transactions_1d), 1);  // the first is more than a day old
  EXPECT_EQ(Get(v, F::k_card_transactions_7d), 2);
  EXPECT_EQ(Get(v, F::k_card_avg_amount_7d), 75);
  EXPECT_EQ(Get(v, F::k_transaction_amount_vs_card_avg_30d), 0.5f);
  EXPECT_EQ(Get(v, F::k_transaction_new_merchant_for_card), 0);
  EXPECT_EQ(Get(v, F::k_card_hours_since_previous), 38);
  EXPECT_EQ(Get(v, F::k_card_lifetime_transactions), 1);
}

TEST(TransactionFeatureEngineTest, WeekendAndNightFollowTheLocalClock) {
  TransactionFeatureEngine engine({.local_offset_seconds = 2 * 3600});
  std::vector<float> v;
  // Sunday 23:30 UTC is Monday 01:30 two hours east: a weekday night.
  engine.Process(Tx(kMonday - 30 * 60, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_transaction_during_weekend), 0);
  EXPECT_EQ(Get(v, F::k_transaction_during_night), 1);
  engine.Process(Tx(kMonday + 5 * kDay + 12 * kHour, 1, 7, 10), &v);  // Saturday noon
  EXPECT_EQ(Get(v, F::k_transaction_during_weekend), 1);
  EXPECT_EQ(Get(v, F::k_transaction_during_night), 0);
}

TEST(TransactionFeatureEngineTest, MerchantWindowsEndLabelDelayAgoAndSeeOnlyKnownLabels) {
  TransactionFeatureEngine engine;
  std::vector<float> v;
  engine.Process(Tx(kMonday, 1, 7, 10, /*label=*/1), &v);
  engine.Process(Tx(kMonday + kHour, 2, 7, 10, 0), &v);
  // Six days later the two are still inside the label delay: not counted.
  engine.Process(Tx(kMonday + 6 * kDay, 3, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_merchant_transactions_7d), 0);
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_7d), 0);
  EXPECT_EQ(Get(v, F::k_merchant_transactions_recent), 2);
  EXPECT_TRUE(std::isnan(Get(v, F::k_merchant_known_fraud_rate)));
  // Seven days and an hour later both are in the window, both labels known.
  engine.Process(Tx(kMonday + 7 * kDay + kHour, 4, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_merchant_transactions_1d), 2);
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_1d), 0.5f);
  EXPECT_EQ(Get(v, F::k_merchant_known_fraud_rate), 0.5f);
  EXPECT_EQ(Get(v, F::k_merchant_transactions_recent), 1);
}

TEST(TransactionFeatureEngineTest, AFraudLabelIsHiddenUntilItsLabeledAt) {
  TransactionFeatureEngine engine;
  std::vector<float> v;
  Transaction fraud = Tx(kMonday, 1, 7, 10, 1);
  fraud.label_known_at = kMonday + 20 * kDay;  // a late chargeback
  engine.Process(fraud, &v);
  engine.Process(Tx(kMonday + 8 * kDay, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_merchant_transactions_30d), 1);
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_30d), 0);
  EXPECT_EQ(Get(v, F::k_card_known_frauds), 0);
  engine.Process(Tx(kMonday + 20 * kDay, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_30d), 0.5f);  // days 0 and 8, one fraud
  EXPECT_EQ(Get(v, F::k_card_known_frauds), 1);
}

TEST(TransactionFeatureEngineTest, ACorrectedLabelCountsOnlyAsItsNewValueFromItsTime) {
  TransactionFeatureEngine engine;
  std::vector<float> v;
  const Transaction paid = Tx(kMonday, 1, 7, 10, kLabelUnknown);
  engine.Process(paid, &v);
  engine.AddLabel(paid, 1, kMonday + kDay);  // the customer said NO
  engine.Process(Tx(kMonday + 9 * kDay, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_card_known_frauds), 1);
  EXPECT_EQ(Get(v, F::k_merchant_known_fraud_rate), 1);
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_30d), 1);
  // An analyst finds it was the customer's own payment after all.
  engine.AddLabel(paid, 0, kMonday + 10 * kDay, /*previous=*/1);
  engine.Process(Tx(kMonday + 11 * kDay, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_card_known_frauds), 0);
  EXPECT_EQ(Get(v, F::k_merchant_known_fraud_rate), 0);  // one label, genuine
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_30d), 0);
  // And back again, before the previous correction is even revealed.
  engine.AddLabel(paid, 1, kMonday + 12 * kDay, /*previous=*/0);
  engine.AddLabel(paid, 0, kMonday + 12 * kDay, /*previous=*/1);
  engine.AddLabel(paid, 1, kMonday + 13 * kDay, /*previous=*/0);
  engine.Process(Tx(kMonday + 14 * kDay, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_card_known_frauds), 1);
  EXPECT_EQ(Get(v, F::k_merchant_known_fraud_rate), 1);
  EXPECT_EQ(Get(v, F::k_merchant_fraud_rate_30d), 1);  // day 0 only: later ones are too recent
  // The same label again changes nothing.
  engine.AddLabel(paid, 1, kMonday + 15 * kDay, /*previous=*/1);
  engine.Process(Tx(kMonday + 16 * kDay, 1, 7, 10), &v);
  EXPECT_EQ(Get(v, F::k_card_known_frauds), 1);
}

// The Fraud Detection Handbook's own features (see its README in
// /work/shared/datasets/fraud-handbook) for 2018-07-25..08-14: ours must
// match except where one card has two transactions in the same second
// (the handbook counted such pairs in reverse id order).
constexpr char kHandbookDir[] = "/work/shared/datasets/fraud-handbook";
constexpr int kSameSecondRows = 20;

// Reading 1.75 M rows takes seconds in a release build but minutes under
// the sanitizers; the small tests above cover the same code there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

LoadOptions HandbookOptions() {
  LoadOptions options;
  options.column_names = {{"transaction_id", "TRANSACTION_ID"}, {"user_id", "CUSTOMER_ID"},
                          {"created_at", "TX_DATETIME"},        {"amount", "TX_AMOUNT"},
                          {"merchant", "TERMINAL_ID"},          {"is_fraud", "TX_FRAUD"}};
  return options;
}

bool Matches(float ours, const std::string& theirs) {
  const double expected = std::stod(theirs);
  return std::abs(ours - expected) <= 1e-5 * std::max(1.0, std::abs(expected));
}

TEST(TransactionFeatureEngineTest, MatchesTheFraudHandbookFeatures) {
  const std::string reference =
      std::string(kHandbookDir) + "/features_reference_2018-07-25_2018-08-14.csv.gz";
  if (!std::filesystem::exists(reference)) GTEST_SKIP() << reference << " is absent";
  if (kSanitized) GTEST_SKIP() << "too slow under the sanitizers";
  FeatureEngine engine;
  const TransactionLog log =
      LoadTransactions(kHandbookDir, &engine.catalog(), HandbookOptions()).value();
  absl::flat_hash_map<std::string, std::vector<float>> ours;
  const Timestamp from = ParseTimestamp("2018-07-25", 0).value();
  const Timestamp until = ParseTimestamp("2018-08-15", 0).value();
  ReplayTransactions(log, &engine, [&](const Transaction& tx, std::span<const float> features) {
    if (tx.at >= from && tx.at < until)
      ours[log.ids[tx.row]].assign(features.begin(), features.end());
  });
  // The reference's columns, in its order, and ours.
  const F columns[] = {
      F::k_transaction_during_weekend, F::k_transaction_during_night, F::k_card_transactions_1d,
      F::k_card_avg_amount_1d,         F::k_card_transactions_7d,     F::k_card_avg_amount_7d,
      F::k_card_transactions_30d,      F::k_card_avg_amount_30d,      F::k_merchant_transactions_1d,
      F::k_merchant_fraud_rate_1d,     F::k_merchant_transactions_7d, F::k_merchant_fraud_rate_7d,
      F::k_merchant_transactions_30d,  F::k_merchant_fraud_rate_30d};
  auto csv = CsvReader::Open(reference).value();
  CsvRecord record;
  int rows = 0, mismatched_rows = 0;
  std::string first_mismatch;
  while (csv->Next(&record).value()) {
    ASSERT_EQ(record.fields.size(), 15u);
    const auto it = ours.find(record.fields[0]);
    ASSERT_NE(it, ours.end()) << "no features for transaction " << record.fields[0];
    ++rows;
    for (size_t c = 0; c < std::size(columns); ++c) {
      if (Matches(Get(it->second, columns[c]), record.fields[c + 1])) continue;
      if (mismatched_rows++ == 0) {
        first_mismatch = "transaction " + record.fields[0] + " column " + std::to_string(c + 1) +
                         ": ours " + std::to_string(Get(it->second, columns[c])) + ", theirs " +
                         record.fields[c + 1];
      }
      break;
    }
  }
  EXPECT_EQ(rows, 201295);
  EXPECT_LE(mismatched_rows, kSameSecondRows) << first_mismatch;
}

}  // namespace
}  // namespace vigil
