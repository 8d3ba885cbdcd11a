// Black-box tests of the dashboard's data routes (dashboard_routes.cc): a
// real server on a free port with a real store and models trained on a
// generated marketplace, decisions made by scoring over real sockets.
#include "service/dashboard_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "pipeline/train_command.h"
#include "service/service_fixture_for_test.h"
#include "service/transaction_model_for_test.h"
#include "service/vigil_server.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::CreateKey;
using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::SharedMarketplace;
using ::testing::StartsWith;

json Order(const std::string& order_id, const std::string& customer_id) {
  return {{"order_id", order_id},       {"customer_id", customer_id}, {"product_id", "P_TEST"},
          {"category", "electronics"},  {"amount", 18999.0},          {"payment_method", "COD"},
          {"delivery_pincode", 560001}, {"device_id", "D_TEST"}};
}

class DashboardRoutesTest : public testing::ServerTest {
 protected:
  DashboardRoutesTest() : ServerTest("dashboard") {}

  json Get(std::string_view target, int want_status = 200) {
    return CallJson("GET", target, analyst_, nullptr, want_status);
  }
  // The field a 422 answer names.
  std::string FieldOf422(std::string_view target) {
    return Get(target, 422)["error"].value("field", "");
  }
  json ScoreOrder(const std::string& order_id, const std::string& customer_id) {
    return CallJson("POST", "/v1/orders/score", scorer_, Order(order_id, customer_id));
  }
  void BlockList(const std::string& customer) {
    CallJson("POST", "/v1/lists", admin_,
             {{"list", "block"}, {"field", "customer"}, {"value", customer}, {"reason", "test"}},
             201);
  }
  void AllowList(const std::string& customer) {
    CallJson("POST", "/v1/lists", admin_,
             {{"list", "allow"}, {"field", "customer"}, {"value", customer}, {"reason", "test"}},
             201);
  }
  // Every decision id a list visits, following next_cursor from `target`.
  std::vector<std::string> AllPages(const std::string& target, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 1; page < 500; ++page) {
      json r = Get(target + (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const json& d : r["decisions"]) ids.push_back(d["decision_id"]);
      if (r["next_cursor"].is_null()) {
        if (pages != nullptr) *pages = page;
        break;
      }
      cursor = r["next_cursor"];
    }
    return ids;
  }
  int64_t AbuseCount(const std::string& customer) {
    return Get("/v1/customers/" + customer)["features"]["customer_confirmed_abuse_count"]
        .get<int64_t>();
  }
};

TEST_F(DashboardRoutesTest, TheOverviewCountsWhatWasScored) {
  Start();
  json empty = Get("/v1/overview");
  EXPECT_EQ(empty["range"], "24h");
  EXPECT_EQ(empty["bucket_seconds"], 900);
  EXPECT_EQ(empty["decisions"]["total"], 0);
  EXPECT_TRUE(empty["latency_ms"]["p50"].is_null());

  for (int i = 0; i < 5; ++i) ScoreOrder(fmt::format("ORD_OV_{}", i), "C_OV");
  CallJson("POST", "/v1/returns/score", scorer_,
           {{"return_id", "RET_OV"}, {"order_id", "ORD_OV_0"}, {"reason", "size issue"}});
  json r = Get("/v1/overview?range=1h");
  EXPECT_EQ(r["range"], "1h");
  EXPECT_EQ(r["bucket_seconds"], 60);
  EXPECT_EQ(r["decisions"]["total"], 6);
  EXPECT_EQ(r["decisions"]["by_kind"], json({{"order", 5}, {"return", 1}, {"transaction", 0}}));
  ASSERT_EQ(r["decisions"]["series"].size(), 60u);
  int64_t in_series = 0, in_levels = 0, in_actions = 0, in_histogram = 0;
  for (const json& point : r["decisions"]["series"]) {
    in_series += point["order"].get<int64_t>() + point["return"].get<int64_t>();
  }
  for (const auto& level : r["decisions"]["by_level"]["order"].items()) {
    in_levels += level.value().get<int64_t>();
  }
  for (const auto& action : r["decisions"]["by_action"]["order"].items()) {
    in_actions += action.value().get<int64_t>();
  }
  ASSERT_EQ(r["score_histogram"]["order"].size(), 20u);
  for (const json& n : r["score_histogram"]["order"]) in_histogram += n.get<int64_t>();
  EXPECT_EQ(in_series, 6);
  EXPECT_EQ(in_levels, 5);
  EXPECT_EQ(in_actions, 5);
  EXPECT_EQ(in_histogram, 5);
  EXPECT_GT(r["latency_ms"]["p50"].get<double>(), 0.0);
  EXPECT_GE(r["latency_ms"]["p99"].get<double>(), r["latency_ms"]["p50"].get<double>());
  EXPECT_EQ(r["latency_ms"]["requests"], 6);
  EXPECT_EQ(r["events_ingested"], 6);
  EXPECT_EQ(r["sms"],
            json({{"sent", 0}, {"confirmed", 0}, {"denied", 0}, {"expired", 0}, {"pending", 0}}));
  EXPECT_EQ(r["models"][0],
            json({{"kind", "order"}, {"version", "order-v1"}, {"challenger", nullptr}}));
  EXPECT_EQ(Get("/v1/overview?range=7d")["decisions"]["series"].size(), 168u);
  EXPECT_EQ(FieldOf422("/v1/overview?range=2h"), "range");
  EXPECT_EQ(Call("GET", "/v1/overview", scorer_).status, 403);
  EXPECT_EQ(Call("GET", "/v1/overview", "").status, 401);
}

TEST_F(DashboardRoutesTest, TheServerRollsUpTheOverviewsCountsWithoutChangingThem) {
  config_.rollup_interval_seconds = 1;
  Start();
  for (int i = 0; i < 4; ++i) ScoreOrder(fmt::format("ORD_RU_{}", i), "C_RU");
  // The counts of a range, less its series: a minute may turn between two
  // looks and move the buckets.
  auto decisions = [&](std::string_view range) {
    json r = Get(fmt::format("/v1/overview?range={}", range));
    r["decisions"].erase("series");
    return json{{"decisions", r["decisions"]}, {"score_histogram", r["score_histogram"]}};
  };
  const json before = {decisions("1h"), decisions("24h"), decisions("7d")};
  EXPECT_EQ(before[0]["decisions"]["total"], 4);
  std::string metrics;
  for (int attempt = 0; attempt < 500; ++attempt) {
    metrics = Call("GET", "/metrics", "").body;
    if (metrics.find("vigil_decisions_rolled_up_total 4\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_THAT(metrics, HasSubstr("vigil_decisions_rolled_up_total 4\n"));
  EXPECT_EQ(json({decisions("1h"), decisions("24h"), decisions("7d")}), before);
  ScoreOrder("ORD_RU_4", "C_RU");  // after the roll-up: counted from the table
  EXPECT_EQ(decisions("1h")["decisions"]["total"], 5);
}

TEST_F(DashboardRoutesTest, TheQueueVisitsEveryQueuedDecisionExactlyOnce) {
  Start();
  BlockList("C_BLOCKED");
  AllowList("C_ALLOWED");
  std::set<std::string> queued;
  for (int i = 0; i < 23; ++i) {
    queued.insert(ScoreOrder(fmt::format("ORD_Q_B{}", i), "C_BLOCKED")["decision_id"]);
  }
  for (int i = 0; i < 9; ++i) ScoreOrder(fmt::format("ORD_Q_A{}", i), "C_ALLOWED");

  int pages = 0;
  const std::vector<std::string> by_at = AllPages("/v1/decisions?queue=true&limit=5", &pages);
  EXPECT_EQ(by_at.size(), queued.size());
  EXPECT_EQ(std::set<std::string>(by_at.begin(), by_at.end()), queued);
  EXPECT_EQ(pages, 5);
  const std::vector<std::string> by_score =
      AllPages("/v1/decisions?queue=true&sort=score&order=asc&limit=4");
  EXPECT_EQ(by_score.size(), queued.size());
  EXPECT_EQ(std::set<std::string>(by_score.begin(), by_score.end()), queued);
  EXPECT_EQ(AllPages("/v1/decisions?limit=200").size(), 32u);
  EXPECT_EQ(AllPages("/v1/decisions?customer=C_ALLOWED&action=allow&kind=order").size(), 9u);
  EXPECT_TRUE(AllPages("/v1/decisions?queue=true&customer=C_ALLOWED").empty());

  json first = Get("/v1/decisions?queue=true&limit=1");
  ASSERT_EQ(first["decisions"].size(), 1u);
  const json& d = first["decisions"][0];
  EXPECT_EQ(d["kind"], "order");
  EXPECT_EQ(d["customer_id"], "C_BLOCKED");
  EXPECT_EQ(d["action"], "block");
  EXPECT_THAT(d["subject_id"].get<std::string>(), StartsWith("ORD_Q_B"));
  EXPECT_THAT(d["model_version"].get<std::string>(), StartsWith("order-v"));
  EXPECT_TRUE(d["label"].is_null());
  EXPECT_TRUE(d.contains("risk_score") && d.contains("risk_level") && d.contains("at"));
  // Newest first: scores of the same second are ordered by when they were stored.
  const std::string later = ScoreOrder("ORD_Q_LAST", "C_BLOCKED")["decision_id"];
  EXPECT_EQ(Get("/v1/decisions?queue=true&limit=1")["decisions"][0]["decision_id"], later);

  // What is left to review shrinks as decisions are labelled.
  CallJson("POST", "/v1/decisions/" + later + "/label", analyst_, {{"label", "fraud"}}, 201);
  const std::vector<std::string> left = AllPages("/v1/decisions?queue=true&labelled=false");
  EXPECT_EQ(left.size(), queued.size());
  EXPECT_EQ(std::count(left.begin(), left.end(), later), 0);
  EXPECT_THAT(AllPages("/v1/decisions?queue=true&labelled=true"), ::testing::ElementsAre(later));
}

TEST_F(DashboardRoutesTest, BadListParametersAre422NamingTheParameter) {
  Start();
  EXPECT_EQ(FieldOf422("/v1/decisions?queue=maybe"), "queue");
  EXPECT_EQ(FieldOf422("/v1/decisions?labelled=yes"), "labelled");
  EXPECT_EQ(FieldOf422("/v1/decisions?kind=refund"), "kind");
  EXPECT_EQ(FieldOf422("/v1/decisions?action=explode"), "action");
  EXPECT_EQ(FieldOf422("/v1/decisions?level=severe"), "level");
  EXPECT_EQ(FieldOf422("/v1/decisions?sort=amount"), "sort");
  EXPECT_EQ(FieldOf422("/v1/decisions?order=random"), "order");
  EXPECT_EQ(FieldOf422("/v1/decisions?limit=0"), "limit");
  EXPECT_EQ(FieldOf422("/v1/decisions?limit=201"), "limit");
  EXPECT_EQ(FieldOf422("/v1/decisions?limit=ten"), "limit");
  EXPECT_EQ(FieldOf422("/v1/decisions?from=yesterday"), "from");
  EXPECT_EQ(FieldOf422("/v1/decisions?from=2026-01-02&to=2026-01-01"), "to");
  EXPECT_EQ(FieldOf422("/v1/decisions?cursor=not-a-cursor!"), "cursor");
  EXPECT_EQ(FieldOf422("/v1/decisions?cursor=" + std::string("YWJj")), "cursor");  // "abc"
  EXPECT_EQ(FieldOf422("/v1/customers/C1/decisions?limit=-1"), "limit");
  EXPECT_EQ(FieldOf422("/v1/transactions?status=lost"), "status");
  EXPECT_EQ(FieldOf422("/v1/transactions?cursor=%%%"), "cursor");
  // A cursor of one sort order is refused by another.
  BlockList("C_CUR");
  for (int i = 0; i < 3; ++i) ScoreOrder(fmt::format("ORD_CUR_{}", i), "C_CUR");
  const std::string cursor = Get("/v1/decisions?limit=1")["next_cursor"];
  EXPECT_EQ(FieldOf422("/v1/decisions?sort=score&limit=1&cursor=" + cursor), "cursor");
  EXPECT_EQ(Get("/v1/decisions?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z")["decisions"],
            json::array());
}

TEST_F(DashboardRoutesTest, ALabelIsAuditedLoggedAndAppliedToTheFeatureState) {
  Start();
  ScoreOrder("ORD_LBL", "C_LBL");
  const std::string decision = CallJson(
      "POST", "/v1/returns/score", scorer_,
      {{"return_id", "RET_LBL"}, {"order_id", "ORD_LBL"}, {"reason", "empty box"}})["decision_id"];
  const int64_t events_before = Get("/v1/overview")["events_ingested"];
  EXPECT_EQ(AbuseCount("C_LBL"), 0);

  json label = CallJson("POST", "/v1/decisions/" + decision + "/label", analyst_,
                        {{"label", "abuse"}, {"note", "box arrived empty, photos attached"}}, 201);
  EXPECT_GT(label["label_id"].get<int64_t>(), 0);
  EXPECT_EQ(label["decision_id"], decision);
  EXPECT_EQ(label["label"], "abuse");
  EXPECT_EQ(label["note"], "box arrived empty, photos attached");
  EXPECT_EQ(label["by"]["name"], "test analyst");
  EXPECT_THAT(label["by"]["key_id"].get<std::string>(), StartsWith("key_"));
  EXPECT_THAT(label["at"].get<std::string>(), ::testing::EndsWith("Z"));
  EXPECT_THAT(label["event_id"].get<std::string>(), StartsWith("label:" + decision + ":"));
  // The label event is in the log and the state: the customer has an abuse now.
  EXPECT_EQ(Get("/v1/overview")["events_ingested"], events_before + 1);
  EXPECT_EQ(AbuseCount("C_LBL"), 1);

  // A correction by the return's id: the latest label wins, both stay on record.
  json genuine =
      CallJson("POST", "/v1/decisions/RET_LBL/label", admin_, {{"label", "genuine"}}, 201);
  EXPECT_EQ(genuine["note"], "");
  EXPECT_EQ(genuine["by"]["name"], "test admin");
  EXPECT_EQ(AbuseCount("C_LBL"), 0);
  json stored = Get("/v1/decisions/" + decision);
  ASSERT_EQ(stored["labels"].size(), 2u);
  EXPECT_EQ(stored["labels"][0], label);
  EXPECT_EQ(stored["labels"][1], genuine);
  json listed = Get("/v1/decisions?kind=return&limit=1");
  EXPECT_EQ(listed["decisions"][0]["label"], genuine);
  EXPECT_EQ(Get("/v1/decisions/ORD_LBL")["labels"], json::array());

  // The log replays to the same state.
  CallJson("POST", "/v1/decisions/" + decision + "/label", analyst_, {{"label", "fraud"}}, 201);
  Restart();
  EXPECT_EQ(AbuseCount("C_LBL"), 1);
  EXPECT_EQ(Get("/v1/decisions/" + decision)["labels"].size(), 3u);
}

TEST_F(DashboardRoutesTest, ALabelIsCheckedBeforeAnythingIsWritten) {
  Start();
  const std::string decision = ScoreOrder("ORD_LBL_BAD", "C_LBL_BAD")["decision_id"];
  const std::string path = "/v1/decisions/" + decision + "/label";
  auto field = [&](const json& body) {
    return CallJson("POST", path, analyst_, body, 422)["error"].value("field", "");
  };
  EXPECT_EQ(field(json::object()), "label");
  EXPECT_EQ(field({{"label", "bad"}}), "label");
  EXPECT_EQ(field({{"label", 1}}), "label");
  EXPECT_EQ(field({{"label", "fraud"}, {"note", 7}}), "note");
  EXPECT_EQ(field({{"label", "fraud"}, {"note", std::string(1001, 'x')}}), "note");
  // 1000 characters of three bytes each are within the limit.
  std::string hindi;
  for (int i = 0; i < 1000; ++i) hindi += "\u0915";
  CallJson("POST", path, analyst_, {{"label", "fraud"}, {"note", hindi}}, 201);
  EXPECT_EQ(CallJson("POST", "/v1/decisions/dec_nope/label", analyst_, {{"label", "fraud"}},
                     404)["error"]["code"],
            "not_found");
  EXPECT_EQ(Call("POST", path, scorer_, R"({"label":"fraud"})").status, 403);
  TestHttpClient client(server_->port());
  auto plain =
      client.Request("POST", path, R"({"label":"fraud"})",
                     fmt::format("X-API-Key: {}\r\nContent-Type: text/plain\r\n", analyst_));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->status, 415);
  EXPECT_EQ(Get("/v1/decisions/" + decision)["labels"].size(), 1u);
}

TEST_F(DashboardRoutesTest, ACustomersDecisionsComeNewestFirst) {
  Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.insert(ids.begin(), ScoreOrder(fmt::format("ORD_CUST_{}", i), "C_CUST")["decision_id"]);
  }
  ScoreOrder("ORD_OTHER", "C_OTHER");
  json page = Get("/v1/customers/C_CUST/decisions?limit=2");
  EXPECT_EQ(page["customer_id"], "C_CUST");
  ASSERT_EQ(page["decisions"].size(), 2u);
  EXPECT_EQ(page["decisions"][0]["decision_id"], ids[0]);
  std::vector<std::string> all;
  std::string target = "/v1/customers/C_CUST/decisions?limit=2";
  for (int i = 0; i < 10; ++i) {
    json r = Get(target);
    for (const json& d : r["decisions"]) all.push_back(d["decision_id"]);
    if (r["next_cursor"].is_null()) break;
    target = "/v1/customers/C_CUST/decisions?limit=2&cursor=" + r["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(all, ids);
  EXPECT_EQ(Get("/v1/customers/C_NOBODY/decisions")["decisions"], json::array());
}

TEST_F(DashboardRoutesTest, PaymentsAreListedNewestFirstWithTheirStatus) {
  Start();
  for (const char* id : {"txn_list_1", "txn_list_2", "txn_list_3"}) {
    CallJson("POST", "/v1/transactions", scorer_,
             {{"transaction_id", id}, {"user_id", "U_LIST"}, {"amount", 499.0}}, 202);
  }
  std::vector<std::string> seen;
  std::string target = "/v1/transactions?limit=1";
  for (int i = 0; i < 10; ++i) {
    json r = Get(target);
    for (const json& t : r["transactions"]) {
      seen.push_back(t["transaction_id"]);
      EXPECT_EQ(t["user_id"], "U_LIST");
      EXPECT_EQ(t["amount"], 499.0);
      EXPECT_TRUE(t["status"].is_string());
      EXPECT_TRUE(t.contains("risk_score") && t.contains("sms_status"));
    }
    if (r["next_cursor"].is_null()) break;
    target = "/v1/transactions?limit=1&cursor=" + r["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"txn_list_3", "txn_list_2", "txn_list_1"}));
  const json approved = Get("/v1/transactions?status=approved");  // outlives the loop
  for (const json& t : approved["transactions"]) {
    EXPECT_EQ(t["status"], "approved");
  }
  EXPECT_EQ(Call("GET", "/v1/transactions", scorer_).status, 403);
}

TEST_F(DashboardRoutesTest, AnAnalystReadsAPaymentAsTheScorerThatSentItDoes) {
  Start();
  CallJson("POST", "/transaction", scorer_,
           {{"transaction_id", "txn_read"}, {"user_id", "U_READ"}, {"amount", 10.0}}, 202);
  for (const std::string path : {"/transaction/txn_read", "/v1/transactions/txn_read"}) {
    for (const std::string& key : {scorer_, analyst_, admin_}) {
      EXPECT_EQ(CallJson("GET", path, key)["transaction_id"], "txn_read") << path;
    }
    EXPECT_EQ(Call("GET", path, "").status, 401);
    EXPECT_EQ(Call("GET", path, "vk_not_a_key").status, 401);
  }
}

// ---- analysts' labels on payments ----

class PaymentLabelTest : public DashboardRoutesTest {
 protected:
  static void SetUpTestSuite() {
    models_root_ = new ScratchDir("payment_label_models");
    models_dir_ = new std::string(testing::TrainTransactionModel(models_root_->path()));
  }
  static void TearDownTestSuite() {
    delete models_root_;
    delete models_dir_;
  }
  // The payment model only, and every feature among the factors (with its
  // value), so that a test can see the features a payment was scored with.
  void StartWithPaymentModel() {
    config_.models_dir = *models_dir_;
    config_.top_factors = 64;
    Start();
  }
  void Pay(const std::string& id, const std::string& user, double amount) {
    CallJson("POST", "/transaction", scorer_,
             {{"transaction_id", id}, {"user_id", user}, {"amount", amount}, {"merchant", "M_LBL"}},
             202);
  }
  // Polls (up to 15 s) until the payment flow has settled the payment.
  json WaitUntilSettled(const std::string& id) {
    json t;
    for (int i = 0; i < 750; ++i) {
      t = Get("/transaction/" + id);
      if (t["status"] != "received" && t["status"] != "scored") return t;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << id << " was never settled: " << t.dump(2);
    return t;
  }
  static json FeatureValue(const json& payment, const std::string& feature) {
    for (const json& f : payment["factors"]) {
      if (f["feature"] == feature) return f["value"];
    }
    ADD_FAILURE() << feature << " is not among the factors: " << payment["factors"].dump();
    return nullptr;
  }

  static ScratchDir* models_root_;
  static std::string* models_dir_;
};

ScratchDir* PaymentLabelTest::models_root_ = nullptr;
std::string* PaymentLabelTest::models_dir_ = nullptr;

TEST_F(PaymentLabelTest, ALabelIsAuditedInTheHistoryAndReachesTheFeatureState) {
  StartWithPaymentModel();
  CallJson("POST", "/accounts", admin_, {{"user_id", "U_LBL"}, {"phone", "+919800000001"}}, 201);
  Pay("TX_LBL_1", "U_LBL", 40);
  EXPECT_EQ(WaitUntilSettled("TX_LBL_1")["status"], "approved");

  json label = CallJson("POST", "/v1/transactions/TX_LBL_1/label", analyst_,
                        {{"label", "fraud"}, {"note", "chargeback from the issuer"}}, 201);
  EXPECT_EQ(label["transaction_id"], "TX_LBL_1");
  EXPECT_EQ(label["label"], "fraud");
  EXPECT_EQ(label["note"], "chargeback from the issuer");
  EXPECT_EQ(label["by"]["name"], "test analyst");
  EXPECT_THAT(label["by"]["key_id"].get<std::string>(), StartsWith("key_"));
  EXPECT_EQ(label["status"], "approved");
  EXPECT_TRUE(label["previous_label"].is_null());
  EXPECT_EQ(label["features_updated"], true);

  // The audit: a history step with who, when, what and why; the status stays.
  json t = Get("/transaction/TX_LBL_1");
  EXPECT_EQ(t["label"], "fraud");
  EXPECT_EQ(t["status"], "approved");
  const json& step = t["history"].back();
  EXPECT_EQ(step["status"], "approved");
  EXPECT_EQ(step["label"], "fraud");
  EXPECT_EQ(step["by"], label["by"]);
  EXPECT_EQ(step["note"], "chargeback from the issuer");
  EXPECT_EQ(step["at"], label["at"]);
  EXPECT_EQ(step["reason"],
            "labelled fraud by test analyst (" + label["by"]["key_id"].get<std::string>() + ")");
  EXPECT_FALSE(t["history"][0].contains("label"));  // only label steps carry one
  EXPECT_EQ(Get("/v1/transactions?limit=1")["transactions"][0]["label"], "fraud");
  // Not blocked: that is the customer's own "NO", or an admin's block list.
  EXPECT_EQ(Get("/accounts/U_LBL")["status"], "active");

  // The card's next payment is scored knowing the fraud.
  Pay("TX_LBL_2", "U_LBL", 40);
  EXPECT_EQ(FeatureValue(WaitUntilSettled("TX_LBL_2"), "card_known_frauds"), 1);
  Pay("TX_OTHER", "U_OTHER", 40);
  EXPECT_EQ(FeatureValue(WaitUntilSettled("TX_OTHER"), "card_known_frauds"), 0);

  // A correction is stored, audited and replaces the first label in the
  // live state at once; a restart, which replays the latest, agrees.
  json genuine =
      CallJson("POST", "/v1/transactions/TX_LBL_1/label", admin_, {{"label", "genuine"}}, 201);
  EXPECT_EQ(genuine["previous_label"], "fraud");
  EXPECT_EQ(genuine["features_updated"], true);
  EXPECT_EQ(genuine["by"]["name"], "test admin");
  t = Get("/transaction/TX_LBL_1");
  EXPECT_EQ(t["label"], "genuine");
  ASSERT_GE(t["history"].size(), 2u);
  EXPECT_EQ(t["history"][t["history"].size() - 2]["label"], "fraud");
  EXPECT_EQ(t["history"].back()["label"], "genuine");
  Pay("TX_LBL_3", "U_LBL", 40);
  EXPECT_EQ(FeatureValue(WaitUntilSettled("TX_LBL_3"), "card_known_frauds"), 0);
  Restart();
  Pay("TX_LBL_4", "U_LBL", 40);
  EXPECT_EQ(FeatureValue(WaitUntilSettled("TX_LBL_4"), "card_known_frauds"), 0);
}

TEST_F(DashboardRoutesTest, APaymentLabelIsCheckedAndRefusedWithTheRightError) {
  Start();  // no payment model: payments stay received
  CallJson("POST", "/transaction", scorer_,
           {{"transaction_id", "TX_NEW"}, {"user_id", "U_NEW"}, {"amount", 10.0}}, 202);
  const std::string path = "/v1/transactions/TX_NEW/label";
  auto field = [&](const json& body) {
    return CallJson("POST", path, analyst_, body, 422)["error"].value("field", "");
  };
  EXPECT_EQ(field(json::object()), "label");
  EXPECT_EQ(field({{"label", "abuse"}}), "label");
  EXPECT_EQ(CallJson("POST", path, analyst_, {{"label", "abuse"}}, 422)["error"]["message"],
            "label: must be fraud or genuine");
  EXPECT_EQ(field({{"label", "fraud"}, {"note", 7}}), "note");
  EXPECT_EQ(field({{"label", "fraud"}, {"note", std::string(1001, 'x')}}), "note");
  json unscored = CallJson("POST", path, analyst_, {{"label", "fraud"}}, 422);
  EXPECT_EQ(unscored["error"]["code"], "failed_precondition");
  EXPECT_THAT(unscored["error"]["message"].get<std::string>(), HasSubstr("is received"));
  EXPECT_EQ(CallJson("POST", "/v1/transactions/TX_NOPE/label", analyst_, {{"label", "fraud"}},
                     404)["error"]["code"],
            "not_found");
  EXPECT_EQ(Call("POST", path, scorer_, R"({"label":"fraud"})").status, 403);

  // A session cookie needs the CSRF token.
  TestHttpResponse signed_in = Call("POST", "/v1/session", "", json{{"api_key", analyst_}}.dump());
  ASSERT_EQ(signed_in.status, 201);
  const std::string cookie = signed_in.Header("Set-Cookie").value_or("");
  const std::string csrf = json::parse(signed_in.body)["csrf_token"];
  const std::string cookie_header = "Cookie: " + cookie.substr(0, cookie.find(';')) + "\r\n";
  TestHttpResponse without =
      Call("POST", path, "", R"({"label":"fraud"})", "application/json", cookie_header);
  EXPECT_EQ(without.status, 403);
  EXPECT_EQ(json::parse(without.body)["error"]["code"], "csrf");
  TestHttpResponse with = Call("POST", path, "", R"({"label":"fraud"})", "application/json",
                               cookie_header + "X-CSRF-Token: " + csrf + "\r\n");
  EXPECT_EQ(with.status, 422) << with.body;  // past the CSRF check: still unscored
  EXPECT_TRUE(Get("/transaction/TX_NEW")["label"].is_null());
}

// ---- the customer timeline ----

TEST_F(DashboardRoutesTest, ACustomersTimelineShowsOrdersOutcomesReturnsQcLabelsAndPayments) {
  Start();
  const Timestamp now = NowSeconds();
  auto at = [now](int minutes_ago) { return FormatTimestamp(now - minutes_ago * 60); };
  auto event = [&](json e) {
    EXPECT_EQ(CallJson("POST", "/v1/events", scorer_, e)["accepted"], 1) << e.dump();
  };
  // An order that never got a decision, sent with an event id of its own,
  // and cancelled likewise: only the feature state knows it.
  json unscored = Order("ORD_TL0", "C_TL");
  unscored.update({{"type", "order.placed"}, {"event_id", "shop-17"}, {"at", at(400)}});
  event(unscored);
  event({{"type", "order.cancelled"},
         {"event_id", "shop-18"},
         {"order_id", "ORD_TL0"},
         {"at", at(390)}});
  json first = Order("ORD_TL1", "C_TL");
  first["ordered_at"] = at(300);
  const std::string first_decision =
      CallJson("POST", "/v1/orders/score", scorer_, first)["decision_id"];
  event({{"type", "order.rto"}, {"order_id", "ORD_TL1"}, {"at", at(250)}});
  json second = Order("ORD_TL2", "C_TL");
  second["ordered_at"] = at(200);
  CallJson("POST", "/v1/orders/score", scorer_, second);
  event({{"type", "order.delivered"}, {"order_id", "ORD_TL2"}, {"at", at(150)}});
  const std::string return_decision = CallJson("POST", "/v1/returns/score", scorer_,
                                               {{"return_id", "RET_TL"},
                                                {"order_id", "ORD_TL2"},
                                                {"reason", "empty box"},
                                                {"requested_at", at(100)}})["decision_id"];
  event({{"type", "return.qc_completed"},
         {"return_id", "RET_TL"},
         {"qc_result", "fail"},
         {"at", at(50)}});
  CallJson(
      "POST", "/transaction", scorer_,
      {{"transaction_id", "TX_TL"}, {"user_id", "C_TL"}, {"amount", 999.0}, {"created_at", at(20)}},
      202);
  CallJson("POST", "/v1/decisions/" + return_decision + "/label", analyst_,
           {{"label", "abuse"}, {"note", "empty box confirmed"}}, 201);

  const json timeline = Get("/v1/customers/C_TL/timeline");
  EXPECT_EQ(timeline["customer_id"], "C_TL");
  EXPECT_EQ(timeline["truncated"], false);
  std::vector<std::string> seen;
  for (const json& e : timeline["entries"]) {
    seen.push_back(e["type"].get<std::string>() + " " + e["subject_id"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"label RET_TL", "payment TX_TL",
                                            "return.qc_completed RET_TL", "return.requested RET_TL",
                                            "order.delivered ORD_TL2", "order.placed ORD_TL2",
                                            "order.rto ORD_TL1", "order.placed ORD_TL1",
                                            "order.cancelled ORD_TL0", "order.placed ORD_TL0"}));
  ASSERT_EQ(seen.size(), 10u);
  const json& e = timeline["entries"];
  EXPECT_EQ(e[0]["label"], "abuse");
  EXPECT_EQ(e[0]["by"]["name"], "test analyst");
  EXPECT_EQ(e[0]["note"], "empty box confirmed");
  EXPECT_EQ(e[0]["decision_id"], return_decision);
  EXPECT_EQ(e[1]["amount"], 999.0);
  EXPECT_EQ(e[1]["status"], "received");
  EXPECT_EQ(e[1]["at"], at(20));
  EXPECT_EQ(e[2]["qc_result"], "fail");
  EXPECT_EQ(e[2]["at"], at(50));
  EXPECT_EQ(e[3]["decision_id"], return_decision);
  EXPECT_EQ(e[3]["order_id"], "ORD_TL2");
  EXPECT_EQ(e[6]["at"], at(250));
  EXPECT_EQ(e[7]["decision_id"], first_decision);
  EXPECT_TRUE(e[7]["risk_score"].is_number());
  EXPECT_TRUE(e[7]["action"].is_string());
  EXPECT_TRUE(e[8]["at"].is_null());  // known to the feature state, not when
  EXPECT_EQ(e[8]["source"], "feature_state");
  EXPECT_TRUE(e[9]["decision_id"].is_null());
  EXPECT_EQ(e[9]["at"], at(400));

  const json three = Get("/v1/customers/C_TL/timeline?limit=3");
  EXPECT_EQ(three["entries"].size(), 3u);
  EXPECT_EQ(three["truncated"], true);
  EXPECT_EQ(three["entries"][0]["type"], "label");
  EXPECT_EQ(Get("/v1/customers/C_NOBODY/timeline")["entries"], json::array());
  EXPECT_EQ(FieldOf422("/v1/customers/C_TL/timeline?limit=201"), "limit");
  EXPECT_EQ(Call("GET", "/v1/customers/C_TL/timeline", scorer_).status, 403);
}

// A return that came only as an event (ingested history, say) has no
// decision naming its order; the feature state still knows the order was
// returned, and the timeline says so without inventing the return's id.
TEST_F(DashboardRoutesTest, ATimelineShowsAnOrderReturnedWithoutAScoredReturn) {
  Start();
  const Timestamp now = NowSeconds();
  auto at = [now](int minutes_ago) { return FormatTimestamp(now - minutes_ago * 60); };
  json placed = Order("ORD_RT0", "C_RT");
  placed.update({{"type", "order.placed"}, {"at", at(300)}});
  EXPECT_EQ(CallJson("POST", "/v1/events", scorer_, placed)["accepted"], 1);
  EXPECT_EQ(
      CallJson("POST", "/v1/events", scorer_,
               {{"type", "order.delivered"}, {"order_id", "ORD_RT0"}, {"at", at(270)}})["accepted"],
      1);
  EXPECT_EQ(CallJson("POST", "/v1/events", scorer_,
                     {{"type", "return.requested"},
                      {"return_id", "RET_RT0"},
                      {"order_id", "ORD_RT0"},
                      {"at", at(250)}})["accepted"],
            1);
  json scored = Order("ORD_RT1", "C_RT");
  scored["ordered_at"] = at(200);
  CallJson("POST", "/v1/orders/score", scorer_, scored);
  CallJson("POST", "/v1/returns/score", scorer_,
           {{"return_id", "RET_RT1"}, {"order_id", "ORD_RT1"}, {"requested_at", at(100)}});

  std::vector<std::string> seen;
  const json timeline = Get("/v1/customers/C_RT/timeline");
  for (const json& e : timeline["entries"]) {
    seen.push_back(e["type"].get<std::string>() + " " + e["subject_id"].get<std::string>());
  }
  // The unscored return sorts just after its order's delivery.
  EXPECT_EQ(seen, (std::vector<std::string>{"return.requested RET_RT1", "order.placed ORD_RT1",
                                            "order.returned ORD_RT0", "order.delivered ORD_RT0",
                                            "order.placed ORD_RT0"}));
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_TRUE(timeline["entries"][2]["at"].is_null());
  EXPECT_EQ(timeline["entries"][2]["source"], "feature_state");
}

TEST_F(DashboardRoutesTest, ModelsAreListedWithTheirReports) {
  Start();
  json models = Get("/v1/models")["models"];
  ASSERT_FALSE(models.empty());
  const json& order = models[0];
  EXPECT_EQ(order["kind"], "order");
  EXPECT_EQ(order["version"], "order-v1");
  EXPECT_EQ(order["production"], true);
  EXPECT_EQ(order["in_service"], true);
  EXPECT_GT(order["metrics"]["roc_auc"].get<double>(), 0.5);
  EXPECT_EQ(order["report"], "/v1/models/order/order-v1/report");

  TestHttpResponse report = Call("GET", "/v1/models/order/order-v1/report", analyst_);
  EXPECT_EQ(report.status, 200);
  EXPECT_THAT(report.Header("Content-Type").value_or(""), StartsWith("text/html"));
  EXPECT_EQ(report.Header("Content-Security-Policy").value_or(""),
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'");
  EXPECT_THAT(report.body, HasSubstr("<style>"));
  EXPECT_EQ(Call("GET", "/v1/models/order/v1/report", analyst_).body, report.body);
  EXPECT_EQ(Call("GET", "/v1/models/order/order-v9/report", analyst_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/models/order/..%2F..%2Fv1/report", analyst_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/models/fraud/v1/report", analyst_).status, 404);
}

TEST_F(DashboardRoutesTest, ModelsShowTheChallengersAgreementWithTheChampion) {
  // The champion in shadow as its own challenger: every action the same.
  config_.challenger_order = "v1";
  config_.challenger_share = 1.0;
  Start();
  EXPECT_EQ(Get("/v1/models")["shadow"]["order"]["decisions"], 0);
  EXPECT_TRUE(Get("/v1/models")["shadow"]["order"]["agreement"].is_null());
  for (int i = 0; i < 4; ++i) ScoreOrder(fmt::format("ORD_SHADOW_{}", i), "C_SHADOW");
  json shadow = Get("/v1/models")["shadow"];
  EXPECT_EQ(shadow["order"]["challenger"], "order-v1");
  EXPECT_EQ(shadow["order"]["decisions"], 4);
  EXPECT_EQ(shadow["order"]["same_action"], 4);
  EXPECT_DOUBLE_EQ(shadow["order"]["agreement"].get<double>(), 1.0);
  EXPECT_TRUE(shadow["return"]["challenger"].is_null());
  EXPECT_EQ(shadow["return"]["decisions"], 0);
}

TEST_F(DashboardRoutesTest, OnlyAdminsPromoteAndRollBackAndTheNewVersionServesAtOnce) {
  ScratchDir models("dashboard_models");
  testing::AddSecondOrderVersion(models);  // order-v2: a different model, not promoted
  config_.models_dir = models.path();
  Start();

  const std::string promote = "/v1/models/order/promote";
  EXPECT_EQ(Call("POST", promote, analyst_, R"({"version":"order-v2"})").status, 403);
  EXPECT_EQ(Call("POST", "/v1/models/order/rollback", analyst_).status, 403);
  EXPECT_EQ(CallJson("POST", promote, admin_, json::object(), 422)["error"]["field"], "version");
  EXPECT_EQ(CallJson("POST", promote, admin_, {{"version", "../v1"}}, 422)["error"]["field"],
            "version");
  EXPECT_EQ(Call("POST", promote, admin_, R"({"version":"order-v7"})").status, 404);
  EXPECT_EQ(Call("POST", "/v1/models/fraud/promote", admin_, R"({"version":"v1"})").status, 404);

  EXPECT_EQ(Get("/v1/models")["rollback_to"],
            json({{"order", nullptr}, {"return", nullptr}, {"transaction", nullptr}}));
  json promoted = CallJson("POST", promote, admin_, {{"version", "order-v2"}});
  EXPECT_EQ(promoted["production"], "order-v2");
  EXPECT_EQ(Get("/v1/models")["rollback_to"]["order"], "order-v1");
  EXPECT_EQ(promoted["models"][0]["version"], "order-v2");
  EXPECT_EQ(ScoreOrder("ORD_PROMOTED", "C_PROMOTE")["model_version"], "order-v2");
  EXPECT_EQ(Get("/v1/models")["models"][1]["in_service"], true);

  json back = CallJson("POST", "/v1/models/order/rollback", admin_);
  EXPECT_EQ(back["production"], "order-v1");
  EXPECT_TRUE(Get("/v1/models")["rollback_to"]["order"].is_null());
  EXPECT_EQ(ScoreOrder("ORD_ROLLED_BACK", "C_PROMOTE")["model_version"], "order-v1");
  EXPECT_EQ(CallJson("POST", "/v1/models/order/rollback", admin_, nullptr, 422)["error"]["code"],
            "failed_precondition");
}

}  // namespace
}  // namespace vigil
