// Replaying the data lake through the feature engine: every order and return
// gets the vector the online path would have computed at that moment. Used
// to build training rows (with their eventual labels) and to batch-score.
#ifndef VIGIL_FEATURES_TRAINING_ROWS_H_
#define VIGIL_FEATURES_TRAINING_ROWS_H_

#include <functional>
#include <span>

#include "data/data_lake.h"
#include "data/transaction_log.h"
#include "features/feature_engine.h"
#include "model/dataset.h"

namespace vigil {

// Called for each order.placed / return.requested with its point-in-time vector.
using ReplayVisitor =
    std::function<void(DecisionKind kind, const Event& event, std::span<const float> features)>;

// Applies every event of `lake` to `engine` in order, calling `visit` for
// the scored ones. Shows progress on a terminal. Returns events applied.
int64_t Replay(const DataLake& lake, FeatureEngine* engine, const ReplayVisitor& visit);

struct TrainingRows {
  Dataset orders;
  Dataset returns;
  int64_t orders_without_outcome = 0;  // still pending at the end: not trainable
};

// Builds labelled rows for the kinds asked. Order label: RTO or an abusive
// return; return label: is_abuse. Rows whose outcome is unknown are left out.
TrainingRows BuildTrainingRows(const DataLake& lake, FeatureEngine* engine, bool orders,
                               bool returns);

// Called for each transaction with its point-in-time vector.
using TransactionVisitor =
    std::function<void(const Transaction& tx, std::span<const float> features)>;

// Replays `log` through the engine's transaction state in time order.
void ReplayTransactions(const TransactionLog& log, FeatureEngine* engine,
                        const TransactionVisitor& visit);

// Labelled transaction rows at or after `from` (every row when `from` is
// 0); rows without is_fraud are left out. Earlier transactions still build
// the state.
Dataset BuildTransactionRows(const TransactionLog& log, FeatureEngine* engine, Timestamp from = 0);

}  // namespace vigil

#endif  // VIGIL_FEATURES_TRAINING_ROWS_H_
