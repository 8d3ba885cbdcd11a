#include "features/training_rows.h"

#include "common/progress.h"

namespace vigil {

int64_t Replay(const DataLake& lake, FeatureEngine* engine, const ReplayVisitor& visit) {
  ProgressBar progress("replaying events", static_cast<int64_t>(lake.events.size()));
  std::vector<float> features;
  int64_t applied = 0;
  constexpr size_t kLookahead = 8;
  const std::vector<Event>& events = lake.events;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i + kLookahead < events.size()) engine->Prefetch(events[i + kLookahead]);
    const Event& event = events[i];
    if (const auto kind = engine->Process(event, &features)) visit(*kind, event, features);
    if ((++applied & 0xFFFF) == 0) progress.Update(applied);
  }
  return applied;
}

TrainingRows BuildTrainingRows(const DataLake& lake, FeatureEngine* engine, bool orders,
                               bool returns) {
  TrainingRows rows;
  rows.orders.feature_names = FeatureNames(DecisionKind::kOrder);
  rows.returns.feature_names = FeatureNames(DecisionKind::kReturn);
  const Catalog& catalog = engine->catalog();
  Replay(lake, engine, [&](DecisionKind kind, const Event& e, std::span<const float> features) {
    if (kind == DecisionKind::kOrder && orders) {
      const int8_t label = lake.order_labels[e.order];
      if (label == kLabelUnknown) {
        ++rows.orders_without_outcome;
        return;
      }
      rows.orders.AddRow(features.data(), label, e.at, catalog.Name(Entity::kOrder, e.order));
    } else if (kind == DecisionKind::kReturn && returns) {
      const int8_t label = lake.return_labels[e.ret];
      if (label == kLabelUnknown) return;
      rows.returns.AddRow(features.data(), label, e.at, catalog.Name(Entity::kReturn, e.ret));
    }
  });
  return rows;
}

void ReplayTransactions(const TransactionLog& log, FeatureEngine* engine,
                        const TransactionVisitor& visit) {
  ProgressBar progress("replaying transactions", static_cast<int64_t>(log.transactions.size()));
  std::vector<float> features;
  int64_t applied = 0;
  for (const Transaction& tx : log.transactions) {
    engine->transactions().Process(tx, &features);
    visit(tx, features);
    if ((++applied & 0xFFFF) == 0) progress.Update(applied);
  }
}

Dataset BuildTransactionRows(const TransactionLog& log, FeatureEngine* engine, Timestamp from) {
  Dataset rows;
  rows.feature_names = FeatureNames(DecisionKind::kTransaction);
  ReplayTransactions(log, engine, [&](const Transaction& tx, std::span<const float> features) {
    if (tx.at < from || tx.label == kLabelUnknown) return;
    rows.AddRow(features.data(), tx.label, tx.at, log.ids[tx.row]);
  });
  return rows;
}

}  // namespace vigil
