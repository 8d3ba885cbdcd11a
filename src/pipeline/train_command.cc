#include "pipeline/train_command.h"

#include <chrono>
#include <filesystem>

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

// Splits time-ordered rows into [before valid_from) and [valid_from, end).
void SplitAt(const Dataset& all, Timestamp valid_from, Dataset* train, Dataset* valid) {
  train->feature_names = valid->feature_names = all.feature_names;
  for (size_t i = 0; i < all.rows(); ++i) {
    Dataset* into = all.times[i] < valid_from ? train : valid;
    into->AddRow(all.row(i), all.labels[i], all.times[i], all.ids[i]);
  }
}

size_t Positives(const Dataset& d) {
  size_t n = 0;
  for (float label : d.labels) n += label > 0.5f;
  return n;
}

// --valid-from, or by default the time after which the last 20 % of the
// kind's labelled rows fall.
StatusOr<Timestamp> ValidationStart(const TrainRequest& request, const Dataset& rows) {
  if (request.valid_from.empty()) return rows.rows() == 0 ? 0 : rows.times[rows.rows() * 4 / 5];
  auto parsed = ParseTimestamp(request.valid_from, request.load.default_offset_seconds);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(fmt::format("--valid-from: {}", parsed.status().message()));
  }
  return parsed;
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
  ASSIGN_OR_RETURN(const Timestamp valid_from, ValidationStart(request, rows));
  Dataset train, valid;
  SplitAt(rows, valid_from, &train, &valid);
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
  if (text == "all") return std::vector<DecisionKind>{DecisionKind::kOrder, DecisionKind::kReturn};
  std::vector<DecisionKind> kinds;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    if (item == "order") {
      kinds.push_back(DecisionKind::kOrder);
    } else if (item == "return") {
      kinds.push_back(DecisionKind::kReturn);
    } else {
      return absl::InvalidArgumentError(
          fmt::format("--kind: unknown kind '{}' (want order, return or all)", item));
    }
    start = comma + 1;
  }
  return kinds;
}

StatusOr<TrainSummary> RunTrain(const TrainRequest& request, std::FILE* out) {
  FeatureEngine engine;
  fmt::print(out, "Reading {}\n", request.data_dir);
  auto phase = std::chrono::steady_clock::now();
  auto lake = LoadDataLake(request.data_dir, &engine.catalog(), request.load);
  if (!lake.ok()) return lake.status();
  lake->report.Print(out);
  fmt::print(out, "  read in {:.1f} s\n", SecondsSince(phase));
  engine.set_calendar(lake->festivals);
  const bool orders = std::count(request.kinds.begin(), request.kinds.end(), DecisionKind::kOrder);
  const bool returns =
      std::count(request.kinds.begin(), request.kinds.end(), DecisionKind::kReturn);
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
  ModelRegistry registry(request.models_dir);
  TrainSummary summary{.rejected_rows = lake->report.rejected_rows()};
  for (DecisionKind kind : request.kinds) {
    if (kind == DecisionKind::kReturn && !lake->has_returns) {
      fmt::print(out, "  return: skipped: no returns.csv in {}\n", request.data_dir);
      summary.kinds.push_back({.kind = kind, .skipped = true, .skip_reason = "no returns.csv"});
      continue;
    }
    const Dataset& data = kind == DecisionKind::kOrder ? rows.orders : rows.returns;
    ASSIGN_OR_RETURN(KindResult result, TrainKind(request, kind, data, registry, out));
    summary.kinds.push_back(std::move(result));
  }
  const bool any = std::any_of(summary.kinds.begin(), summary.kinds.end(),
                               [](const KindResult& r) { return !r.skipped; });
  if (!any) return absl::FailedPreconditionError("no model could be trained (see above)");
  return summary;
}

}  // namespace vigil
