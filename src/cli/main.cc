// vigil: one binary, one subcommand per job. This file only parses flags and
// calls the library; every command's work lives in the layers below.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "features/feature_registry.h"
#include "fmt/format.h"
#include "generate/marketplace_generator.h"
#include "model/model_registry.h"
#include "pipeline/explain_command.h"
#include "pipeline/fraud_benchmark.h"
#include "pipeline/load_flags.h"
#include "pipeline/score_command.h"
#include "pipeline/train_command.h"
#include "seed/lake_replay.h"
#include "seed/seed_command.h"
#include "service/admin_commands.h"
#include "service/ingest_command.h"
#include "service/serve_command.h"
#include "service/serve_config.h"
#include "service/store_history.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

int Fail(const Status& status) {
  fmt::print(stderr, "vigil: {}\n", status.message());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Generate(const GeneratorOptions& options) {
  auto summary = GenerateMarketplace(options);
  if (!summary.ok()) return Fail(summary.status());
  fmt::print(
      "Wrote {}: {} customers, {} products, {} orders ({} RTO), {} returns ({} abusive), "
      "{} card payments ({} fraud)\n",
      options.out_dir, summary->customers, summary->products, summary->orders, summary->rto_orders,
      summary->returns, summary->abusive_returns, summary->transactions,
      summary->fraud_transactions);
  if (summary->days_past_calendar > 0) {
    fmt::print(stderr,
               "vigil generate: warning: the last {} days come after the shipped festival "
               "calendar, which ends {}: no festival or sale demand there, and no "
               "days-to-festival feature for their orders\n",
               summary->days_past_calendar, summary->calendar_last_day);
  }
  return 0;
}

// --columns, --timezone and --label-delay-days, shared by train and score.
struct LoadFlags {
  std::string columns;
  std::string timezone;
  double label_delay_days = 7;

  void AddTo(CLI::App* command) {
    command->add_option("--columns", columns,
                        "Column mapping ours=theirs,... (e.g. user_id=CUSTOMER_ID)");
    command->add_option("--timezone", timezone,
                        "Zone of timestamps without one: UTC, IST or +05:30 (default: IST for "
                        "the marketplace files, UTC for transactions.csv)");
    command
        ->add_option("--label-delay-days", label_delay_days,
                     "Days after a transaction its fraud label is known, without labeled_at")
        ->check(CLI::Range(0.0, 365.0));
  }
  Status Apply(LoadOptions* load) const {
    if (!columns.empty()) {
      ASSIGN_OR_RETURN(load->column_names, ParseColumnMapping(columns));
    }
    if (!timezone.empty()) {
      ASSIGN_OR_RETURN(const int32_t offset, ParseTimeZone(timezone));
      load->default_offset_seconds = load->transaction_offset_seconds = offset;
    }
    load->label_delay = static_cast<Timestamp>(label_delay_days * kSecondsPerDay);
    return absl::OkStatus();
  }
};

// `vigil train --data DIR` reads a data lake; `--data-dir STORE` the
// history of a deployment's store, analysts' labels included.
int Train(TrainRequest request, const std::string& kinds, const LoadFlags& flags,
          const std::string& store_dir) {
  auto parsed = ParseKinds(kinds);
  if (!parsed.ok()) return Fail(parsed.status());
  if (Status s = flags.Apply(&request.load); !s.ok()) return Fail(s);
  request.kinds = *parsed;
  std::unique_ptr<Store> store;
  if (!store_dir.empty()) {
    if (!std::filesystem::exists(std::filesystem::path(store_dir) / "vigil.db")) {
      return Fail(absl::NotFoundError(
          fmt::format("--data-dir: no store in {} (no vigil.db; `vigil ingest` or `vigil serve` "
                      "makes one)",
                      store_dir)));
    }
    auto opened = OpenSqliteStore(store_dir);
    if (!opened.ok()) return Fail(opened.status());
    store = *std::move(opened);
    const LoadOptions load = request.load;
    request.history = HistorySource{
        .name = fmt::format("the store in {}", store_dir),
        .events =
            [&store, store_dir, load](Catalog* catalog) {
              return ReadEventHistory(*store, store_dir, catalog, load);
            },
        .transactions =
            [&store](Catalog* catalog) { return ReadTransactionHistory(*store, catalog); }};
  }
  auto summary = RunTrain(request, stdout);
  return summary.ok() ? 0 : Fail(summary.status());
}

int Score(ScoreRequest request, const std::string& kind, const LoadFlags& flags) {
  auto parsed = ParseKinds(kind);
  if (!parsed.ok() || parsed->size() != 1) {
    return Fail(absl::InvalidArgumentError("--kind: want order, return or transaction"));
  }
  request.kind = parsed->front();
  if (Status s = flags.Apply(&request.load); !s.ok()) return Fail(s);
  auto summary = RunScore(request, stderr);
  return summary.ok() ? 0 : Fail(summary.status());
}

int FraudBenchmark(FraudBenchmarkRequest request, const LoadFlags& flags) {
  if (Status s = flags.Apply(&request.load); !s.ok()) return Fail(s);
  auto result = RunFraudBenchmark(request);
  if (!result.ok()) return Fail(result.status());
  fmt::print("test transactions: {} ({} frauds, {:.2f} %); {} of known compromised cards removed\n",
             result->transactions, result->frauds,
             100.0 * result->frauds / std::max<size_t>(1, result->transactions), result->removed);
  fmt::print("AUC ROC {:.3f}  Average precision {:.3f}  Card Precision@{} {:.3f}\n",
             result->roc_auc, result->average_precision, request.top_k, result->card_precision);
  fmt::print("daily CP@{}:", request.top_k);
  for (double p : result->daily_card_precision) fmt::print(" {:.2f}", p);
  fmt::print("\n");
  return 0;
}

int ListModels(const std::string& models_dir, const std::string& kind) {
  ModelRegistry registry(models_dir);
  auto versions = registry.List(kind);
  if (!versions.ok()) return Fail(versions.status());
  fmt::print("{:<11} {:<14} {:<11} {:>8} {:>8} {:>9} {:>9}  {}\n", "kind", "model_version",
             "status", "roc_auc", "pr_auc", "train", "valid", "created_at");
  for (const ModelVersionInfo& v : *versions) {
    const std::string status = !v.problem.empty() ? "broken" : v.production ? "production" : "";
    fmt::print("{:<11} {:<14} {:<11} {:>8.4f} {:>8.4f} {:>9} {:>9}  {}\n", v.kind, v.model_version,
               status, v.roc_auc, v.pr_auc, v.train_rows, v.valid_rows, v.created_at);
    if (!v.problem.empty()) fmt::print("         problem: {}\n", v.problem);
  }
  return 0;
}

int Explain(ExplainRequest request, const std::string& kind) {
  auto parsed = ParseKinds(kind);
  if (!parsed.ok() || parsed->size() != 1) {
    return Fail(absl::InvalidArgumentError("--kind: want order or return"));
  }
  request.kind = parsed->front();
  auto decision = RunExplain(request);
  if (!decision.ok()) return Fail(decision.status());
  fmt::print("{}\n", decision->dump(2));
  return 0;
}

// The feature registry as a table: what each feature means.
int ListFeatures(const std::string& kinds) {
  auto parsed = ParseKinds(kinds);
  if (!parsed.ok()) return Fail(parsed.status());
  for (DecisionKind kind : *parsed) {
    fmt::print("{} features ({}):\n", DecisionKindName(kind), FeatureSpecs(kind).size());
    for (const FeatureSpec& spec : FeatureSpecs(kind)) {
      fmt::print("  {:<38} {:<9} {}\n", spec.name, spec.unit, spec.description);
    }
  }
  return 0;
}

// generate + train, on the embedded defaults: what `make demo` runs.
int Demo(const std::string& dir, int64_t customers, const std::string& start) {
  const std::string data = (std::filesystem::path(dir) / "data").string();
  const std::string models = (std::filesystem::path(dir) / "models").string();
  std::filesystem::remove_all(models);
  GeneratorOptions generate{.out_dir = data, .customers = customers};
  if (!start.empty()) generate.start = start;
  if (int rc = Generate(generate); rc != 0) return rc;
  TrainRequest train{
      .data_dir = data,
      .models_dir = models,
      .kinds = {DecisionKind::kOrder, DecisionKind::kReturn, DecisionKind::kTransaction}};
  auto summary = RunTrain(train, stdout);
  if (!summary.ok()) return Fail(summary.status());
  fmt::print("\nDone. Models in {}:\n", models);
  for (const KindResult& k : summary->kinds) {
    if (k.skipped) {
      fmt::print("  {:<12} skipped: {}\n", DecisionKindName(k.kind), k.skip_reason);
      continue;
    }
    fmt::print("  {:<12} {}validation ROC-AUC {:.4f}, PR-AUC {:.4f}  {}\n", k.model_version,
               k.production ? "production, " : "", k.validation.roc_auc, k.validation.pr_auc,
               k.report_path);
  }
  fmt::print(
      "Score them with:\n  vigil score --data {} --models {} --kind order --out "
      "{}/order_scores.csv\n(--kind return or transaction for the others)\n",
      data, models, dir);
  return 0;
}

// Settings: the TOML file, then VIGIL_* environment variables, then flags.
struct ServeFlags {
  std::string config_path, data_dir, models_dir, bind;
  int port = -1;
};

int Serve(const ServeFlags& flags) {
  ServeConfig config;
  if (!flags.config_path.empty()) {
    auto loaded = LoadServeConfig(flags.config_path);
    if (!loaded.ok()) return Fail(loaded.status());
    config = *std::move(loaded);
  }
  if (Status s = ApplyEnvironment(&config); !s.ok()) return Fail(s);
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.models_dir.empty()) config.models_dir = flags.models_dir;
  if (!flags.bind.empty()) config.bind = flags.bind;
  if (flags.port >= 0) config.port = flags.port;
  const Status s = RunServe(config, stderr);
  return s.ok() ? 0 : Fail(s);
}

int Ingest(const IngestRequest& request) {
  auto summary = RunIngest(request, stderr);
  if (!summary.ok()) return Fail(summary.status());
  fmt::print("Ingested {}: {} events, {} new, {} already in {} ({:.1f} s)\n", request.data_dir,
             summary->events, summary->new_events, summary->duplicates, request.store_dir,
             summary->seconds);
  if (summary->transactions > 0) {
    fmt::print("  and {} card payments of transactions.csv, {} new (settled, as history)\n",
               summary->transactions, summary->new_transactions);
  }
  if (request.until) {
    const std::string from = FormatTimestampWithOffset(*request.until, kIstOffsetSeconds);
    fmt::print(
        "  held back from {}: {} events (`vigil replay --from {}` sends them through the "
        "API) and {} card payments (ingest again without --until to load them)\n",
        from, summary->held_back, from, summary->held_back_transactions);
  }
  return 0;
}

int Seed(const SeedRequest& request) {
  auto summary = RunSeed(request, NowSeconds());
  if (!summary.ok()) return Fail(summary.status());
  fmt::print("{}", FormatSeedSummary(*summary));
  return 0;
}

// A flag's ISO-8601 date or time (IST without an offset), or an error
// naming the flag.
StatusOr<Timestamp> FlagTime(std::string_view flag, const std::string& text) {
  auto at = ParseTimestamp(text);
  if (!at.ok()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", flag, at.status().message()));
  }
  return *at;
}

int Replay(ReplayRequest request, const std::string& from, const std::string& until) {
  auto from_at = FlagTime("--from", from);
  if (!from_at.ok()) return Fail(from_at.status());
  request.from = *from_at;
  if (!until.empty()) {
    auto until_at = FlagTime("--until", until);
    if (!until_at.ok()) return Fail(until_at.status());
    request.until = *until_at;
  }
  auto summary = ReplayLake(request, stderr);
  if (!summary.ok()) return Fail(summary.status());
  fmt::print("{}", FormatReplaySummary(*summary));
  return 0;
}

int Check(const Status& status) { return status.ok() ? 0 : Fail(status); }

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  CLI::App app{"Vigil: real-time risk for e-commerce orders, returns and payments"};
  app.require_subcommand(1);

  GeneratorOptions gen;
  auto* generate = app.add_subcommand("generate", "Write a synthetic Indian marketplace");
  generate->add_option("--out", gen.out_dir, "Directory to write into")->required();
  generate->add_option("--customers", gen.customers, "Number of customers")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  generate->add_option("--days", gen.days, "Days of history")->check(CLI::Range(1, 3650));
  generate->add_option("--start", gen.start, "First day, YYYY-MM-DD");
  generate->add_option("--seed", gen.seed, "Random seed (same seed, same files)");

  TrainRequest train;
  std::string train_kinds = "all";
  LoadFlags train_flags;
  auto* train_cmd =
      app.add_subcommand("train", "Train order/return/transaction models from a data directory");
  std::string train_store;
  auto* train_source = train_cmd->add_option_group("source", "What to train on (one of)");
  train_source->add_option("--data", train.data_dir, "Data directory (DESIGN.md format)");
  train_source->add_option(
      "--data-dir", train_store,
      "Or a store directory of `vigil serve`: its event log, analysts' labels and payments");
  train_source->require_option(1);
  train_cmd->add_option("--models", train.models_dir, "Model registry directory")->required();
  train_cmd->add_option("--kind", train_kinds,
                        "order, return, transaction or all (each kind whose file exists)");
  train_cmd->add_option("--train-from", train.train_from,
                        "Train only on rows from this date or time (earlier ones build state)");
  train_flags.AddTo(train_cmd);
  train_cmd->add_option("--max-rounds", train.train.max_rounds, "Most boosting rounds")
      ->check(CLI::Range(1, 100000));
  train_cmd
      ->add_option("--early-stopping-rounds", train.train.early_stopping_rounds,
                   "Stop after this many rounds without a better held-out AUC")
      ->check(CLI::Range(1, 100000));
  train_cmd->add_option("--max-depth", train.train.max_depth, "Tree depth")
      ->check(CLI::Range(1, 20));
  train_cmd->add_option("--eta", train.train.eta, "Learning rate")->check(CLI::Range(0.001, 1.0));
  train_cmd->add_option("--balance-classes", train.train.balance_classes,
                        "Weight positives by negatives/positives while boosting (default true)");
  train_cmd->add_option("--valid-from", train.valid_from,
                        "Validate on rows from this date or time (default: last 20 %)");
  train_cmd->add_flag("--promote", train.promote, "Make the new model production");
  train_cmd->add_option("--threads", train.train.nthread, "XGBoost threads")
      ->check(CLI::Range(1, 64));

  ScoreRequest score;
  std::string score_kind;
  LoadFlags score_flags;
  auto* score_cmd = app.add_subcommand(
      "score", "Score every order, return or transaction with the production model");
  score_cmd->add_option("--data", score.data_dir, "Data directory")->required();
  score_cmd->add_option("--models", score.models_dir, "Model registry directory")->required();
  score_cmd->add_option("--kind", score_kind, "order, return or transaction")->required();
  score_flags.AddTo(score_cmd);
  score_cmd->add_option("--out", score.out_path, "Output CSV")->required();

  FraudBenchmarkRequest bench;
  LoadFlags bench_flags;
  auto* bench_cmd = app.add_subcommand(
      "fraud-benchmark",
      "The Fraud Detection Handbook's test protocol on transaction scores (BENCHMARKS.md)");
  bench_cmd->add_option("--data", bench.data_dir, "Data directory with transactions.csv(.gz)")
      ->required();
  bench_cmd->add_option("--scores", bench.scores_path,
                        "vigil score's CSV (default: a constant score, the chance baseline)");
  bench_cmd
      ->add_option("--known-from", bench.known_from,
                   "First day whose frauds mark cards as compromised (the training start)")
      ->required();
  bench_cmd->add_option("--test-from", bench.test_from, "First test day")->required();
  bench_cmd->add_option("--test-days", bench.test_days, "Test days")->check(CLI::Range(1, 366));
  bench_cmd
      ->add_option("--delay-days", bench.delay_days,
                   "Cards with a fraud before test day - delay - 1 are dropped")
      ->check(CLI::Range(0, 366));
  bench_cmd->add_option("--top-k", bench.top_k, "k of Card Precision@k")
      ->check(CLI::Range(1, 1000000));
  bench_flags.AddTo(bench_cmd);

  ExplainRequest explain;
  std::string explain_kind;
  auto* explain_cmd = app.add_subcommand(
      "explain", "The decision for one order or return, with its reasons, as JSON");
  explain_cmd->add_option("--data", explain.data_dir, "Data directory")->required();
  explain_cmd->add_option("--models", explain.models_dir, "Model registry directory")->required();
  explain_cmd->add_option("--kind", explain_kind, "order or return")->required();
  explain_cmd->add_option("--id", explain.id, "order_id or return_id")->required();
  explain_cmd->add_option("--language", explain.language, "en or hi");
  explain_cmd->add_flag("--all-factors", explain.all_factors,
                        "Every feature's contribution and the bias");

  std::string models_dir, model_kind, model_version;
  auto* models = app.add_subcommand("models", "List, promote or roll back model versions");
  models->require_subcommand(1);
  auto* list = models->add_subcommand("list", "List versions");
  list->add_option("--models", models_dir, "Model registry directory")->required();
  list->add_option("--kind", model_kind, "Only this kind");
  auto* promote = models->add_subcommand("promote", "Make a version production");
  promote->add_option("--models", models_dir, "Model registry directory")->required();
  promote->add_option("--kind", model_kind, "order, return or transaction")->required();
  promote->add_option("--version", model_version, "v3 or order-v3")->required();
  auto* rollback = models->add_subcommand("rollback", "Return to the previous production version");
  rollback->add_option("--models", models_dir, "Model registry directory")->required();
  rollback->add_option("--kind", model_kind, "order, return or transaction")->required();

  std::string feature_kinds = "all";
  auto* features = app.add_subcommand("features", "Describe the features the models see");
  features->add_option("--kind", feature_kinds, "order, return, transaction or all");

  std::string demo_dir = "demo";
  int64_t demo_customers = 50000;
  std::string demo_start;
  auto* demo = app.add_subcommand(
      "demo", "Generate a marketplace and train its order, return and transaction models");
  demo->add_option("--dir", demo_dir, "Working directory");
  demo->add_option("--customers", demo_customers, "Customers to generate")
      ->check(CLI::Range(int64_t{100}, int64_t{10'000'000}));
  demo->add_option("--start", demo_start,
                   "First day of the history, YYYY-MM-DD (default 2025-07-15; it lasts 120 days)");

  ServeFlags serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the real-time risk API");
  serve_cmd->add_option("--config", serve.config_path, "TOML settings (docs/configuration.md)");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Store directory (default vigil-data)");
  serve_cmd->add_option("--models", serve.models_dir, "Model registry directory");
  serve_cmd->add_option("--bind", serve.bind, "Address to listen on (default 127.0.0.1)");
  serve_cmd->add_option("--port", serve.port, "Port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));

  IngestRequest ingest;
  auto* ingest_cmd =
      app.add_subcommand("ingest", "Load a data directory's history into a service store");
  ingest_cmd->add_option("--data", ingest.data_dir, "Data directory (DESIGN.md format)")
      ->required();
  ingest_cmd->add_option("--data-dir", ingest.store_dir, "Store directory of `vigil serve`")
      ->required();
  std::string ingest_until;
  ingest_cmd->add_option("--until", ingest_until,
                         "Load only what happened before this ISO-8601 date or time (India time "
                         "without an offset); `vigil replay --from` sends the rest");

  std::string keys_dir, key_role, key_name, key_id;
  auto* keys = app.add_subcommand("keys", "Create, list or revoke API keys");
  keys->require_subcommand(1);
  auto* key_create = keys->add_subcommand("create", "Create a key and print it (only once)");
  key_create->add_option("--data-dir", keys_dir, "Store directory")->required();
  key_create->add_option("--role", key_role, "scorer, analyst or admin")->required();
  key_create->add_option("--name", key_name, "Who or what uses it");
  auto* key_list = keys->add_subcommand("list", "List keys (never the keys themselves)");
  key_list->add_option("--data-dir", keys_dir, "Store directory")->required();
  auto* key_revoke = keys->add_subcommand("revoke", "Revoke a key by its id");
  key_revoke->add_option("--data-dir", keys_dir, "Store directory")->required();
  key_revoke->add_option("--id", key_id, "key_... as `keys list` shows")->required();

  SeedRequest seed;
  auto* seed_cmd = app.add_subcommand(
      "seed", "Demo accounts and payments (some fraud-like) into a running server or its store");
  seed_cmd->add_option("--data-dir", seed.data_dir, "Store directory of `vigil serve` (embedded)");
  seed_cmd->add_option("--url", seed.url, "Or a running vigil serve, e.g. http://127.0.0.1:8080");
  seed_cmd->add_option("--api-key", seed.api_key, "With --url: a key for both (admin for accounts)")
      ->envname("VIGIL_API_KEY");
  seed_cmd->add_option("--admin-key", seed.admin_key, "With --url: an admin key for the accounts")
      ->envname("VIGIL_ADMIN_KEY");
  seed_cmd->add_option("--scorer-key", seed.scorer_key, "With --url: a scorer key for the payments")
      ->envname("VIGIL_SCORER_KEY");
  seed_cmd->add_option("--accounts", seed.plan.accounts, "Accounts user_001, ... (default 20)");
  seed_cmd->add_option("--transactions", seed.plan.transactions, "Payments (default 200)");
  seed_cmd->add_option("--seed", seed.plan.seed, "Random seed (same seed, same data and ids)");
  seed_cmd->add_option("--fraud-share", seed.plan.fraud_share,
                       "Share of fraud-like payments (default 0.05)");
  seed_cmd->add_option("--rate", seed.rate,
                       "With --url: payments per second (default 0: as fast as it answers)");
  seed_cmd->add_option("--what", seed.what, "accounts, transactions or all (default)");

  ReplayRequest replay;
  replay.url = "http://127.0.0.1:8080";
  std::string replay_from, replay_until;
  auto* replay_cmd = app.add_subcommand(
      "replay", "Send a lake's history from a moment on through a running server's API");
  replay_cmd->add_option("--data", replay.data_dir, "Data directory (DESIGN.md format)")
      ->required();
  replay_cmd
      ->add_option("--from", replay_from,
                   "ISO-8601 date or time (India time without an offset): what happened "
                   "from then on (as held back by `vigil ingest --until`)")
      ->required();
  replay_cmd->add_option("--until", replay_until, "And before this date or time");
  replay_cmd->add_option("--url", replay.url,
                         "The running vigil serve (default http://127.0.0.1:8080)");
  replay_cmd->add_option("--key", replay.api_key, "A scorer or admin API key")
      ->envname("VIGIL_API_KEY");
  replay_cmd->add_option("--rate", replay.rate,
                         "Requests per second (default 0: as fast as the server answers)");

  std::string archive_dir;
  int archive_days = 90;
  auto* archive = app.add_subcommand("archive", "Move old decisions to compressed files");
  archive->add_option("--data-dir", archive_dir, "Store directory")->required();
  archive->add_option("--older-than-days", archive_days, "Age in days (default 90)")
      ->check(CLI::Range(1, 36500));

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return Serve(serve);
  if (ingest_cmd->parsed()) {
    if (!ingest_until.empty()) {
      auto until = FlagTime("--until", ingest_until);
      if (!until.ok()) return Fail(until.status());
      ingest.until = *until;
    }
    return Ingest(ingest);
  }
  if (key_create->parsed()) {
    return Check(RunKeysCreate(keys_dir, key_role, key_name, stdout, stderr));
  }
  if (key_list->parsed()) return Check(RunKeysList(keys_dir, stdout));
  if (key_revoke->parsed()) return Check(RunKeysRevoke(keys_dir, key_id, stdout));
  if (archive->parsed()) return Check(RunArchive(archive_dir, archive_days, stdout));
  if (seed_cmd->parsed()) return Seed(seed);
  if (replay_cmd->parsed()) return Replay(replay, replay_from, replay_until);

  if (generate->parsed()) return Generate(gen);
  if (train_cmd->parsed()) return Train(train, train_kinds, train_flags, train_store);
  if (score_cmd->parsed()) return Score(score, score_kind, score_flags);
  if (bench_cmd->parsed()) return FraudBenchmark(bench, bench_flags);
  if (explain_cmd->parsed()) return Explain(explain, explain_kind);
  if (demo->parsed()) return Demo(demo_dir, demo_customers, demo_start);
  if (features->parsed()) return ListFeatures(feature_kinds);
  ModelRegistry registry(models_dir);
  if (list->parsed()) return ListModels(models_dir, model_kind);
  if (promote->parsed()) {
    const Status status = registry.Promote(model_kind, model_version);
    if (!status.ok()) return Fail(status);
    fmt::print("{} {} is now production\n", model_kind, model_version);
    return 0;
  }
  auto back = registry.Rollback(model_kind);
  if (!back.ok()) return Fail(back.status());
  fmt::print("{} rolled back to {}\n", model_kind, *back);
  return 0;
}
