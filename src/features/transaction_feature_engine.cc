#include "features/transaction_feature_engine.h"

#include <algorithm>
#include <cmath>

#include "features/state_vectors.h"

namespace vigil {
namespace {

using feature_internal::Grow;
using feature_internal::kMissing;
using feature_internal::Ratio;

constexpr Timestamp kCardHistory = 30 * kDay;
constexpr int kWindowDays[] = {1, 7, 30};

void Set(std::span<float> out, TransactionFeature feature, float value) {
  out[static_cast<size_t>(feature)] = value;
}

TransactionFeature Offset(TransactionFeature first, int step) {
  return static_cast<TransactionFeature>(static_cast<int>(first) + step);
}

bool Contains(const std::vector<uint32_t>& sorted, uint32_t id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

void Insert(std::vector<uint32_t>& sorted, uint32_t id) {
  const auto at = std::lower_bound(sorted.begin(), sorted.end(), id);
  if (at == sorted.end() || *at != id) sorted.insert(at, id);
}

}  // namespace

void TransactionFeatureEngine::RevealLabels(Timestamp now) {
  while (!pending_labels_.empty() && pending_labels_.top().known_at <= now) {
    const PendingLabel& label = pending_labels_.top();
    // A correction takes its previous label out. The tallies are unsigned
    // and a correction may reveal in the same call just before the label it
    // corrects: modular arithmetic keeps the sum right all the same.
    uint32_t& card_frauds = Grow(cards_, label.card).known_frauds;
    card_frauds += label.label == 1;
    card_frauds -= label.previous == 1;
    if (label.merchant != kNoId) {
      MerchantState& m = Grow(merchants_, label.merchant);
      m.known_labels += label.previous == kLabelUnknown;
      m.known_frauds += label.label == 1;
      m.known_frauds -= label.previous == 1;
    }
    pending_labels_.pop();
  }
}

void TransactionFeatureEngine::CardFeatures(const Transaction& tx, std::span<float> out) const {
  using F = TransactionFeature;
  static const CardState kNewCard;
  const CardState& card = tx.card < cards_.size() ? cards_[tx.card] : kNewCard;
  // Every window includes the current transaction.
  int counts[3] = {1, 1, 1};
  double sums[3] = {tx.amount, tx.amount, tx.amount};
  double previous_sum = 0;
  float max_14d = tx.amount;
  for (const CardTransaction& past : card.recent) {
    for (int w = 0; w < 3; ++w) {
      if (past.at <= tx.at - kWindowDays[w] * kDay) continue;
      ++counts[w];
      sums[w] += past.amount;
    }
    if (past.at > tx.at - kCardHistory) previous_sum += past.amount;
    if (past.at > tx.at - 14 * kDay) max_14d = std::max(max_14d, past.amount);
  }
  for (int w = 0; w < 3; ++w) {
    Set(out, Offset(F::k_card_transactions_1d, 2 * w), static_cast<float>(counts[w]));
    Set(out, Offset(F::k_card_avg_amount_1d, 2 * w), static_cast<float>(sums[w] / counts[w]));
  }
  const double avg_30d = sums[2] / counts[2];
  Set(out, F::k_transaction_amount_vs_card_avg_30d,
      counts[2] > 1 ? Ratio(tx.amount, previous_sum / (counts[2] - 1)) : kMissing);
  Set(out, F::k_card_max_amount_vs_avg_14d, Ratio(max_14d, avg_30d));
  Set(out, F::k_card_hours_since_previous,
      card.lifetime == 0 ? kMissing : static_cast<float>(tx.at - card.last_at) / kSecondsPerHour);
  Set(out, F::k_card_lifetime_transactions, static_cast<float>(card.lifetime));
  Set(out, F::k_transaction_new_merchant_for_card,
      tx.merchant == kNoId ? kMissing : !Contains(card.merchants, tx.merchant));
  Set(out, F::k_transaction_new_location_for_card,
      tx.location == kNoId ? kMissing : !Contains(card.locations, tx.location));
  Set(out, F::k_card_known_frauds, static_cast<float>(card.known_frauds));
}

void TransactionFeatureEngine::MerchantFeatures(const Transaction& tx, std::span<float> out) const {
  using F = TransactionFeature;
  if (tx.merchant == kNoId) {
    for (int w = 0; w < 3; ++w) {
      Set(out, Offset(F::k_merchant_transactions_1d, 2 * w), kMissing);
      Set(out, Offset(F::k_merchant_fraud_rate_1d, 2 * w), kMissing);
    }
    Set(out, F::k_merchant_transactions_recent, kMissing);
    Set(out, F::k_merchant_known_fraud_rate, kMissing);
    return;
  }
  static const MerchantState kNewMerchant;
  const MerchantState& m = tx.merchant < merchants_.size() ? merchants_[tx.merchant] : kNewMerchant;
  const Timestamp window_end = tx.at - options_.label_delay;
  int counts[3] = {0, 0, 0}, frauds[3] = {0, 0, 0}, recent = 0;
  for (const MerchantTransaction& past : m.recent) {
    if (past.at > window_end) {
      ++recent;
      continue;
    }
    const bool fraud = past.label == 1 && past.label_known_at <= tx.at;
    for (int w = 0; w < 3; ++w) {
      if (past.at <= window_end - kWindowDays[w] * kDay) continue;
      ++counts[w];
      frauds[w] += fraud;
    }
  }
  for (int w = 0; w < 3; ++w) {
    Set(out, Offset(F::k_merchant_transactions_1d, 2 * w), static_cast<float>(counts[w]));
    Set(out, Offset(F::k_merchant_fraud_rate_1d, 2 * w),
        counts[w] == 0 ? 0.0f : static_cast<float>(frauds[w]) / counts[w]);
  }
  Set(out, F::k_merchant_transactions_recent, static_cast<float>(recent));
  Set(out, F::k_merchant_known_fraud_rate, Ratio(m.known_frauds, m.known_labels));
}

void TransactionFeatureEngine::Features(const Transaction& tx, std::span<float> out) const {
  using F = TransactionFeature;
  Set(out, F::k_transaction_amount, tx.amount);
  Set(out, F::k_transaction_during_weekend,
      LocalWeekday(tx.at, options_.local_offset_seconds) >= 5);
  const int hour = LocalHour(tx.at, options_.local_offset_seconds);
  Set(out, F::k_transaction_during_night, hour <= 6);
  Set(out, F::k_transaction_hour, static_cast<float>(hour));
  CardFeatures(tx, out);
  MerchantFeatures(tx, out);
}

void TransactionFeatureEngine::Apply(const Transaction& tx) {
  if (tx.card == kNoId) return;
  CardState& card = Grow(cards_, tx.card);
  while (!card.recent.empty() && card.recent.front().at <= tx.at - kCardHistory) {
    card.recent.pop_front();
  }
  card.recent.push_back({tx.at, tx.amount});
  card.last_at = tx.at;
  ++card.lifetime;
  if (tx.merchant != kNoId) Insert(card.merchants, tx.merchant);
  if (tx.location != kNoId) Insert(card.locations, tx.location);
  if (tx.merchant != kNoId) {
    MerchantState& m = Grow(merchants_, tx.merchant);
    const Timestamp horizon = tx.at - kCardHistory - options_.label_delay;
    while (!m.recent.empty() && m.recent.front().at <= horizon) m.recent.pop_front();
    m.recent.push_back({tx.at, tx.label_known_at, tx.label});
  }
  if (tx.label != kLabelUnknown) {
    pending_labels_.push({tx.label_known_at, tx.card, tx.merchant, tx.label, kLabelUnknown});
  }
}

void TransactionFeatureEngine::AddLabel(const Transaction& tx, int8_t label, Timestamp known_at,
                                        int8_t previous) {
  if (tx.card == kNoId || label == kLabelUnknown || label == previous) return;
  if (tx.merchant != kNoId && tx.merchant < merchants_.size()) {
    // The merchant window's entry for it, from the newest back.
    auto& recent = merchants_[tx.merchant].recent;
    for (auto it = recent.rbegin(); it != recent.rend() && it->at >= tx.at; ++it) {
      if (it->at == tx.at && it->label == previous) {
        it->label = label;
        it->label_known_at = known_at;
        break;
      }
    }
  }
  pending_labels_.push({known_at, tx.card, tx.merchant, label, previous});
}

void TransactionFeatureEngine::Process(const Transaction& tx, std::vector<float>* features) {
  RevealLabels(tx.at);
  if (features != nullptr) {
    features->resize(kTransactionVectorSize);
    Features(tx, *features);
  }
  Apply(tx);
}

}  // namespace vigil
