// End to end: generate a marketplace, train both models, score, and drive
// the `vigil` binary the way a person would.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "common/csv_reader.h"
#include "features/training_rows.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "generate/marketplace_generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/model_registry.h"
#include "model/xgboost_handles.h"
#include "pipeline/explain_command.h"
#include "pipeline/score_command.h"
#include "pipeline/train_command.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CTest runs each test in its own process, in parallel: one directory each.
    root_ =
        new fs::path(fs::path(::testing::TempDir()) / fmt::format("vigil_pipeline_{}", getpid()));
    fs::remove_all(*root_);
    GeneratorOptions options{.out_dir = Data(), .customers = 4000, .days = 120, .seed = 11};
    ASSERT_TRUE(GenerateMarketplace(options).ok());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  static std::string Data() { return (*root_ / "data").string(); }
  static std::string Models(const std::string& name) { return (*root_ / name).string(); }

  static fs::path* root_;
};
fs::path* PipelineTest::root_ = nullptr;

TEST_F(PipelineTest, GenerateTrainScoreEndToEnd) {
  TrainRequest train{.data_dir = Data(), .models_dir = Models("models_e2e")};
  train.train.nthread = 1;
  const TrainSummary summary = RunTrain(train, stderr).value();
  ASSERT_EQ(summary.kinds.size(), 2u);
  for (const KindResult& kind : summary.kinds) {
    EXPECT_FALSE(kind.skipped) << kind.skip_reason;
    EXPECT_EQ(kind.version, "v1");
    EXPECT_TRUE(kind.production);  // the first model of a kind is promoted
    EXPECT_GT(kind.validation.roc_auc, 0.75) << DecisionKindName(kind.kind);
    EXPECT_TRUE(fs::exists(kind.report_path));
  }

  const std::string out = Models("order_scores.csv");
  ScoreRequest score{.data_dir = Data(), .models_dir = Models("models_e2e"), .out_path = out};
  const ScoreSummary scored = RunScore(score, stderr).value();
  EXPECT_EQ(scored.model_version, "order-v1");
  auto reader = CsvReader::Open(out).value();
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"id", "risk_score", "risk_level",
                                                        "recommended_action", "model_version"}));
  CsvRecord record;
  int64_t rows = 0;
  while (reader->Next(&record).value()) {
    ++rows;
    const double score_value = std::stod(record.fields[1]);
    ASSERT_GE(score_value, 0.0);
    ASSERT_LE(score_value, 1.0);
    ASSERT_THAT((std::vector<std::string>{"low", "medium", "high", "critical"}),
                ::testing::Contains(record.fields[2]));
  }
  EXPECT_EQ(rows, scored.scored);
  auto orders = CsvReader::Open(Data() + "/orders.csv").value();
  int64_t order_rows = 0;
  while (orders->Next(&record).value()) ++order_rows;
  EXPECT_EQ(rows, order_rows);  // every order is scored, settled or not
}

TEST_F(PipelineTest, BatchScoresEqualXgboostsOwnPredictions) {
  // vigil score evaluates trees with FlatForest; XGBoost is the oracle.
  TrainRequest train{
      .data_dir = Data(), .models_dir = Models("models_oracle"), .kinds = {DecisionKind::kReturn}};
  train.train.nthread = 1;
  ASSERT_TRUE(RunTrain(train, stderr).ok());
  const std::string out = Models("return_scores.csv");
  ScoreRequest score{.data_dir = Data(),
                     .models_dir = Models("models_oracle"),
                     .kind = DecisionKind::kReturn,
                     .out_path = out};
  ASSERT_TRUE(RunScore(score, stderr).ok());

  const auto model = ModelRegistry(Models("models_oracle")).LoadProduction("return").value();
  FeatureEngine engine;
  DataLake lake = LoadDataLake(Data(), &engine.catalog()).value();
  engine.set_calendar(lake.festivals);
  std::vector<float> rows;
  std::vector<std::string> ids;
  Replay(lake, &engine, [&](DecisionKind kind, const Event& e, std::span<const float> features) {
    if (kind != DecisionKind::kReturn) return;
    rows.insert(rows.end(), features.begin(), features.end());
    ids.push_back(engine.catalog().Name(Entity::kReturn, e.ret));
  });
  const Booster booster = Booster::FromModelJson(model->model_json(), 1).value();
  const std::vector<float> margins =
      booster.PredictDenseMargins(rows.data(), ids.size(), kReturnVectorSize).value();

  auto reader = CsvReader::Open(out).value();
  CsvRecord record;
  size_t i = 0;
  while (reader->Next(&record).value()) {
    ASSERT_LT(i, ids.size());
    ASSERT_EQ(record.fields[0], ids[i]);
    ASSERT_EQ(record.fields[1], fmt::format("{:.6f}", model->calibration().Apply(margins[i])))
        << ids[i];
    ++i;
  }
  EXPECT_EQ(i, ids.size());
  EXPECT_GT(i, 500u);
}

TEST_F(PipelineTest, ExplainGivesFactorsThatSumToTheMarginAndSentences) {
  TrainRequest train{
      .data_dir = Data(), .models_dir = Models("models_explain"), .kinds = {DecisionKind::kReturn}};
  train.train.nthread = 1;
  ASSERT_TRUE(RunTrain(train, stderr).ok());
  // The first abusive return in the data.
  auto returns = CsvReader::Open(Data() + "/returns.csv").value();
  CsvRecord record;
  std::string id;
  while (id.empty() && returns->Next(&record).value()) {
    if (record.fields[returns->ColumnIndex("is_abuse")] == "1") {
      id = record.fields[returns->ColumnIndex("return_id")];
    }
  }
  ASSERT_FALSE(id.empty());
  ExplainRequest request{.data_dir = Data(),
                         .models_dir = Models("models_explain"),
                         .kind = DecisionKind::kReturn,
                         .id = id,
                         .all_factors = true};
  const nlohmann::json decision = RunExplain(request).value();
  EXPECT_EQ(decision["return_id"], id);
  EXPECT_EQ(decision["model_version"], "return-v1");
  double sum = decision["bias"];
  for (const auto& factor : decision["factors"]) sum += factor["contribution"].get<double>();
  EXPECT_NEAR(sum, decision["margin"].get<double>(), 1e-4);
  EXPECT_EQ(decision["factors"].size(), kReturnVectorSize);
  EXPECT_FALSE(decision["explanation"]["summary"].get<std::string>().empty());
  EXPECT_FALSE(decision["explanation"]["recommendation"].get<std::string>().empty());

  request.language = "hi-IN,hi;q=0.9";
  request.all_factors = false;
  const nlohmann::json hindi = RunExplain(request).value();
  EXPECT_EQ(hindi["language"], "hi");
  EXPECT_EQ(hindi["factors"].size(), 5u);
  EXPECT_EQ(hindi["risk_score"], decision["risk_score"]);
  EXPECT_NE(hindi["explanation"]["summary"], decision["explanation"]["summary"]);

  request.id = "no-such-return";
  EXPECT_EQ(RunExplain(request).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PipelineTest, SecondModelIsACandidateUntilPromoted) {
  TrainRequest train{.data_dir = Data(),
                     .models_dir = Models("models_registry"),
                     .kinds = {DecisionKind::kReturn}};
  train.train.nthread = 1;
  ASSERT_TRUE(RunTrain(train, stderr).ok());
  const TrainSummary second = RunTrain(train, stderr).value();
  EXPECT_EQ(second.kinds[0].version, "v2");
  EXPECT_FALSE(second.kinds[0].production);
  ModelRegistry registry(Models("models_registry"));
  EXPECT_EQ(registry.Production("return").value(), "v1");
  ASSERT_TRUE(registry.Promote("return", "v2").ok());
  EXPECT_EQ(registry.Rollback("return").value(), "v1");
}

TEST_F(PipelineTest, ValidFromSplitsByTime) {
  TrainRequest train{.data_dir = Data(),
                     .models_dir = Models("models_valid_from"),
                     .kinds = {DecisionKind::kOrder},
                     .valid_from = "2025-09-25"};
  train.train.nthread = 1;
  const TrainSummary summary = RunTrain(train, stderr).value();
  const ModelManifest manifest =
      ModelRegistry(Models("models_valid_from")).LoadProduction("order").value()->manifest();
  EXPECT_LT(manifest.train_to, "2025-09-25");
  EXPECT_GE(manifest.valid_from, "2025-09-24T18:30:00Z");  // midnight in India
  train.valid_from = "next tuesday";
  EXPECT_THAT(RunTrain(train, stderr).status().message(), HasSubstr("--valid-from: bad timestamp"));
}

TEST_F(PipelineTest, KindWithoutDataIsSkippedWithAMessage) {
  const std::string partial = Models("no_returns");
  fs::create_directories(partial);
  for (const char* f : {"customers.csv", "products.csv", "orders.csv"}) {
    fs::copy_file(Data() + "/" + f, partial + "/" + f);
  }
  TrainRequest train{.data_dir = partial, .models_dir = Models("models_partial")};
  train.train.nthread = 1;
  const TrainSummary summary = RunTrain(train, stderr).value();
  EXPECT_FALSE(summary.kinds[0].skipped);
  EXPECT_TRUE(summary.kinds[1].skipped);
  EXPECT_EQ(summary.kinds[1].skip_reason, "no returns");
}

TEST_F(PipelineTest, TrainsOnOnlyTheRequiredColumns) {
  // Orders with just the required columns and an outcome; no catalogue files.
  const std::string minimal = Models("minimal");
  fs::create_directories(minimal);
  auto orders = CsvReader::Open(Data() + "/orders.csv").value();
  const std::vector<std::string> keep = {"order_id",        "customer_id", "product_id",
                                         "ordered_at",      "amount",      "payment_method",
                                         "delivery_status", "delivered_at"};
  std::ofstream out(minimal + "/orders.csv");
  out << fmt::format("{}\n", fmt::join(keep, ","));
  CsvRecord record;
  while (orders->Next(&record).value()) {
    std::vector<std::string> cells;
    for (const std::string& column : keep)
      cells.push_back(record.fields[orders->ColumnIndex(column)]);
    out << fmt::format("{}\n", fmt::join(cells, ","));
  }
  out.close();
  TrainRequest train{
      .data_dir = minimal, .models_dir = Models("models_minimal"), .kinds = {DecisionKind::kOrder}};
  train.train.nthread = 1;
  const TrainSummary summary = RunTrain(train, stderr).value();
  EXPECT_FALSE(summary.kinds[0].skipped);
  // Behaviour (past RTOs, COD share) still carries signal without devices or pincodes.
  EXPECT_GT(summary.kinds[0].validation.roc_auc, 0.7);
}

TEST_F(PipelineTest, ScoringWithoutAModelSaysWhatToDo) {
  ScoreRequest score{.data_dir = Data(),
                     .models_dir = Models("empty_registry"),
                     .kind = DecisionKind::kReturn,
                     .out_path = Models("x.csv")};
  const auto status = RunScore(score, stderr).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("run `vigil train` first"));
}

// The card payments `vigil generate` writes carry the Fraud Detection
// Handbook's three fraud scenarios; a small, quick model finds them about as
// well as the handbook's baselines (validation ROC-AUC 0.85-0.89 for seeds
// 4-9 of this size).
TEST(GeneratedPayments, TransactionModelBeatsAuc08OnItsValidation) {
  const fs::path root =
      fs::path(::testing::TempDir()) / fmt::format("vigil_generated_payments_{}", getpid());
  fs::remove_all(root);
  GeneratorOptions options{
      .out_dir = (root / "data").string(), .customers = 15000, .days = 120, .seed = 5};
  ASSERT_TRUE(GenerateMarketplace(options).ok());
  TrainRequest train{.data_dir = options.out_dir,
                     .models_dir = (root / "models").string(),
                     .kinds = {DecisionKind::kTransaction}};
  train.train.nthread = 1;
  train.train.max_rounds = 30;
  const TrainSummary summary = RunTrain(train, stderr).value();
  ASSERT_EQ(summary.kinds.size(), 1u);
  const KindResult& result = summary.kinds[0];
  ASSERT_FALSE(result.skipped) << result.skip_reason;
  EXPECT_EQ(summary.rejected_rows, 0);
  EXPECT_GT(result.validation.positives, 100u);
  EXPECT_GT(result.validation.roc_auc, 0.8);
  fs::remove_all(root);
}

// Runs the real binary; returns its exit code and merged output.
std::pair<int, std::string> RunVigil(const std::string& args) {
  const std::string command = std::string(VIGIL_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WEXITSTATUS(status), output};
}

TEST(VigilBinary, RejectsBadFlagsWithUsefulMessages) {
  auto [code, output] = RunVigil("train --data /nonexistent --models /tmp/x");
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("/nonexistent: no such data directory"));
  std::tie(code, output) = RunVigil("generate --out /tmp/x --customers 0");
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("--customers"));
  std::tie(code, output) = RunVigil("train --data /tmp --models /tmp/x --kind refunds");
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("unknown kind 'refunds'"));
  std::tie(code, output) = RunVigil("demo --dir /tmp/x --start 15/07/2025");
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("start '15/07/2025' is not a date like 2025-07-15"));
  std::tie(code, output) = RunVigil("ingest --data /tmp --data-dir /tmp/x --until yesterday");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("--until: "));
  std::tie(code, output) = RunVigil("replay --data /tmp --from 2025-13-01 --key vk_x");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("--from: "));
  std::tie(code, output) =
      RunVigil("replay --data /tmp --from 2025-10-01 --until 2025-09-01 --key vk_x");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("--until: must be later than --from"));
  std::tie(code, output) = RunVigil("replay --data /tmp --from 2025-10-01");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("--key: give an API key with the scorer"));
  std::tie(code, output) = RunVigil("bogus");
  EXPECT_NE(code, 0);
}

// `make demo` passes --start so that the history ends yesterday.
TEST(VigilBinary, DemoTrainsTheTransactionModelTooFromTheStartGiven) {
  const fs::path dir = fs::path(::testing::TempDir()) / fmt::format("vigil_demo_{}", getpid());
  fs::remove_all(dir);
  auto [code, output] = RunVigil("demo --customers 3000 --start 2026-03-02 --dir " + dir.string());
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("card payments"));
  EXPECT_THAT(output, ::testing::ContainsRegex("transaction-v1 +production, validation ROC-AUC"));
  EXPECT_TRUE(fs::exists(dir / "models/transaction/v1/report.html"));
  std::string orders = ReadFileToString((dir / "data/orders.csv").string()).value();
  const size_t first = orders.find('\n') + 1;
  EXPECT_THAT(orders.substr(first, orders.find('\n', first) - first), HasSubstr(",2026-03-02T"));
  fs::remove_all(dir);
}

TEST(VigilBinary, TrainsOnAStoresHistoryAsOnTheLakeItWasIngestedFrom) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / fmt::format("vigil_store_train_{}", getpid());
  fs::remove_all(dir);
  GeneratorOptions options{.out_dir = (dir / "lake").string(), .customers = 1500, .days = 120};
  ASSERT_TRUE(GenerateMarketplace(options).ok());
  auto [code, output] = RunVigil("ingest --data " + (dir / "lake").string() + " --data-dir " +
                                 (dir / "store").string());
  ASSERT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("card payments of transactions.csv"));
  std::tie(code, output) =
      RunVigil("train --threads 1 --max-rounds 40 --data-dir " + (dir / "store").string() +
               " --models " + (dir / "models").string());
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("Reading the store in"));
  for (const char* kind : {"order", "return", "transaction"}) {
    EXPECT_THAT(output, ::testing::ContainsRegex(fmt::format("{}-v1 \\(production\\)", kind)));
  }
  // One source, never both, never neither; a directory without a store is named.
  std::tie(code, output) = RunVigil("train --models /tmp/x --data a --data-dir b");
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("Exactly 1 option from [--data,--data-dir]"));
  std::tie(code, output) = RunVigil("train --models /tmp/x");
  EXPECT_NE(code, 0);
  std::tie(code, output) = RunVigil("train --models /tmp/x --data-dir " + (dir / "lake").string());
  EXPECT_NE(code, 0);
  EXPECT_THAT(output, HasSubstr("no store in"));
  fs::remove_all(dir);
}

TEST(VigilBinary, ReportsBadRowsWithFileAndLineAndStillTrains) {
  const fs::path dir = fs::path(::testing::TempDir()) / "vigil_bad_rows";
  fs::remove_all(dir);
  GeneratorOptions options{.out_dir = dir.string(), .customers = 1500, .days = 120, .seed = 5};
  ASSERT_TRUE(GenerateMarketplace(options).ok());
  // A copy of the first order with its id changed and its time broken.
  std::ifstream in(dir / "orders.csv");
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  in.close();
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
    return cells;
  };
  const std::vector<std::string> names = split(header);
  std::vector<std::string> cells = split(first);
  ASSERT_EQ(cells.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "order_id") cells[i] = "BAD1";
    if (names[i] == "ordered_at") cells[i] = "yesterday";
  }
  std::ofstream(dir / "orders.csv", std::ios::app) << fmt::format("{}\n", fmt::join(cells, ","));
  auto [code, output] = RunVigil("train --threads 1 --kind order --data " + dir.string() +
                                 " --models " + (dir / "models").string());
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("bad timestamp 'yesterday'"));
  EXPECT_THAT(output, ::testing::ContainsRegex("orders.csv:[0-9]+: "));
  EXPECT_THAT(output, HasSubstr("validation ROC-AUC"));
}

}  // namespace
}  // namespace vigil
