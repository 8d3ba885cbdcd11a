// Black-box tests of `vigil serve`'s routes: a real server on a free port, a
// real SQLite store in a scratch directory, models trained on a generated
// marketplace, and requests over real sockets.
#include "service/vigil_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <thread>

#include "http/fake_http_server.h"
#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "service/risk_service.h"
#include "service/service_fixture_for_test.h"
#include "service/twilio_webhook_for_test.h"
#include "sms/twilio_signature.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::CreateKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScratchDir;
using testing::SharedMarketplace;
using ::testing::StartsWith;

json Order(const std::string& order_id, const std::string& customer_id = "C_NEW_1") {
  return {{"order_id", order_id},       {"customer_id", customer_id}, {"product_id", "P_TEST"},
          {"category", "electronics"},  {"amount", 18999.0},          {"payment_method", "COD"},
          {"delivery_pincode", 560001}, {"device_id", "D_TEST"}};
}

class VigilServerTest : public testing::ServerTest {
 protected:
  VigilServerTest() : ServerTest("server") {}

  void SetUp() override {
    ServerTest::SetUp();
    config_.similar_capacity = 2000;
  }

  json Score(const json& order, int want_status = 200) {
    return CallJson("POST", "/v1/orders/score", scorer_, order, want_status);
  }
  int64_t LifetimeOrders(const std::string& customer) {
    json profile = CallJson("GET", "/v1/customers/" + customer, analyst_, nullptr);
    return profile["features"]["customer_lifetime_orders"].get<int64_t>();
  }

  // Waits (up to 10 s) until /metrics shows `n` orders in the similar-case index.
  void WaitForIndexedOrders(int n) {
    const std::string want = fmt::format("vigil_similar_cases{{kind=\"order\"}} {}\n", n);
    std::string metrics;
    for (int attempt = 0; attempt < 500; ++attempt) {
      metrics = Call("GET", "/metrics", "").body;
      if (metrics.find(want) != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "the similar-case index never held " << n << " orders";
  }
};

TEST_F(VigilServerTest, ScoresAnOrderInTheShapeOfTheDesign) {
  Start();
  json r = Score(Order("ORD_SHAPE"));
  EXPECT_EQ(r["order_id"], "ORD_SHAPE");
  EXPECT_GE(r["risk_score"].get<double>(), 0.0);
  EXPECT_LE(r["risk_score"].get<double>(), 1.0);
  EXPECT_THAT((std::vector<std::string>{"low", "medium", "high", "critical"}),
              ::testing::Contains(r["risk_level"].get<std::string>()));
  EXPECT_THAT((std::vector<std::string>{"allow", "otp_verification", "prepaid_only",
                                        "manual_review", "block"}),
              ::testing::Contains(r["recommended_action"].get<std::string>()));
  EXPECT_FALSE(r["explanation"]["summary"].get<std::string>().empty());
  EXPECT_FALSE(r["explanation"]["key_factors"].empty());
  EXPECT_FALSE(r["explanation"]["recommendation"].get<std::string>().empty());
  EXPECT_EQ(r["explanation_source"], "template");
  ASSERT_EQ(r["factors"].size(), 5u);
  for (const json& f : r["factors"]) {
    EXPECT_TRUE(f.contains("feature") && f.contains("value") && f.contains("contribution")) << f;
  }
  EXPECT_GT(r["confidence"].get<double>(), 0.0);
  EXPECT_LE(r["confidence"].get<double>(), 1.0);
  EXPECT_GT(r["processing_time_ms"].get<double>(), 0.0);
  EXPECT_THAT(r["model_version"].get<std::string>(), StartsWith("order-v"));
  EXPECT_THAT(r["decision_id"].get<std::string>(), StartsWith("dec_"));
  EXPECT_THAT(r["timestamp"].get<std::string>(), ::testing::EndsWith("Z"));
}

TEST_F(VigilServerTest, ScoringTheSameOrderTwiceReturnsTheFirstDecisionAndCountsItOnce) {
  Start();
  json first = Score(Order("ORD_TWICE", "C_TWICE"));
  json second = Score(Order("ORD_TWICE", "C_TWICE"));
  EXPECT_EQ(second["decision_id"], first["decision_id"]);
  EXPECT_EQ(second["risk_score"], first["risk_score"]);
  EXPECT_EQ(LifetimeOrders("C_TWICE"), 1);
}

TEST_F(VigilServerTest, ADryRunIsAnsweredButNotRecorded) {
  Start();
  json order = Order("ORD_DRY", "C_DRY");
  order["dry_run"] = true;
  json r = Score(order);
  EXPECT_EQ(r["dry_run"], true);
  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_DRY", analyst_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/customers/C_DRY", analyst_).status, 404);
}

TEST_F(VigilServerTest, AStoredDecisionIsExplainedAgainInTheLanguageAsked) {
  Start();
  json scored = Score(Order("ORD_LANG"));
  ASSERT_EQ(scored["language"], "en");
  json hindi = CallJson("GET", "/v1/decisions/ORD_LANG?language=hi", analyst_, nullptr);
  const json& e = hindi["response"]["explanation"];
  EXPECT_EQ(hindi["response"]["language"], "hi");
  EXPECT_NE(e["summary"], scored["explanation"]["summary"]);
  // Devanagari (U+0900-U+097F is E0 A4 80 - E0 A5 BF in UTF-8).
  EXPECT_THAT(e["summary"].get<std::string>(), HasSubstr("\xE0\xA4"));
  EXPECT_EQ(e["key_factors"].size(), scored["explanation"]["key_factors"].size());
  EXPECT_NE(e["recommendation"], scored["explanation"]["recommendation"]);
  // Asking for English, or for nothing, gives the sentences as scored.
  json english = CallJson("GET", "/v1/decisions/ORD_LANG?language=en", analyst_, nullptr);
  EXPECT_EQ(english["response"]["explanation"], scored["explanation"]);
  EXPECT_EQ(CallJson("GET", "/v1/decisions/ORD_LANG", analyst_, nullptr)["response"], scored);
}

TEST_F(VigilServerTest, FindsADecisionByItsOrderIdAndByItsDecisionId) {
  Start();
  json scored = Score(Order("ORD_FIND"));
  json by_order = CallJson("GET", "/v1/decisions/ORD_FIND", analyst_, nullptr);
  json by_id = CallJson("GET", "/v1/decisions/" + scored["decision_id"].get<std::string>(),
                        analyst_, nullptr);
  EXPECT_EQ(by_order, by_id);
  EXPECT_EQ(by_order["response"], scored);
  EXPECT_EQ(by_order["request"]["order_id"], "ORD_FIND");
  EXPECT_TRUE(by_order["features"].contains("customer_lifetime_orders"));
  EXPECT_EQ(by_order["features"]["order_amount"], 18999.0);
  EXPECT_FALSE(by_order["request_id"].get<std::string>().empty());
  // Every feature's exact SHAP value, largest first, summing with the bias
  // to the model's margin (the record keeps them unrounded).
  const json& factors = by_order["all_factors"];
  ASSERT_EQ(factors.size(), by_order["features"].size());
  double sum = by_order["bias"].get<double>();
  for (size_t i = 0; i < factors.size(); ++i) {
    sum += factors[i]["contribution"].get<double>();
    if (i > 0) {
      EXPECT_GE(std::abs(factors[i - 1]["contribution"].get<double>()),
                std::abs(factors[i]["contribution"].get<double>()));
    }
  }
  EXPECT_NEAR(sum, by_order["margin"].get<double>(), 1e-4);
}

TEST_F(VigilServerTest, ScoresAReturnOfAKnownOrderAndNamesAnUnknownOne) {
  Start();
  Score(Order("ORD_RET"));
  json r = CallJson("POST", "/v1/returns/score", scorer_,
                    {{"return_id", "RET_1"}, {"order_id", "ORD_RET"}, {"reason", "size issue"}});
  EXPECT_EQ(r["return_id"], "RET_1");
  EXPECT_THAT((std::vector<std::string>{"instant_refund", "pickup_qc", "manual_review", "deny"}),
              ::testing::Contains(r["recommended_action"].get<std::string>()));
  json unknown = CallJson("POST", "/v1/returns/score", scorer_,
                          {{"return_id", "RET_2"}, {"order_id", "ORD_NOPE"}}, 422);
  EXPECT_EQ(unknown["error"]["field"], "order_id");
}

TEST_F(VigilServerTest, RefusesCallersWithoutAValidKey) {
  Start();
  EXPECT_EQ(Call("POST", "/v1/orders/score", "", Order("O").dump()).status, 401);
  EXPECT_EQ(Call("POST", "/v1/orders/score", "vk_not_a_key", Order("O").dump()).status, 401);
  TestHttpResponse bearer = Call("POST", "/v1/orders/score", "", Order("ORD_BEARER").dump(),
                                 "application/json", "Authorization: Bearer " + scorer_ + "\r\n");
  EXPECT_EQ(bearer.status, 200) << bearer.body;
}

TEST_F(VigilServerTest, ARoleAllowsOnlyItsRoutes) {
  Start();
  Score(Order("ORD_ROLE"));
  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_ROLE", scorer_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/orders/score", analyst_, Order("O2").dump()).status, 403);
  EXPECT_EQ(Call("GET", "/v1/lists", analyst_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/models/reload", analyst_, "{}").status, 403);
  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_ROLE", admin_).status, 200);
  EXPECT_EQ(Call("GET", "/v1/lists", admin_).status, 200);
}

TEST_F(VigilServerTest, AnswersBadRequestsWithTheStatusThatSaysWhy) {
  Start();
  EXPECT_EQ(Call("POST", "/v1/orders/score", scorer_, Order("O").dump(), "text/plain").status, 415);
  TestHttpResponse malformed = Call("POST", "/v1/orders/score", scorer_, "{\"order_id\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(malformed.body, HasSubstr("\"code\""));

  json no_amount = Order("ORD_BAD");
  no_amount.erase("amount");
  EXPECT_EQ(Score(no_amount, 422)["error"]["field"], "amount");
  json bad_payment = Order("ORD_BAD");
  bad_payment["payment_method"] = "barter";
  EXPECT_EQ(Score(bad_payment, 422)["error"]["field"], "payment_method");
  json negative = Order("ORD_BAD");
  negative["amount"] = -5;
  EXPECT_EQ(Score(negative, 422)["error"]["field"], "amount");

  EXPECT_EQ(Call("GET", "/v1/nowhere", scorer_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/orders/score", scorer_).status, 405);
  // Nothing above was recorded.
  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_BAD", analyst_).status, 404);
}

TEST_F(VigilServerTest, RefusesABodyOverTheLimitWith413) {
  config_.max_body_bytes = 4096;
  Start();
  json big = Order("ORD_BIG");
  big["note"] = std::string(8000, 'x');
  EXPECT_EQ(Call("POST", "/v1/orders/score", scorer_, big.dump()).status, 413);
}

TEST_F(VigilServerTest, RateLimitsAKeyWith429AndRetryAfter) {
  config_.rate_limits["analyst"] = {.tokens_per_second = 0.5, .burst = 2};
  Start();
  EXPECT_EQ(Call("GET", "/v1/decisions/x", analyst_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/decisions/x", analyst_).status, 404);
  TestHttpResponse limited = Call("GET", "/v1/decisions/x", analyst_);
  EXPECT_EQ(limited.status, 429);
  ASSERT_TRUE(limited.Header("Retry-After").has_value());
  EXPECT_GE(std::stoi(*limited.Header("Retry-After")), 1);
  // Other keys have their own buckets.
  EXPECT_EQ(Call("GET", "/v1/decisions/x", admin_).status, 404);
}

TEST_F(VigilServerTest, EventsTakeNdjsonAndAnswerPerLine) {
  Start();
  Score(Order("ORD_EV", "C_EV"));
  const std::string lines =
      R"({"type":"order.delivered","order_id":"ORD_EV","at":"2026-01-02T10:00:00Z"})"
      "\n"
      R"({"type":"order.teleported","order_id":"ORD_EV"})"
      "\n"
      "not json\n"
      R"({"type":"return.requested","return_id":"RET_EV","order_id":"ORD_EV","reason":"defective"})"
      "\n";
  TestHttpResponse r = Call("POST", "/v1/events", scorer_, lines, "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["accepted"], 2);
  ASSERT_EQ(body["rejected"].size(), 2u);
  EXPECT_EQ(body["rejected"][0]["line"], 2);
  EXPECT_EQ(body["rejected"][0]["field"], "type");
  EXPECT_EQ(body["rejected"][1]["line"], 3);

  // Sent again: nothing new.
  json again = json::parse(Call("POST", "/v1/events", scorer_, lines, "application/x-ndjson").body);
  EXPECT_EQ(again["accepted"], 0);
  EXPECT_EQ(again["duplicates"], 2);

  json profile = CallJson("GET", "/v1/customers/C_EV", analyst_, nullptr);
  EXPECT_EQ(profile["features"]["customer_lifetime_returns"], 1) << profile;
}

TEST_F(VigilServerTest, ARepeatedEventDoesNotChangeTheLiveStateAgain) {
  Start();
  Score(Order("ORD_DUP", "C_DUP"));
  const std::string ret =
      R"({"type":"return.requested","return_id":"RET_DUP","order_id":"ORD_DUP","reason":"defective"})";
  for (int i = 0; i < 3; ++i) {
    TestHttpResponse r = Call("POST", "/v1/events", scorer_, ret);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["accepted"], i == 0 ? 1 : 0);
  }
  // The same event twice in one NDJSON body counts once as well.
  const std::string twice = std::string(R"({"type":"order.rto","order_id":"ORD_DUP"})") + "\n" +
                            R"({"type":"order.rto","order_id":"ORD_DUP"})" + "\n";
  json body = json::parse(Call("POST", "/v1/events", scorer_, twice, "application/x-ndjson").body);
  EXPECT_EQ(body["accepted"], 1);
  EXPECT_EQ(body["duplicates"], 1);
  json profile = CallJson("GET", "/v1/customers/C_DUP", analyst_, nullptr);
  EXPECT_EQ(profile["features"]["customer_lifetime_returns"], 1);
}

// Orders placed for `customer`, ids O{prefix}{first}.. upwards, one NDJSON line each.
std::string PlacedOrders(std::string_view prefix, std::string_view customer, int first, int n) {
  std::string lines;
  for (int i = first; i < first + n; ++i) {
    lines += fmt::format(
        R"({{"type":"order.placed","order_id":"O{}{}","customer_id":"{}","product_id":"P1",)"
        R"("amount":500,"payment_method":"upi","at":"2026-01-02T10:00:00Z"}})"
        "\n",
        prefix, i, customer);
  }
  return lines;
}

TEST_F(VigilServerTest, ABatchWrittenInSeveralCommitsCountsAndAppliesEachEventOnce) {
  Start();
  // 150 orders, then the same 150 again in the same body: five commits of
  // kEventsPerCommit lines, the repeats meeting their first copies committed.
  static_assert(RiskService::kEventsPerCommit < 150);
  const std::string orders = PlacedOrders("BULK", "C_BULK", 0, 150);
  TestHttpResponse r = Call("POST", "/v1/events", scorer_, orders + orders, "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["accepted"], 150);
  EXPECT_EQ(body["duplicates"], 150);
  json profile = CallJson("GET", "/v1/customers/C_BULK", analyst_, nullptr);
  EXPECT_EQ(profile["features"]["customer_lifetime_orders"], 150) << profile;
}

TEST_F(VigilServerTest, ConcurrentBatchesOfTheSameEventsCountEachOnce) {
  Start();
  const std::string orders = PlacedOrders("RACE", "C_RACE", 0, 200);
  std::vector<json> answers(4);
  std::vector<std::thread> clients;
  for (size_t c = 0; c < answers.size(); ++c) {
    clients.emplace_back([&, c] {
      TestHttpResponse r = Call("POST", "/v1/events", scorer_, orders, "application/x-ndjson");
      ASSERT_EQ(r.status, 200) << r.body;
      answers[c] = json::parse(r.body);
    });
  }
  for (std::thread& t : clients) t.join();
  int accepted = 0;
  int duplicates = 0;
  for (const json& a : answers) {
    accepted += a.value("accepted", 0);
    duplicates += a.value("duplicates", 0);
  }
  EXPECT_EQ(accepted, 200);
  EXPECT_EQ(duplicates, 3 * 200);
  json profile = CallJson("GET", "/v1/customers/C_RACE", analyst_, nullptr);
  EXPECT_EQ(profile["features"]["customer_lifetime_orders"], 200) << profile;
}

TEST_F(VigilServerTest, ABlockListedCustomerIsBlockedWithTheReasonStated) {
  Start();
  json entry = {
      {"list", "block"}, {"field", "customer"}, {"value", "C_BAD"}, {"reason", "chargeback ring"}};
  CallJson("POST", "/v1/lists", admin_, entry, 201);
  json r = Score(Order("ORD_LISTED", "C_BAD"));
  EXPECT_EQ(r["recommended_action"], "block");
  EXPECT_EQ(r["override"]["list"], "block");
  EXPECT_THAT(r["explanation"]["key_factors"][0].get<std::string>(), HasSubstr("chargeback ring"));

  // The list persists across a restart, and removing the entry lifts it.
  Restart();
  EXPECT_EQ(Score(Order("ORD_LISTED_2", "C_BAD"))["recommended_action"], "block");
  EXPECT_EQ(Call("DELETE", "/v1/lists/block/customer/C_BAD", admin_).status, 200);
  json lifted = Score(Order("ORD_LISTED_3", "C_BAD"));
  EXPECT_FALSE(lifted.contains("override"));
  // While listed, the summary spoke for the block, not for the model's level.
  if (lifted["recommended_action"] != "block") {
    EXPECT_NE(r["explanation"]["summary"], lifted["explanation"]["summary"]);
  }
}

TEST_F(VigilServerTest, WithoutModelsScoringIs503WhileHealthzStaysUp) {
  ScratchDir empty("no_models");
  config_.models_dir = empty.path();
  Start();
  EXPECT_EQ(Score(Order("ORD_NOMODEL"), 503)["error"]["code"], "unavailable");
  EXPECT_EQ(Call("GET", "/healthz", "").status, 200);
  EXPECT_EQ(Call("GET", "/readyz", "").status, 503);
  EXPECT_EQ(CallJson("GET", "/readyz", "", nullptr, 503)["models"],
            json({{"order", nullptr}, {"return", nullptr}, {"transaction", nullptr}}));
}

TEST_F(VigilServerTest, DecisionsAndFeatureStateSurviveARestart) {
  Start();
  json first = Score(Order("ORD_R1", "C_RESTART"));
  Score(Order("ORD_R2", "C_RESTART"));
  EXPECT_EQ(LifetimeOrders("C_RESTART"), 2);
  Restart();
  EXPECT_EQ(LifetimeOrders("C_RESTART"), 2);
  EXPECT_EQ(CallJson("GET", "/v1/decisions/ORD_R1", analyst_, nullptr)["response"], first);
  // Scoring it again after the restart still answers the stored decision.
  EXPECT_EQ(Score(Order("ORD_R1", "C_RESTART"))["decision_id"], first["decision_id"]);
}

TEST_F(VigilServerTest, ExplainsInHindiWhenAskedByAcceptLanguage) {
  Start();
  TestHttpResponse r = Call("POST", "/v1/orders/score", scorer_, Order("ORD_HI").dump(),
                            "application/json", "Accept-Language: hi-IN,hi;q=0.9,en;q=0.5\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["language"], "hi");
  // Devanagari: U+0900..U+097F are E0 A4 80 .. E0 A5 BF in UTF-8.
  EXPECT_THAT(body["explanation"]["summary"].get<std::string>(), HasSubstr("\xE0\xA4"));
}

TEST_F(VigilServerTest, AnAdminKeepsAccountsAndAnalystsReadThemWithTheirPhoneMasked) {
  Start();
  const json account = {
      {"user_id", "U_ASHA"}, {"name", "Asha"}, {"phone", "+919812345678"}, {"language", "hi"}};
  json created = CallJson("POST", "/accounts", admin_, account, 201);
  EXPECT_EQ(created["user_id"], "U_ASHA");
  EXPECT_EQ(created["phone"], "+91******5678");
  EXPECT_EQ(created["status"], "active");
  EXPECT_EQ(created["sms_opt_out"], false);
  EXPECT_EQ(created["language"], "hi");

  json changed = account;
  changed["status"] = "blocked";
  changed["sms_opt_out"] = true;
  json updated = CallJson("POST", "/v1/accounts", admin_, changed, 200);
  EXPECT_EQ(updated["status"], "blocked");
  EXPECT_EQ(updated["created_at"], created["created_at"]);

  for (const char* path : {"/accounts/U_ASHA", "/v1/accounts/U_ASHA"}) {
    TestHttpResponse r = Call("GET", path, analyst_);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("9812345678"), std::string::npos) << r.body;  // never the whole number
    EXPECT_EQ(json::parse(r.body)["sms_opt_out"], true);
  }
  EXPECT_EQ(Call("GET", "/accounts/U_NOBODY", analyst_).status, 404);
  Restart();
  EXPECT_EQ(CallJson("GET", "/accounts/U_ASHA", analyst_, nullptr)["status"], "blocked");
}

TEST_F(VigilServerTest, AccountsAreCheckedFieldByFieldAndOnlyAdminsWriteThem) {
  Start();
  auto error_field = [&](const json& body) {
    TestHttpResponse r = Call("POST", "/accounts", admin_, body.dump());
    EXPECT_EQ(r.status, 422) << r.body;
    return json::parse(r.body)["error"]["field"];
  };
  EXPECT_EQ(error_field({{"user_id", "U1"}, {"phone", "9812345678"}}), "phone");
  EXPECT_EQ(error_field({{"user_id", "U1"}, {"phone", "+91 98123 45678"}}), "phone");
  EXPECT_EQ(error_field({{"phone", "+919812345678"}}), "user_id");
  EXPECT_EQ(error_field({{"user_id", "U1"}, {"phone", "+919812345678"}, {"status", "frozen"}}),
            "status");
  EXPECT_EQ(error_field({{"user_id", "U1"}, {"phone", "+919812345678"}, {"sms_opt_out", "no"}}),
            "sms_opt_out");
  EXPECT_EQ(error_field({{"user_id", "U1"}, {"phone", "+919812345678"}, {"language", "fr"}}),
            "language");
  EXPECT_EQ(Call("POST", "/accounts", admin_, "[1,2]").status, 400);
  EXPECT_EQ(
      Call("POST", "/accounts", admin_, "user_id=U1", "application/x-www-form-urlencoded").status,
      415);
  const std::string good = json{{"user_id", "U1"}, {"phone", "+919812345678"}}.dump();
  EXPECT_EQ(Call("POST", "/accounts", analyst_, good).status, 403);
  EXPECT_EQ(Call("POST", "/accounts", "", good).status, 401);
  EXPECT_EQ(Call("GET", "/accounts/U1", scorer_).status, 403);
  EXPECT_EQ(Call("GET", "/accounts/U1", analyst_).status, 404);  // nothing was stored
}

TEST_F(VigilServerTest, AReceivedPaymentIsDurableAt202AndShowsItsHistory) {
  Start();
  const json payment = {{"transaction_id", "T_1"}, {"user_id", "U_PAY"},
                        {"amount", 2499.5},        {"merchant", "M42"},
                        {"location", "Pune"},      {"created_at", "2026-12-05T10:00:00+05:30"}};
  json accepted = CallJson("POST", "/transaction", scorer_, payment, 202);
  EXPECT_EQ(accepted, json({{"transaction_id", "T_1"}, {"status", "received"}}));
  // A retry of the same payment is the same answer; its id for another is 409.
  EXPECT_EQ(CallJson("POST", "/v1/transactions", scorer_, payment, 202), accepted);
  json other = payment;
  other["amount"] = 1.0;
  TestHttpResponse conflict = Call("POST", "/transaction", scorer_, other.dump());
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(json::parse(conflict.body)["error"]["field"], "transaction_id");

  Restart();  // acknowledged means stored
  for (const char* path : {"/transaction/T_1", "/v1/transactions/T_1"}) {
    json t = CallJson("GET", path, scorer_, nullptr);
    EXPECT_EQ(t["status"], "received");
    EXPECT_EQ(t["amount"], 2499.5);
    EXPECT_EQ(t["currency"], "INR");
    EXPECT_EQ(t["created_at"], "2026-12-05T04:30:00Z");
    EXPECT_TRUE(t["risk_score"].is_null());
    ASSERT_EQ(t["history"].size(), 1u);
    EXPECT_EQ(t["history"][0]["status"], "received");
  }
  EXPECT_EQ(Call("GET", "/transaction/T_NONE", scorer_).status, 404);
  // Without an id the server makes one.
  json generated =
      CallJson("POST", "/transaction", scorer_, {{"user_id", "U_PAY"}, {"amount", 10}}, 202);
  EXPECT_THAT(generated["transaction_id"].get<std::string>(), StartsWith("txn_"));
}

TEST_F(VigilServerTest, APaymentIsCheckedFieldByField) {
  Start();
  auto error_field = [&](const json& body) {
    TestHttpResponse r = Call("POST", "/transaction", scorer_, body.dump());
    EXPECT_EQ(r.status, 422) << r.body;
    return json::parse(r.body)["error"]["field"];
  };
  EXPECT_EQ(error_field({{"amount", 10}}), "user_id");
  EXPECT_EQ(error_field({{"user_id", "U"}}), "amount");
  EXPECT_EQ(error_field({{"user_id", "U"}, {"amount", "10"}}), "amount");
  EXPECT_EQ(error_field({{"user_id", "U"}, {"amount", -5}}), "amount");
  EXPECT_EQ(error_field({{"user_id", "U"}, {"amount", 1e12}}), "amount");
  EXPECT_EQ(error_field({{"user_id", "U"}, {"amount", 5}, {"currency", "rupees"}}), "currency");
  EXPECT_EQ(error_field({{"user_id", "U"}, {"amount", 5}, {"created_at", "yesterday"}}),
            "created_at");
  EXPECT_EQ(error_field({{"user_id", "U"}, {"amount", 5}, {"merchant", 7}}), "merchant");
  EXPECT_EQ(Call("POST", "/transaction", scorer_, "not json").status, 400);
  EXPECT_EQ(Call("POST", "/transaction", analyst_, R"({"user_id":"U","amount":5})").status, 403);
}

TEST_F(VigilServerTest, ATwilioStopOptsTheNumberOutOnceAndARetryChangesNothing) {
  config_.twilio_auth_token = "twilio-test-token";
  config_.public_base_url = "https://risk.example.in/";
  Start();
  CallJson("POST", "/accounts", admin_, {{"user_id", "U_SMS"}, {"phone", "+919812345678"}}, 201);
  const FormParams stop = {{"MessageSid", "SM_STOP"},
                           {"From", "+919812345678"},
                           {"To", "+15005550006"},
                           {"Body", " stop "}};
  TestHttpResponse r = PostTwilio(server_->port(), stop);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(*r.Header("Content-Type"), StartsWith("text/xml"));
  EXPECT_THAT(r.body, HasSubstr("<Response/>"));
  EXPECT_EQ(CallJson("GET", "/accounts/U_SMS", analyst_, nullptr)["sms_opt_out"], true);

  ASSERT_EQ(PostTwilio(server_->port(),
                       {{"MessageSid", "SM_START"}, {"From", "+919812345678"}, {"Body", "START"}})
                .status,
            200);
  EXPECT_EQ(CallJson("GET", "/accounts/U_SMS", analyst_, nullptr)["sms_opt_out"], false);
  // Twilio retries the STOP (same MessageSid): same answer, no second opt-out.
  EXPECT_EQ(PostTwilio(server_->port(), stop).body, r.body);
  EXPECT_EQ(CallJson("GET", "/accounts/U_SMS", analyst_, nullptr)["sms_opt_out"], false);
}

TEST_F(VigilServerTest, ATwilioReplyIsAnsweredInTheAccountsLanguage) {
  config_.twilio_auth_token = "twilio-test-token";
  config_.public_base_url = "https://risk.example.in";
  Start();
  CallJson("POST", "/accounts", admin_,
           {{"user_id", "U_HI"}, {"phone", "+919811111111"}, {"language", "hi"}}, 201);
  TestHttpResponse help = PostTwilio(
      server_->port(), {{"MessageSid", "SM_H"}, {"From", "+919811111111"}, {"Body", "HELP"}});
  ASSERT_EQ(help.status, 200) << help.body;
  EXPECT_THAT(help.body, HasSubstr("<Message>भुगतान जाँच"));
  // Nothing is waiting for a YES: a polite answer (English for an unknown number).
  TestHttpResponse yes = PostTwilio(
      server_->port(), {{"MessageSid", "SM_Y"}, {"From", "+15550001111"}, {"Body", "yes"}});
  ASSERT_EQ(yes.status, 200) << yes.body;
  EXPECT_THAT(yes.body, HasSubstr("No payment is waiting for your reply"));
  // A delivery status callback is acknowledged.
  EXPECT_EQ(PostTwilio(server_->port(), {{"MessageSid", "SM_OUT"}, {"MessageStatus", "delivered"}})
                .status,
            200);
}

TEST_F(VigilServerTest, TheTwilioWebhookRefusesWhatTwilioDidNotSign) {
  config_.twilio_auth_token = "twilio-test-token";
  config_.public_base_url = "https://risk.example.in";
  Start();
  const FormParams stop = {{"MessageSid", "SM_X"}, {"From", "+919812345678"}, {"Body", "STOP"}};
  EXPECT_EQ(PostTwilio(server_->port(), stop, "bm90IGEgc2lnbmF0dXJl").status, 403);
  EXPECT_EQ(PostTwilio(server_->port(), stop, "").status, 403);
  // Signed for another URL (a forged callback to another deployment).
  EXPECT_EQ(
      PostTwilio(server_->port(), stop, std::nullopt, "https://evil.example/webhook/twilio").status,
      403);
  // Twilio may sign the URL with its default port; that is the same URL.
  EXPECT_EQ(
      PostTwilio(server_->port(), stop, std::nullopt, "https://risk.example.in:443/webhook/twilio")
          .status,
      200);
  EXPECT_EQ(Call("POST", "/webhook/twilio", "", R"({"Body":"STOP"})").status, 415);
  EXPECT_EQ(PostTwilio(server_->port(), {{"From", "+919812345678"}, {"Body", "YES"}}).status, 422);
}

TEST_F(VigilServerTest, TheTwilioWebhookIsUnavailableUntilConfigured) {
  Start();
  EXPECT_EQ(PostTwilio(server_->port(), {{"MessageSid", "SM1"}, {"Body", "YES"}}).status, 503);
}

TEST_F(VigilServerTest, MetricsCountDecisionsAndRefusals) {
  Start();
  json r = Score(Order("ORD_M"));
  Call("GET", "/v1/decisions/x", "");
  TestHttpResponse metrics = Call("GET", "/metrics", "");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(*metrics.Header("Content-Type"), StartsWith("text/plain"));
  EXPECT_THAT(metrics.body,
              HasSubstr(fmt::format(
                  "vigil_decisions_total{{kind=\"order\",level=\"{}\",action=\"{}\"}} 1",
                  r["risk_level"].get<std::string>(), r["recommended_action"].get<std::string>())));
  EXPECT_THAT(metrics.body, HasSubstr("vigil_auth_failures_total{reason=\"unauthenticated\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("vigil_model_info{kind=\"order\""));
  // The decision's commit (and any before it) is in the store's histogram.
  const std::string count_key = "vigil_store_commit_duration_seconds_count ";
  const size_t at = metrics.body.find(count_key);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  EXPECT_GE(std::stoll(metrics.body.substr(at + count_key.size())), 1);
}

// The gauge value of `name` in a /metrics body, or NaN.
double GaugeValue(const std::string& body, const std::string& name) {
  const size_t at = body.find("\n" + name + " ");
  if (at == std::string::npos) return std::nan("");
  const std::string value = body.substr(at + name.size() + 2, body.find('\n', at + 1) - at);
  return value.starts_with("-Inf") ? -std::numeric_limits<double>::infinity() : std::stod(value);
}

TEST_F(VigilServerTest, SaysWhenTheFestivalCalendarRunsOutAndWhichRowsItSkipped) {
  const auto write_calendar = [&](const std::string& rows) {
    std::ofstream(dir_ / "festivals.csv") << "name,start_date,end_date,kind,basis\n" << rows;
  };
  write_calendar(
      "Old,2020-01-01,2020-01-02,festival,\n"
      "Far,2090-01-01,2090-01-03,festival,\n"
      "Later sale,2095-01-01,2095-01-02,sale,\n"
      "Broken,2020-13-45,2020-01-01,festival,\n");
  ::testing::internal::CaptureStderr();
  Start();
  std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(said, HasSubstr("festivals.csv:5"));
  EXPECT_THAT(said, HasSubstr("(row skipped)"));
  EXPECT_THAT(said, Not(HasSubstr("orders placed after it")));
  // Sales do not count: the last festival starts on 2090-01-01 (IST).
  const double expected =
      static_cast<double>(*ParseTimestamp("2090-01-01") - NowSeconds()) / kSecondsPerDay;
  EXPECT_NEAR(GaugeValue(Call("GET", "/metrics", "").body, "vigil_festival_calendar_days_left"),
              expected, 0.01);

  write_calendar("Old,2020-01-01,2020-01-02,festival,\n");
  server_.reset();
  ::testing::internal::CaptureStderr();
  Start();
  said = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(said, HasSubstr("has no festival after the one starting 2020-01-01: orders placed "
                              "after it get no days-to-festival feature"));
  EXPECT_LT(GaugeValue(Call("GET", "/metrics", "").body, "vigil_festival_calendar_days_left"),
            -365);

  write_calendar("");
  server_.reset();
  ::testing::internal::CaptureStderr();
  Start();
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("has no festival:"));
  EXPECT_EQ(GaugeValue(Call("GET", "/metrics", "").body, "vigil_festival_calendar_days_left"),
            -std::numeric_limits<double>::infinity());
}

TEST_F(VigilServerTest, ReloadUnderLoadFailsNoRequestAndSwitchesVersionsOnce) {
  // A registry of our own, so promoting in it leaves the shared one alone.
  ScratchDir models("models_copy");
  std::filesystem::copy(SharedMarketplace().models_dir, models.path(),
                        std::filesystem::copy_options::recursive);
  config_.models_dir = models.path();
  Start();
  const std::string before = Score(Order("ORD_V1"))["model_version"];
  TrainRequest train{.data_dir = SharedMarketplace().data_dir, .models_dir = models.path()};
  train.kinds = {DecisionKind::kOrder};
  train.train.nthread = 1;
  train.promote = true;
  FILE* quiet = std::fopen("/dev/null", "w");
  ASSERT_TRUE(RunTrain(train, quiet).ok());
  std::fclose(quiet);

  // Two clients score without pause on keep-alive connections while the
  // new version is loaded.
  std::atomic<bool> reloaded{false};
  std::atomic<int> after_reload{0};
  std::vector<std::vector<std::string>> versions(2);
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      TestHttpClient client(server_->port());
      const std::string headers =
          fmt::format("X-API-Key: {}\r\nContent-Type: application/json\r\n", scorer_);
      for (int i = 0; after_reload < 200; ++i) {
        auto r = client.Request("POST", "/v1/orders/score",
                                Order(fmt::format("ORD_LOAD_{}_{}", c, i)).dump(), headers);
        ASSERT_TRUE(r.has_value());
        ASSERT_EQ(r->status, 200) << r->body;
        versions[c].push_back(json::parse(r->body)["model_version"]);
        if (reloaded) after_reload++;
      }
    });
  }
  while (versions[0].size() < 20 || versions[1].size() < 20) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  json answer = CallJson("POST", "/v1/models/reload", admin_, json::object());
  reloaded = true;
  for (auto& t : clients) t.join();

  const std::string after = answer["order"];
  EXPECT_NE(after, before);
  for (const auto& seen : versions) {
    // Each client sees the old version, then the new one, never back.
    const auto first_new = std::find(seen.begin(), seen.end(), after);
    ASSERT_NE(first_new, seen.end());
    EXPECT_TRUE(
        std::all_of(seen.begin(), first_new, [&](const std::string& v) { return v == before; }));
    EXPECT_TRUE(
        std::all_of(first_new, seen.end(), [&](const std::string& v) { return v == after; }));
  }
}

TEST_F(VigilServerTest, AChallengerIsScoredInShadowAndRecordedBesideTheChampion) {
  ScratchDir models("models_challenger");
  testing::AddSecondOrderVersion(models);  // order-v2: a different model, not promoted
  config_.models_dir = models.path();
  config_.challenger_order = "order-v2";  // as `vigil models list` names it
  config_.challenger_share = 1.0;
  Start();

  json r = Score(Order("ORD_SHADOW"));
  EXPECT_EQ(r["model_version"], "order-v1");
  EXPECT_FALSE(r.contains("challenger"));  // the caller sees the champion only
  json stored = CallJson("GET", "/v1/decisions/ORD_SHADOW", analyst_, nullptr);
  EXPECT_EQ(stored["challenger"]["model_version"], "order-v2");
  EXPECT_GE(stored["challenger"]["risk_score"].get<double>(), 0.0);
  EXPECT_NE(stored["challenger"]["risk_score"], r["risk_score"]);
  const std::string metrics = Call("GET", "/metrics", "").body;
  EXPECT_THAT(metrics, ::testing::ContainsRegex(
                           "vigil_challenger_decisions_total\\{kind=\"order\",agreement=\"("
                           "same|other)_action\"\\} 1"));
  EXPECT_EQ(CallJson("GET", "/readyz", "", nullptr)["models"]["order_challenger"], "order-v2");

  // A share of 0 scores no decision in shadow.
  config_.challenger_share = 0;
  Restart();
  Score(Order("ORD_NO_SHADOW"));
  EXPECT_FALSE(
      CallJson("GET", "/v1/decisions/ORD_NO_SHADOW", analyst_, nullptr).contains("challenger"));
}

TEST_F(VigilServerTest, AnLlmNarrationIsAttachedToTheStoredDecisionAfterTheAnswer) {
  std::atomic<bool> saw_customer_id{false};
  FakeHttpServer llm([&](const FakeHttpServer::Request& request) {
    // The prompt carries factors and values, never who the customer is.
    if (request.body().find("C_NARRATE") != std::string::npos) saw_customer_id = true;
    return FakeHttpServer::Reply{
        .body =
            R"({"choices":[{"message":{"role":"assistant","content":"Narrated by the model."}}]})"};
  });
  config_.narration.provider = NarrationProvider::kOpenAi;
  config_.narration.endpoint = llm.endpoint();
  config_.narration.model = "test-model";
  Start();
  json r = Score(Order("ORD_NARRATE", "C_NARRATE"));
  EXPECT_EQ(r["explanation_source"], "template");  // the answer never waits for the LLM
  json stored;
  for (int attempt = 0; attempt < 500; ++attempt) {
    stored = CallJson("GET", "/v1/decisions/ORD_NARRATE", analyst_, nullptr);
    if (stored.contains("narration")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(stored.contains("narration")) << stored;
  EXPECT_EQ(stored["narration"]["text"], "Narrated by the model.");
  EXPECT_EQ(stored["narration"]["source"], "llm");
  EXPECT_EQ(llm.requests(), 1);
  EXPECT_FALSE(saw_customer_id);
}

TEST_F(VigilServerTest, AnUnreachableLlmLeavesTheTemplateExplanation) {
  config_.narration.provider = NarrationProvider::kOpenAi;
  config_.narration.endpoint = fmt::format("http://127.0.0.1:{}", FakeHttpServer::UnusedPort());
  config_.narration.model = "test-model";
  Start();
  json r = Score(Order("ORD_NO_LLM"));
  EXPECT_FALSE(r["explanation"]["summary"].get<std::string>().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(
      CallJson("GET", "/v1/decisions/ORD_NO_LLM", analyst_, nullptr).contains("narration"));
}

TEST_F(VigilServerTest, FindsSimilarPastDecisionsWithTheirOutcomes) {
  Start();
  // Two look-alike COD orders for new customers, and one very different order.
  json first = Score(Order("ORD_SIM_1", "C_SIM_1"));
  Score(Order("ORD_SIM_2", "C_SIM_2"));
  json other = Order("ORD_SIM_3", "C_SIM_3");
  other["amount"] = 149.0;
  other["payment_method"] = "UPI";
  other["category"] = "books";
  Score(other);
  CallJson("POST", "/v1/events", scorer_,
           {{"type", "order.rto"}, {"order_id", "ORD_SIM_2"}, {"at", "2026-01-02T10:00:00Z"}});

  // The index fills in the background (at idle priority): wait for the three.
  WaitForIndexedOrders(3);
  // Asked by order id.
  json similar = CallJson("GET", "/v1/decisions/ORD_SIM_1/similar?k=2", analyst_, nullptr);
  EXPECT_EQ(similar["decision_id"], first["decision_id"]);
  ASSERT_EQ(similar["similar"].size(), 2u) << similar;
  EXPECT_EQ(similar["similar"][0]["order_id"], "ORD_SIM_2");
  EXPECT_EQ(similar["similar"][0]["outcome"]["status"], "rto");
  EXPECT_EQ(similar["similar"][0]["outcome"]["label"], 1);
  EXPECT_LE(similar["similar"][0]["distance"].get<double>(),
            similar["similar"][1]["distance"].get<double>());

  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_SIM_1/similar?k=0", analyst_).status, 422);
  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_NONE/similar", analyst_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/decisions/ORD_SIM_1/similar", scorer_).status, 403);
}

TEST_F(VigilServerTest, RebuildsTheSimilarCaseIndexFromTheStoreAtStart) {
  Start();
  for (int i = 0; i < 5; ++i) Score(Order(fmt::format("ORD_RB_{}", i), "C_RB"));
  Restart();
  // The rebuilt index holds the earlier decisions once the background
  // rebuild is through.
  WaitForIndexedOrders(5);
  json similar = CallJson("GET", "/v1/decisions/ORD_RB_0/similar?k=10", analyst_, nullptr);
  EXPECT_EQ(similar["similar"].size(), 4u);
}

}  // namespace
}  // namespace vigil
