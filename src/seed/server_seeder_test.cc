// The HTTP target against a real `vigil serve` in this process: a VigilServer
// on a free port with a real store, and the real HTTP client.
#include "seed/server_seeder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "seed/seed_command.h"
#include "seed/seed_test_dir.h"
#include "service/service_fixture_for_test.h"
#include "service/vigil_server.h"
#include "sms/phone.h"

namespace vigil {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using vigil::testing::kNow;

class ServerSeederTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = dir_.path() + "/store";
    config_.models_dir = dir_.path() + "/models";  // none: payments need no order model
    std::filesystem::create_directories(config_.models_dir);
    config_.port = 0;
    config_.access_log = false;
    config_.similar_capacity = 0;
    config_.archive_interval_minutes = 0;
    std::filesystem::create_directories(config_.data_dir);
    scorer_ = testing::CreateKey(config_.data_dir, "scorer");
    analyst_ = testing::CreateKey(config_.data_dir, "analyst");
    admin_ = testing::CreateKey(config_.data_dir, "admin");
    auto server = VigilServer::Start(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  SeedRequest Request(const std::string& api_key) {
    SeedRequest r;
    r.url = fmt::format("http://127.0.0.1:{}", server_->port());
    r.api_key = api_key;
    r.plan = {.accounts = 12, .transactions = 40, .seed = 6, .fraud_share = 0.1};
    return r;
  }

  json Get(const std::string& target, const std::string& key, int want_status = 200) {
    TestHttpClient client(server_->port());
    auto r = client.Request("GET", target, "", fmt::format("X-API-Key: {}\r\n", key));
    EXPECT_TRUE(r.has_value()) << target;
    if (!r.has_value()) return nullptr;
    EXPECT_EQ(r->status, want_status) << target << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }

  testing::TestDir dir_;
  ServeConfig config_;
  std::string scorer_, analyst_, admin_;
  std::unique_ptr<VigilServer> server_;
};

TEST_F(ServerSeederTest, SendsTheAccountsAndPaymentsToTheServer) {
  const SeedRequest request = Request(admin_);
  auto summary = RunSeed(request, kNow);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->accounts_created, 12);
  EXPECT_EQ(summary->accounts_updated, 0);
  EXPECT_EQ(summary->transactions, 40);
  EXPECT_EQ(summary->fraud_like(), 4);
  EXPECT_FALSE(summary->transactions_already_there.has_value());

  const SeedPlan plan = *PlanSeed(request.plan, kNow);
  for (const AccountRecord& a : plan.accounts) {
    const json got = Get("/v1/accounts/" + a.user_id, analyst_);
    EXPECT_EQ(got["name"], a.name);
    EXPECT_EQ(got["phone"], MaskPhone(a.phone));
    EXPECT_EQ(got["status"], a.status);
    EXPECT_EQ(got["language"], a.language);
    EXPECT_EQ(got["sms_opt_out"], a.sms_opt_out);
  }
  for (const SeedTransaction& t : plan.transactions) {
    const json got = Get("/v1/transactions/" + t.record.transaction_id, scorer_);
    EXPECT_EQ(got["user_id"], t.record.user_id);
    EXPECT_EQ(got["amount"].get<double>(), t.record.amount);
    EXPECT_EQ(got["currency"], "INR");
    EXPECT_EQ(got["merchant"], t.record.merchant);
    EXPECT_EQ(got["location"], t.record.location);
    EXPECT_EQ(got["created_at"], FormatTimestamp(t.record.created_at));
  }
  EXPECT_THAT(FormatSeedSummary(*summary),
              HasSubstr(fmt::format("curl -s {}/transaction/{} -H 'X-API-Key: <scorer key>'",
                                    request.url, summary->example_id)));
}

TEST_F(ServerSeederTest, ARerunReplacesTheAccountsAndAddsNoPayment) {
  const SeedRequest request = Request(admin_);
  ASSERT_TRUE(RunSeed(request, kNow).ok());
  const SeedPlan plan = *PlanSeed(request.plan, kNow);
  std::vector<json> first;
  for (const SeedTransaction& t : plan.transactions) {
    first.push_back(Get("/transaction/" + t.record.transaction_id, scorer_));
  }
  auto again = RunSeed(request, kNow + 600);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->accounts_created, 0);
  EXPECT_EQ(again->accounts_updated, 12);
  EXPECT_EQ(again->transactions, 40);
  for (size_t i = 0; i < plan.transactions.size(); ++i) {
    const json now = Get("/transaction/" + plan.transactions[i].record.transaction_id, scorer_);
    // The first payment stays: received once, at its first time.
    EXPECT_EQ(now["received_at"], first[i]["received_at"]);
    EXPECT_EQ(now["created_at"], first[i]["created_at"]);
  }
}

TEST_F(ServerSeederTest, TakesAnAdminKeyForAccountsAndAScorerKeyForPayments) {
  SeedRequest request = Request("");
  request.admin_key = admin_;
  request.scorer_key = scorer_;
  auto summary = RunSeed(request, kNow);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->accounts_created, 12);
  EXPECT_EQ(summary->transactions, 40);
}

TEST_F(ServerSeederTest, AScorerKeyCanSendPaymentsButNotAccounts) {
  SeedRequest request = Request(scorer_);
  const Status status = RunSeed(request, kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(),
            "POST /v1/accounts for user_001: the server answered 403 permission_denied: this "
            "route needs the admin role; the key is scorer (accounts need a key with the admin "
            "role: --admin-key or --api-key)");
  request.what = "transactions";
  auto summary = RunSeed(request, kNow);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->transactions, 40);
  EXPECT_EQ(summary->accounts_created, 0);
}

TEST_F(ServerSeederTest, AnUnknownKeyIsReportedWithTheServersMessage) {
  const Status status = RunSeed(Request("vk_not_a_real_key"), kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(),
              HasSubstr("the server answered 401 unauthenticated: the API key is not valid or "
                        "was revoked"));
}

TEST_F(ServerSeederTest, NoServerThereSaysSo) {
  const SeedRequest request = Request(admin_);
  server_.reset();  // the port is free again
  const Status status = RunSeed(request, kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(
      status.message(),
      HasSubstr(fmt::format("POST /v1/accounts for user_001: cannot reach {}", request.url)));
  EXPECT_THAT(status.message(), HasSubstr("is `vigil serve` running there?"));
}

TEST_F(ServerSeederTest, PacesPaymentsAtTheRateAsked) {
  SeedRequest request = Request(admin_);
  request.what = "transactions";
  request.plan.transactions = 21;
  request.rate = 100;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(RunSeed(request, kNow).ok());
  // The 21st payment leaves 200 ms after the first, not before.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace vigil
