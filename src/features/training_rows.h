// Replaying the data lake through the feature engine: every order and return
// gets the vector the online path would have computed at that moment. Used
// to build training rows (with their eventual labels) and to batch-score.
#ifndef VIGIL_FEATURES_TRAINING_ROWS_H_
#define VIGIL_FEATURES_TRAINING_ROWS_H_

#include <functional>
#include <span>

#include "data/data_lake.h"
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

}  // namespace vigil

#endif  // VIGIL_FEATURES_TRAINING_ROWS_H_
