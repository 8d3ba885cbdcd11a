// TransactionFeatureEngine: point-in-time features of card transactions
// (feature_registry.h, VIGIL_TRANSACTION_FEATURES), computed by replaying
// transactions in time order. The same Process() call serves offline replay
// (training rows, batch scoring) and the online path.
//
// Card windows cover (t - n days, t] and include the current transaction.
// Merchant windows cover (t - n days - label_delay, t - label_delay]: by then
// the labels of the transactions in them are known, and a fraud counts only
// once its label is known (Transaction::label_known_at <= t). With labels
// known exactly label_delay after each transaction, these are the features
// of the Fraud Detection Handbook.
//
// Not thread-safe: one writer at a time.
#ifndef VIGIL_FEATURES_TRANSACTION_FEATURE_ENGINE_H_
#define VIGIL_FEATURES_TRANSACTION_FEATURE_ENGINE_H_

#include <deque>
#include <queue>
#include <span>
#include <vector>

#include "common/time.h"
#include "data/transaction_log.h"
#include "features/feature_registry.h"

namespace vigil {

struct TransactionFeatureOptions {
  // How long after a transaction its label is known (when it carries no
  // time of its own); the merchant windows end this long ago.
  Timestamp label_delay = 7 * kSecondsPerDay;
  // Zone of the local hour and weekday.
  int32_t local_offset_seconds = 0;
};

class TransactionFeatureEngine {
 public:
  explicit TransactionFeatureEngine(TransactionFeatureOptions options = {}) : options_(options) {}

  const TransactionFeatureOptions& options() const { return options_; }
  void set_options(const TransactionFeatureOptions& options) { options_ = options; }

  // Writes the vector of `tx` (kTransactionVectorSize values) as known at
  // tx.at, then applies it. Transactions are expected in time order.
  void Process(const Transaction& tx, std::vector<float>* features);

  // A label learnt after `tx` was processed (online: the customer denied or
  // confirmed the payment): it counts from `known_at` on, as if `tx` had
  // carried it. `tx` must be the transaction as processed. A correction
  // names the label it replaces in `previous` (given to this engine before):
  // from `known_at` on, the tallies count the new label instead, and the
  // merchant's windows see only the new one.
  void AddLabel(const Transaction& tx, int8_t label, Timestamp known_at,
                int8_t previous = kLabelUnknown);

 private:
  struct CardTransaction {
    Timestamp at;
    float amount;
  };
  struct CardState {
    std::deque<CardTransaction> recent;  // the last 30 days
    Timestamp last_at = 0;
    uint32_t lifetime = 0;
    uint32_t known_frauds = 0;
    std::vector<uint32_t> merchants;  // sorted
    std::vector<uint32_t> locations;  // sorted
  };
  struct MerchantTransaction {
    Timestamp at;
    Timestamp label_known_at;
    int8_t label;
  };
  struct MerchantState {
    std::deque<MerchantTransaction> recent;  // the last 30 days + label_delay
    uint32_t known_labels = 0;
    uint32_t known_frauds = 0;
  };
  struct PendingLabel {
    Timestamp known_at;
    uint32_t card;
    uint32_t merchant;
    int8_t label;
    int8_t previous;  // the label this one replaces, or kLabelUnknown
    bool operator>(const PendingLabel& other) const { return known_at > other.known_at; }
  };

  // Makes the labels known by `now` count in the lifetime tallies.
  void RevealLabels(Timestamp now);
  void Features(const Transaction& tx, std::span<float> out) const;
  void CardFeatures(const Transaction& tx, std::span<float> out) const;
  void MerchantFeatures(const Transaction& tx, std::span<float> out) const;
  void Apply(const Transaction& tx);

  TransactionFeatureOptions options_;
  std::vector<CardState> cards_;
  std::vector<MerchantState> merchants_;
  std::priority_queue<PendingLabel, std::vector<PendingLabel>, std::greater<>> pending_labels_;
};

}  // namespace vigil

#endif  // VIGIL_FEATURES_TRANSACTION_FEATURE_ENGINE_H_
