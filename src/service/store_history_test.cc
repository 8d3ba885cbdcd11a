#include "service/store_history.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "features/feature_engine.h"
#include "features/feature_registry.h"
#include "features/training_rows.h"
#include "fmt/format.h"
#include "generate/marketplace_generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/train_command.h"
#include "service/event_json.h"
#include "service/ingest_command.h"
#include "service/service_fixture_for_test.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A small marketplace, its history ingested into a store as `vigil ingest` does.
class StoreHistoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::path(::testing::TempDir()) /
                         fmt::format("vigil_store_history_{}", getpid()));
    fs::remove_all(*root_);
    ASSERT_TRUE(
        GenerateMarketplace({.out_dir = Lake(), .customers = 1500, .days = 150, .seed = 5}).ok());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  void SetUp() override {
    store_dir_ =
        (*root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name()).string();
    fs::remove_all(store_dir_);
    ASSERT_TRUE(RunIngest({.data_dir = Lake(), .store_dir = store_dir_}, stderr).ok());
  }
  static std::string Lake() { return (*root_ / "lake").string(); }

  std::unique_ptr<Store> Open() { return OpenSqliteStore(store_dir_).value(); }

  // The rows training builds from the store's log.
  TrainingRows StoreRows(Store& store, DataLake* lake_out = nullptr) {
    FeatureEngine engine;
    DataLake lake = ReadEventHistory(store, store_dir_, &engine.catalog(), {}).value();
    engine.set_calendar(lake.festivals);
    TrainingRows rows = BuildTrainingRows(lake, &engine, true, true);
    if (lake_out != nullptr) *lake_out = std::move(lake);
    return rows;
  }

  void AppendLabel(Store& store, LabelTarget target, const std::string& id, int label,
                   Timestamp at) {
    RawEvent raw{.at = at, .type = EventType::kLabel};
    raw.label_target = target;
    (target == LabelTarget::kOrder ? raw.order_id : raw.return_id) = id;
    raw.label = static_cast<uint8_t>(label);
    const std::string event_id = fmt::format("label:test:{}:{}", id, at);
    WriteBatch batch;
    batch.events.push_back({event_id, "label", at, EncodeEvent(event_id, raw)});
    ASSERT_TRUE(store.Write(std::move(batch)).ok());
  }

  static fs::path* root_;
  std::string store_dir_;
};
fs::path* StoreHistoryTest::root_ = nullptr;

// Equal values, NaN equal to NaN (missing features).
bool SameRow(const Dataset& a, size_t i, const Dataset& b, size_t j) {
  for (size_t c = 0; c < a.cols(); ++c) {
    const float x = a.row(i)[c], y = b.row(j)[c];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

// The columns in which row i of `a` and row j of `b` differ.
std::vector<std::string> Differences(const Dataset& a, size_t i, const Dataset& b, size_t j) {
  std::vector<std::string> names;
  for (size_t c = 0; c < a.cols(); ++c) {
    const float x = a.row(i)[c], y = b.row(j)[c];
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) {
      names.push_back(fmt::format("{}: {} vs {}", a.feature_names[c], x, y));
    }
  }
  return names;
}

// Every row of `lake` is in `store`, with the same features and label;
// returns the ids of the rows only `store` has.
std::vector<std::string> ExpectSameRows(const Dataset& lake, const Dataset& store,
                                        const char* what) {
  EXPECT_GT(lake.rows(), 100u) << what;
  std::vector<std::string> extra;
  size_t j = 0;
  for (size_t i = 0; i < lake.rows(); ++i, ++j) {
    while (j < store.rows() && store.ids[j] != lake.ids[i]) extra.push_back(store.ids[j++]);
    if (j == store.rows()) {
      ADD_FAILURE() << what << " " << lake.ids[i] << " is missing from the store's rows";
      return extra;
    }
    EXPECT_EQ(lake.labels[i], store.labels[j]) << what << " " << lake.ids[i];
    EXPECT_EQ(lake.times[i], store.times[j]) << what << " " << lake.ids[i];
    const auto differences = Differences(lake, i, store, j);
    EXPECT_TRUE(differences.empty())
        << what << " " << lake.ids[i] << ": " << ::testing::PrintToString(differences);
    if (!differences.empty()) return extra;
  }
  while (j < store.rows()) extra.push_back(store.ids[j++]);
  return extra;
}

// Two differences are by design: the store's festival calendar is the
// shipped one merged with the lake's (`vigil ingest`), and its end of data
// counts outcome times the lake's files left to assumed delays, so a few
// more orders are settled.
TEST_F(StoreHistoryTest, TheStoreGivesTheSameTrainingRowsAsTheLakeItWasIngestedFrom) {
  auto store = Open();
  DataLake history;
  const TrainingRows from_store = StoreRows(*store, &history);
  EXPECT_EQ(history.report.issue_count(), 0);

  FeatureEngine lake_engine;
  const DataLake lake = LoadDataLake(Lake(), &lake_engine.catalog()).value();
  lake_engine.set_calendar(history.festivals);
  const TrainingRows from_lake = BuildTrainingRows(lake, &lake_engine, true, true);
  EXPECT_EQ(history.events.size(), lake.events.size());
  ASSERT_GE(history.data_end, lake.data_end);

  const std::vector<std::string> extra_orders =
      ExpectSameRows(from_lake.orders, from_store.orders, "orders");
  const Timestamp horizon = LoadOptions().settle_horizon;
  for (const std::string& id : extra_orders) {
    const size_t row = std::find(from_store.orders.ids.begin(), from_store.orders.ids.end(), id) -
                       from_store.orders.ids.begin();
    const Timestamp settles_at = from_store.orders.times[row] + horizon;
    EXPECT_GT(settles_at, lake.data_end) << id;
    EXPECT_LE(settles_at, history.data_end) << id;
  }
  EXPECT_EQ(from_lake.orders_without_outcome - from_store.orders_without_outcome,
            static_cast<int64_t>(extra_orders.size()));
  EXPECT_THAT(ExpectSameRows(from_lake.returns, from_store.returns, "returns"),
              ::testing::IsEmpty());
}

// The review loop: a label an analyst gives lands in the log (as the
// dashboard's label route writes it) and is a training label next time.
TEST_F(StoreHistoryTest, AnAnalystsLabelIsATrainingLabelAndAFeatureFromItsTimeOn) {
  auto store = Open();
  const TrainingRows before = StoreRows(*store);
  // A settled order that ended well, of a customer who ordered again later.
  const Dataset& orders = before.orders;
  size_t pick = orders.rows();
  for (size_t i = 0; i < orders.rows() / 2 && pick == orders.rows(); ++i) {
    if (orders.labels[i] == 0) pick = i;
  }
  ASSERT_LT(pick, orders.rows());
  const std::string order_id = orders.ids[pick];
  const Timestamp verdict_at = orders.times[pick] + 10 * kSecondsPerDay;
  AppendLabel(*store, LabelTarget::kOrder, order_id, 1, verdict_at);

  const TrainingRows after = StoreRows(*store);
  ASSERT_EQ(after.orders.rows(), orders.rows());
  EXPECT_EQ(after.orders.labels[pick], 1) << order_id;
  // Rows before the verdict do not see it; some row after it (the same
  // customer's or its entities') does.
  const size_t abuse_col = FeatureIndex(DecisionKind::kOrder, "customer_confirmed_abuse_count");
  size_t changed_after = 0;
  for (size_t i = 0; i < orders.rows(); ++i) {
    const bool changed = !SameRow(orders, i, after.orders, i);
    if (orders.times[i] <= verdict_at) {
      EXPECT_FALSE(changed) << "row " << orders.ids[i] << " saw a later label";
    } else if (changed) {
      ++changed_after;
      EXPECT_GE(after.orders.row(i)[abuse_col], orders.row(i)[abuse_col]);
    }
  }
  EXPECT_GT(changed_after, 0u);

  // Cleared on review: the first label is undone, from the clearing on.
  AppendLabel(*store, LabelTarget::kOrder, order_id, 0, verdict_at + 1);
  EXPECT_EQ(StoreRows(*store).orders.labels[pick], 0);
}

// `vigil ingest` keeps a lake's card payments as settled history: training
// on the store sees them as training on the lake does.
TEST_F(StoreHistoryTest, TheStoreGivesTheSameTransactionRowsAsTheLake) {
  FeatureEngine lake_engine;
  const TransactionLog lake = LoadTransactions(Lake(), &lake_engine.catalog()).value();
  const Dataset from_lake = BuildTransactionRows(lake, &lake_engine, kBeginningOfTime);

  auto store = Open();
  FeatureEngine store_engine;
  const TransactionLog history = ReadTransactionHistory(*store, &store_engine.catalog()).value();
  EXPECT_EQ(history.transactions.size(), lake.transactions.size());
  const Dataset from_store = BuildTransactionRows(history, &store_engine, kBeginningOfTime);
  ASSERT_GT(std::count(from_lake.labels.begin(), from_lake.labels.end(), 1.0f), 0);
  EXPECT_THAT(ExpectSameRows(from_lake, from_store, "transactions"), ::testing::IsEmpty());

  // Again: nothing new.
  const IngestSummary again =
      RunIngest({.data_dir = Lake(), .store_dir = store_dir_}, stderr).value();
  EXPECT_EQ(again.transactions, static_cast<int64_t>(lake.transactions.size()));
  EXPECT_EQ(again.new_transactions, 0);
}

TEST_F(StoreHistoryTest, AnEntryThatDoesNotDecodeIsReportedWithItsSeqAndSkipped) {
  auto store = Open();
  WriteBatch batch;
  batch.events.push_back({"broken-1", "order.placed", 0, "{\"type\":\"order.placed\"}"});
  ASSERT_TRUE(store->Write(std::move(batch)).ok());
  const int64_t seq = store->LastEventSeq().value();
  FeatureEngine engine;
  const DataLake lake = ReadEventHistory(*store, store_dir_, &engine.catalog(), {}).value();
  ASSERT_EQ(lake.report.issue_count(), 1);
  const LoadIssue& issue = lake.report.issues()[0];
  EXPECT_EQ(issue.file, "event log");
  EXPECT_EQ(issue.line, seq);
  EXPECT_THAT(issue.message, HasSubstr("broken-1"));
  EXPECT_TRUE(lake.has_orders);
}

TEST_F(StoreHistoryTest, VigilTrainFromAStoreTrainsEveryKind) {
  auto store = Open();
  TrainRequest train{
      .models_dir = store_dir_ + "/models",
      .kinds = {DecisionKind::kOrder, DecisionKind::kReturn, DecisionKind::kTransaction}};
  train.train.nthread = 1;
  train.train.max_rounds = 30;
  train.history = HistorySource{
      .name = "the store",
      .events =
          [&](Catalog* catalog) {
            return ReadEventHistory(*store, store_dir_, catalog, train.load);
          },
      .transactions = [&](Catalog* catalog) { return ReadTransactionHistory(*store, catalog); }};
  const TrainSummary summary = RunTrain(train, stderr).value();
  ASSERT_EQ(summary.kinds.size(), 3u);
  for (int i : {0, 1}) {
    EXPECT_FALSE(summary.kinds[i].skipped) << summary.kinds[i].skip_reason;
    EXPECT_GT(summary.kinds[i].validation.roc_auc, 0.6);
  }
  // The lake's card payments came in with `vigil ingest`.
  EXPECT_FALSE(summary.kinds[2].skipped) << summary.kinds[2].skip_reason;
}

TEST_F(StoreHistoryTest, AStoreWithoutOrdersIsAClearError) {
  const std::string empty = store_dir_ + "-empty";
  auto store = OpenSqliteStore(empty).value();
  Catalog catalog;
  const auto lake = ReadEventHistory(*store, empty, &catalog, {});
  EXPECT_TRUE(absl::IsInvalidArgument(lake.status()));
  EXPECT_THAT(lake.status().message(), HasSubstr("vigil ingest"));
  EXPECT_TRUE(absl::IsNotFound(ReadTransactionHistory(*store, &catalog).status()));
  fs::remove_all(empty);
}

// The loop through the API: a decision scored, labelled by an analyst with
// the dashboard's route, is a training row with that label in the store's
// history, although it is recent.
class TrainingLoopTest : public testing::ServerTest {
 protected:
  TrainingLoopTest() : ServerTest("training_loop") {}
};

TEST_F(TrainingLoopTest, AnOrderLabelledThroughTheApiIsLabelledInTheStoresHistory) {
  Start();
  const nlohmann::json order = {{"order_id", "O_LOOP_1"},    {"customer_id", "C_LOOP"},
                                {"product_id", "P_LOOP"},    {"category", "fashion"},
                                {"amount", 2499.0},          {"payment_method", "cod"},
                                {"delivery_pincode", 110001}};
  CallJson("POST", "/v1/orders/score", scorer_, order);
  nlohmann::json second = order;
  second["order_id"] = "O_LOOP_2";
  CallJson("POST", "/v1/orders/score", scorer_, second);
  CallJson("POST", "/v1/decisions/O_LOOP_1/label", analyst_,
           {{"label", "abuse"}, {"note", "empty box, seen on camera"}}, 201);
  server_.reset();

  auto store = OpenSqliteStore(dir_.path()).value();
  FeatureEngine engine;
  const DataLake lake = ReadEventHistory(*store, dir_.path(), &engine.catalog(), {}).value();
  const Catalog& catalog = engine.catalog();
  EXPECT_EQ(lake.order_labels[catalog.Find(Entity::kOrder, "O_LOOP_1")], 1);
  EXPECT_EQ(lake.order_labels[catalog.Find(Entity::kOrder, "O_LOOP_2")], kLabelUnknown);
  engine.set_calendar(lake.festivals);
  const TrainingRows rows = BuildTrainingRows(lake, &engine, true, true);
  ASSERT_EQ(rows.orders.rows(), 1u);
  EXPECT_EQ(rows.orders.ids[0], "O_LOOP_1");
  EXPECT_EQ(rows.orders.labels[0], 1);
}

}  // namespace
}  // namespace vigil
