#include "pipeline/train_command.h"

#include <chrono>
#include <filesystem>

#include "data/transaction_log.h"
#include "features/training_rows.h"
#include "fmt/format.h"
#include "model/model_artifacts.h"
#include "model/model_registry.h"

namespace vigil {
namespace {

// Seconds since `start`, for the phase timings printed to the operator.
double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Splits time-ordered rows into [train_from, valid_from) and [valid_from, end).
void SplitAt(const Dataset& all, Timestamp train_from, Timestamp valid_from, Dataset* train,
             Dataset* valid) {
  train->feature_names = valid->feature_names = all.feature_names;
  for (size_t i = 0; i < all.rows(); ++i) {
    if (all.times[i] < train_from && all.times[i] < valid_from) continue;
    Dataset* into = all.times[i] < valid_from ? train : valid;
    into->AddRow(all.row(i), all.labels[i], all.times[i], all.ids[i]);
  }
}

size_t Positives(const Dataset& d) {
  size_t n = 0;
  for (float label : d.labels) n += label > 0.5f;
  return n;
}

// The zone of a kind's naive timestamps, for --train-from and --valid-from.
int32_t KindOffset(const TrainRequest& request, DecisionKind kind) {
  return kind == DecisionKind::kTransaction ? request.load.transaction_offset_seconds
                                            : request.load.default_offset_seconds;
}

StatusOr<Timestamp> ParseFlagTime(const std::string& flag, const std::string& text,
                                  int32_t offset) {
  auto parsed = ParseTimestamp(text, offset);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", flag, parsed.status().message()));
  }
  return parsed;
}

// --train-from, or the beginning of time.
StatusOr<Timestamp> TrainingStart(const TrainRequest& request, DecisionKind kind) {
  if (request.train_from.empty()) return kBeginningOfTime;
  return ParseFlagTime("--train-from", request.train_from, KindOffset(request, kind));
}

// --valid-from, or by default the time after which the last 20 % of the
// kind's labelled rows (from --train-from on) fall.
StatusOr<Timestamp> ValidationStart(const TrainRequest& request, DecisionKind kind,
                                    const Dataset& rows, Timestamp train_from) {
  if (request.valid_from.empty()) {
    const auto first = std::lower_bound(rows.times.begin(), rows.times.end(), train_from);
    const size_t skipped = static_cast<size_t>(first - rows.times.begin());
    const size_t kept = rows.rows() - skipped;
    return kept == 0 ? 0 : rows.times[skipped + kept * 4 / 5];
  }
  return ParseFlagTime("--valid-from", request.valid_from, KindOffset(request, kind));
}

void PrintEvaluation(std::FILE* out, const KindResult& r) {
  const Evaluation& e = r.validation;
  fmt::print(out, "  {} model {} ({}): validation ROC-AUC {:.4f}, PR-AUC {:.4f}\n",
             DecisionKindName(r.kind), r.model_version, r.production ? "production" : "candidate",
             e.roc_auc, e.pr_auc);
  fmt::print(out, "    {} training rows, {} validation rows ({} positive, {:.1f} %)\n",
             r.train_rows, e.rows, e.positives, 100 * e.positive_rate);
  for (const ThresholdMetrics& t : e.thresholds) {
    if (t.flagged == 0) {
      fmt::print(out, "    at score >= {:.2f}: nothing flagged\n", t.threshold);
      continue;
    }
    fmt::print(out, "    at score >= {:.2f}: precision {:.3f}, recall {:.3f}, flags {:.1f} %\n",
               t.threshold, t.precision, t.recall, 100 * t.flagged_share);
  }
  fmt::print(out, "    report: {}\n", r.report_path);
}

StatusOr<KindResult> TrainKind(const TrainRequest& request, DecisionKind kind, const Dataset& rows,
                               ModelRegistry& registry, std::FILE* out) {
  KindResult result{.kind = kind};
  ASSIGN_OR_RETURN(const Timestamp train_from, TrainingStart(request, kind));
  ASSIGN_OR_RETURN(const Timestamp valid_from, ValidationStart(request, kind, rows, train_from));
  Dataset train, valid;
  SplitAt(rows, train_from, valid_from, &train, &valid);
  const std::string name(DecisionKindName(kind));
  auto skip = [&](std::string why) {
    result.skipped = true;
    result.skip_reason = std::move(why);
    fmt::print(out, "  {}: skipped: {}\n", name, result.skip_reason);
    return result;
  };
  if (rows.rows() == 0) return skip("no rows (is there data for it?)");
  if (valid.rows() == 0) return skip("no rows on or after --valid-from to validate on");
  const size_t positives = Positives(train);
  if (positives == 0 || positives == train.rows()) {
    return skip(fmt::format("the {} training rows have only one class", train.rows()));
  }
  fmt::print(out, "  {}: training on {} rows ({} positive), validating on {} from {}\n", name,
             train.rows(), positives, valid.rows(), FormatTimestamp(valid_from));
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(const TrainedModel model, TrainModel(train, request.train));
  fmt::print(out, "    trained {} rounds (best {}) in {:.1f} s\n", model.rounds,
             model.best_iteration + 1, SecondsSince(start));
  const auto thresholds = request.policy.ThresholdList(kind);
  ASSIGN_OR_RETURN(Evaluation evaluation, EvaluateTrainedModel(model, valid, thresholds));
  ModelArtifacts artifacts = MakeArtifacts(model, train, valid, evaluation);
  for (const FeatureSpec& spec : FeatureSpecs(kind)) {
    artifacts.manifest.feature_descriptions[std::string(spec.name)] = std::string(spec.description);
  }
  ASSIGN_OR_RETURN(result.version, registry.Publish(name, artifacts, request.promote));
  result.model_version = ModelVersionName(name, result.version);
  const auto production = registry.Production(name);
  result.production = production.ok() && *production == result.version;
  result.train_rows = train.rows();
  result.validation = std::move(evaluation);
  result.report_path = registry.VersionDir(name, result.version) + "/report.html";
  PrintEvaluation(out, result);
  return result;
}

}  // namespace

StatusOr<std::vector<DecisionKind>> ParseKinds(const std::string& text) {
  if (text == "all") {
    return std::vector<DecisionKind>{DecisionKind::kOrder, DecisionKind::kReturn,
                                     DecisionKind::kTransaction};
  }
  std::vector<DecisionKind> kinds;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    if (item == "order") {
      kinds.push_back(DecisionKind::kOrder);
    } else if (item == "return") {
      kinds.push_back(DecisionKind::kReturn);
    } else if (item == "transaction") {
      kinds.push_back(DecisionKind::kTransaction);
    } else {
      return absl::InvalidArgumentError(
          fmt::format("--kind: unknown kind '{}' (want order, return, transaction or all)", item));
    }
    start = comma + 1;
  }
  return kinds;
}

namespace {

bool Wants(const TrainRequest& request, DecisionKind kind) {
  return std::count(request.kinds.begin(), request.kinds.end(), kind) > 0;
}

// The data-lake directory of the request, unless it names another source.
HistorySource SourceOf(const TrainRequest& request) {
  if (request.history.has_value()) return *request.history;
  const std::string dir = request.data_dir;
  const LoadOptions load = request.load;
  return {.name = dir,
          .events = [dir, load](Catalog* catalog) { return LoadDataLake(dir, catalog, load); },
          .transactions = [dir, load](Catalog* catalog) -> StatusOr<TransactionLog> {
            if (!HasTransactionFile(dir)) {
              return absl::NotFoundError(fmt::format("no transactions.csv in {}", dir));
            }
            return LoadTransactions(dir, catalog, load);
          }};
}

// Orders and returns, from the marketplace's events.
Status TrainMarketplace(const TrainRequest& request, const HistorySource& source,
                        ModelRegistry& registry, std::FILE* out, TrainSummary* summary) {
  FeatureEngine engine;
  fmt::print(out, "Reading {}\n", source.name);
  auto phase = std::chrono::steady_clock::now();
  auto lake = source.events(&engine.catalog());
  if (!lake.ok()) return lake.status();
  lake->report.Print(out);
  fmt::print(out, "  read in {:.1f} s\n", SecondsSince(phase));
  engine.set_calendar(lake->festivals);
  const bool orders = Wants(request, DecisionKind::kOrder);
  const bool returns = Wants(request, DecisionKind::kReturn);
  fmt::print(out, "Replaying {} events into point-in-time rows\n", lake->events.size());
  phase = std::chrono::steady_clock::now();
  const TrainingRows rows = BuildTrainingRows(*lake, &engine, orders, returns && lake->has_returns);
  const double replay_seconds = SecondsSince(phase);
  fmt::print(out, "  replayed in {:.1f} s ({:.2f} M events/s, vectors included)\n", replay_seconds,
             lake->events.size() / replay_seconds / 1e6);
  if (rows.orders_without_outcome > 0) {
    fmt::print(out, "  {} recent orders have no final outcome yet and are left out\n",
               rows.orders_without_outcome);
  }
  summary->rejected_rows += lake->report.rejected_rows();
  for (DecisionKind kind : request.kinds) {
    if (kind == DecisionKind::kTransaction) continue;
    if (kind == DecisionKind::kReturn && !lake->has_returns) {
      fmt::print(out, "  return: skipped: no returns in {}\n", source.name);
      summary->kinds.push_back({.kind = kind, .skipped = true, .skip_reason = "no returns"});
      continue;
    }
    const Dataset& data = kind == DecisionKind::kOrder ? rows.orders : rows.returns;
    ASSIGN_OR_RETURN(KindResult result, TrainKind(request, kind, data, registry, out));
    summary->kinds.push_back(std::move(result));
  }
  return absl::OkStatus();
}

// Card transactions (transactions.csv of a lake).
Status TrainTransactions(const TrainRequest& request, const HistorySource& source,
                         ModelRegistry& registry, std::FILE* out, TrainSummary* summary) {
  constexpr DecisionKind kind = DecisionKind::kTransaction;
  FeatureEngine engine;
  engine.transactions().set_options(
      {.label_delay = request.load.label_delay,
       .local_offset_seconds = request.load.transaction_offset_seconds});
  fmt::print(out, "Reading transactions from {}\n", source.name);
  auto phase = std::chrono::steady_clock::now();
  auto read = source.transactions(&engine.catalog());
  if (absl::IsNotFound(read.status())) {
    fmt::print(out, "  transaction: skipped: {}\n", read.status().message());
    summary->kinds.push_back(
        {.kind = kind, .skipped = true, .skip_reason = std::string(read.status().message())});
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(read.status());
  const TransactionLog& log = *read;
  log.report.Print(out);
  fmt::print(out, "  read {} transactions in {:.1f} s\n", log.transactions.size(),
             SecondsSince(phase));
  summary->rejected_rows += log.report.rejected_rows();
  ASSIGN_OR_RETURN(const Timestamp train_from, TrainingStart(request, kind));
  phase = std::chrono::steady_clock::now();
  const Dataset rows = BuildTransactionRows(log, &engine, train_from);
  fmt::print(out, "  replayed into {} labelled rows in {:.1f} s\n", rows.rows(),
             SecondsSince(phase));
  ASSIGN_OR_RETURN(KindResult result, TrainKind(request, kind, rows, registry, out));
  summary->kinds.push_back(std::move(result));
  return absl::OkStatus();
}

}  // namespace

StatusOr<TrainSummary> RunTrain(const TrainRequest& request, std::FILE* out) {
  ModelRegistry registry(request.models_dir);
  TrainSummary summary;
  const HistorySource source = SourceOf(request);
  const bool transactions = Wants(request, DecisionKind::kTransaction);
  if (Wants(request, DecisionKind::kOrder) || Wants(request, DecisionKind::kReturn)) {
    const Status status = TrainMarketplace(request, source, registry, out, &summary);
    // A directory of card transactions alone is fine for --kind all.
    const bool has_transactions =
        transactions && (request.history.has_value() || HasTransactionFile(request.data_dir));
    if (!status.ok() && !has_transactions) return status;
    if (!status.ok()) {
      for (DecisionKind kind : request.kinds) {
        if (kind == DecisionKind::kTransaction) continue;
        fmt::print(out, "  {}: skipped: {}\n", DecisionKindName(kind), status.message());
        summary.kinds.push_back(
            {.kind = kind, .skipped = true, .skip_reason = std::string(status.message())});
      }
    }
  }
  if (transactions) RETURN_IF_ERROR(TrainTransactions(request, source, registry, out, &summary));
  const bool any = std::any_of(summary.kinds.begin(), summary.kinds.end(),
                               [](const KindResult& r) { return !r.skipped; });
  if (!any) return absl::FailedPreconditionError("no model could be trained (see above)");
  return summary;
}

}  // namespace vigil
