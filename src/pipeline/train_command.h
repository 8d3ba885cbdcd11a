// The batch path of the first seed as one call: read the data lake, replay it
// into point-in-time rows, train per kind with XGBoost, evaluate on the later
// period, and publish a model version with its report. `vigil train` is a
// thin wrapper around RunTrain.
#ifndef VIGIL_PIPELINE_TRAIN_COMMAND_H_
#define VIGIL_PIPELINE_TRAIN_COMMAND_H_

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/data_lake.h"
#include "data/transaction_log.h"
#include "decision/policy.h"
#include "model/evaluation.h"
#include "model/trainer.h"

namespace vigil {

// Where training reads its history. By default the data-lake directory
// TrainRequest::data_dir; `vigil train --data-dir` reads a store's instead.
struct HistorySource {
  std::string name;  // for messages: "data/", "the store in store/"
  // The marketplace's events and labels; ids interned into the catalog.
  std::function<StatusOr<DataLake>(Catalog*)> events;
  // Card transactions; NotFound when the source has none.
  std::function<StatusOr<TransactionLog>(Catalog*)> transactions;
};

struct TrainRequest {
  std::string data_dir;
  // When set, read instead of data_dir.
  std::optional<HistorySource> history;
  std::string models_dir;
  std::vector<DecisionKind> kinds = {DecisionKind::kOrder, DecisionKind::kReturn};
  // Rows at or after this time are validation; "" = the last 20 % of the period.
  std::string valid_from;
  // Rows before this time are not trained on (they still build feature
  // state); "" = every row.
  std::string train_from;
  bool promote = false;  // the first model of a kind is promoted regardless
  LoadOptions load;
  TrainOptions train;
  Policy policy;
};

struct KindResult {
  DecisionKind kind;
  bool skipped = false;
  std::string skip_reason;
  std::string version;  // "v2"
  std::string model_version;
  bool production = false;
  size_t train_rows = 0;
  Evaluation validation;
  std::string report_path;
};

struct TrainSummary {
  std::vector<KindResult> kinds;
  int64_t rejected_rows = 0;
};

// Parses "all", "order", "return", "transaction" (comma-separated lists
// allowed). "all" trains each kind whose file the data directory has.
[[nodiscard]] StatusOr<std::vector<DecisionKind>> ParseKinds(const std::string& text);

// Progress and results go to `out` (a person reads them). Fails when the
// data cannot be read at all, or when no kind could be trained. Order and
// return models come from the marketplace files, the transaction model
// from transactions.csv; a directory may hold either or both.
[[nodiscard]] StatusOr<TrainSummary> RunTrain(const TrainRequest& request, std::FILE* out);

}  // namespace vigil

#endif  // VIGIL_PIPELINE_TRAIN_COMMAND_H_
