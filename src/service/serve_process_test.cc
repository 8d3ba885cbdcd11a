// The `vigil` binary as an operator runs it: `vigil serve` in its own process
// (killed with SIGKILL or stopped with SIGTERM), `vigil keys` and
// `vigil ingest`.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/atomic_file.h"
#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "service/service_fixture_for_test.h"
#include "service/transaction_model_for_test.h"
#include "service/twilio_webhook_for_test.h"
#include "service/vigil_server.h"
#include "sms/fake_twilio_server.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::CreateKey;
using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::SharedMarketplace;

// Runs the vigil binary with `args`; returns its exit code, its stdout in
// `out` and its stderr in `err`.
int RunVigil(const std::vector<std::string>& args, std::string* out, std::string* err = nullptr) {
  ScratchDir io("vigil_cmd");
  std::string command = VIGIL_BINARY;
  for (const std::string& a : args) command += " '" + a + "'";
  command += fmt::format(" >{} 2>{}", io / "out", io / "err");
  const int status = std::system(command.c_str());
  *out = ReadFileToString(io / "out").value();
  if (err != nullptr) *err = ReadFileToString(io / "err").value();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// `vigil serve` in a child process. A thread reads its stderr (the log and
// the access log) so the pipe never fills; the port comes from its first line.
class ServeProcess {
 public:
  ServeProcess(const std::string& data_dir, const std::string& models_dir) {
    int out[2];
    if (pipe(out) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDERR_FILENO);
      close(out[0]);
      close(out[1]);
      execl(VIGIL_BINARY, VIGIL_BINARY, "serve", "--data-dir", data_dir.c_str(), "--models",
            models_dir.c_str(), "--port", "0", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    reader_ = std::thread([this, fd = out[0]] {
      FILE* in = fdopen(fd, "r");
      char line[4096];
      const std::regex listening("listening on http://[0-9.]+:([0-9]+)");
      while (fgets(line, sizeof line, in) != nullptr) {
        std::lock_guard<std::mutex> lock(mu_);
        log_ += line;
        std::cmatch m;
        if (port_ == 0 && std::regex_search(line, m, listening)) port_ = std::stoi(m[1].str());
      }
      fclose(in);
      std::lock_guard<std::mutex> lock(mu_);
      eof_ = true;
    });
    // Wait for the port (or the end of the output, when it fails to start).
    for (int i = 0; i < 600; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (port_ != 0 || eof_) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }

  int port() {
    std::lock_guard<std::mutex> lock(mu_);
    return port_;
  }
  void Signal(int signal) { kill(pid_, signal); }
  // The exit status as waitpid reports it, once stderr is read to its end.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    return status;
  }
  std::string log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mu_;
  int port_ = 0;
  bool eof_ = false;
  std::string log_;
};

std::string OrderBody(int i, const std::string& customer) {
  return json{{"order_id", fmt::format("ORD_K{}", i)},
              {"customer_id", customer},
              {"product_id", "P1"},
              {"amount", 999 + i},
              {"payment_method", "UPI"}}
      .dump();
}

TEST(ServeProcess, KillNineLosesNoAcknowledgedDecision) {
  ScratchDir dir("kill9");
  const std::string key = CreateKey(dir.path(), "scorer");
  const std::string reader = CreateKey(dir.path(), "analyst");
  std::atomic<int> acknowledged{0};
  {
    ServeProcess server(dir.path(), SharedMarketplace().models_dir);
    ASSERT_GT(server.port(), 0) << server.log();
    // Two clients keep scoring orders on keep-alive connections; the server
    // dies under them.
    std::vector<std::thread> clients;
    std::vector<std::vector<int>> acked(2);
    for (int c = 0; c < 2; ++c) {
      clients.emplace_back([&, c] {
        TestHttpClient client(server.port(), std::chrono::seconds(5));
        for (int i = c; i < 100'000; i += 2) {
          auto r = client.Request(
              "POST", "/v1/orders/score", OrderBody(i, fmt::format("C_K{}", c)),
              fmt::format("X-API-Key: {}\r\nContent-Type: application/json\r\n", key));
          if (!r.has_value()) return;  // the server is gone
          if (r->status != 200) {
            ADD_FAILURE() << r->body;
            return;
          }
          acked[c].push_back(i);
          acknowledged++;
        }
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acknowledged < 300 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GE(acknowledged, 300) << server.log();  // no ASSERT: the clients must be joined
    server.Signal(SIGKILL);
    for (auto& t : clients) t.join();
    EXPECT_TRUE(WIFSIGNALED(server.Wait()));

    // Every acknowledged decision is there after a restart, and the feature
    // state counts at least the acknowledged orders of each customer.
    ServeConfig config;
    config.data_dir = dir.path();
    config.models_dir = SharedMarketplace().models_dir;
    config.port = 0;
    config.rate_limits["analyst"] = {.tokens_per_second = 1e6, .burst = 1e6};
    auto restarted = VigilServer::Start(config);
    ASSERT_TRUE(restarted.ok()) << restarted.status();
    TestHttpClient client((*restarted)->port());
    const std::string auth = fmt::format("X-API-Key: {}\r\n", reader);
    for (int c = 0; c < 2; ++c) {
      for (int i : acked[c]) {
        auto r = client.Request("GET", fmt::format("/v1/decisions/ORD_K{}", i), "", auth);
        ASSERT_TRUE(r.has_value());
        ASSERT_EQ(r->status, 200) << "acknowledged order ORD_K" << i << " was lost";
      }
      auto profile = client.Request("GET", fmt::format("/v1/customers/C_K{}", c), "", auth);
      ASSERT_TRUE(profile.has_value());
      const int64_t orders =
          json::parse(profile->body)["features"]["customer_lifetime_orders"].get<int64_t>();
      EXPECT_GE(orders, static_cast<int64_t>(acked[c].size()));
      EXPECT_LE(orders, static_cast<int64_t>(acked[c].size()) + 1);  // one in flight at most
      if (orders == static_cast<int64_t>(acked[c].size()) + 1) {
        // The order in flight reached the log, so its decision did too: the
        // event and the decision are one transaction (no order is left known
        // but undecided, which would answer 409 when the client retries).
        const int in_flight = acked[c].empty() ? c : acked[c].back() + 2;
        auto r = client.Request("GET", fmt::format("/v1/decisions/ORD_K{}", in_flight), "", auth);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, 200) << "order ORD_K" << in_flight << " was logged without a decision";
      }
    }
  }
}

TEST(ServeProcess, SigtermDrainsAndExitsCleanly) {
  ScratchDir dir("sigterm");
  const std::string key = CreateKey(dir.path(), "scorer");
  ServeProcess server(dir.path(), SharedMarketplace().models_dir);
  ASSERT_GT(server.port(), 0) << server.log();
  TestHttpClient client(server.port());
  auto r = client.Request("POST", "/v1/orders/score", OrderBody(1, "C_T"),
                          fmt::format("X-API-Key: {}\r\nContent-Type: application/json\r\n", key));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  server.Signal(SIGTERM);
  const int status = server.Wait();
  ASSERT_TRUE(WIFEXITED(status)) << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  EXPECT_THAT(server.log(), HasSubstr("SIGTERM received"));
  EXPECT_THAT(server.log(), HasSubstr("stopped"));
  // The access log: one JSON line with the request id the client saw, never the key.
  ASSERT_TRUE(r->Header("X-Request-Id").has_value());
  EXPECT_THAT(server.log(),
              HasSubstr(fmt::format("\"request_id\":\"{}\"", *r->Header("X-Request-Id"))));
  EXPECT_THAT(server.log(), HasSubstr("\"route\":\"/v1/orders/score\""));
  EXPECT_THAT(server.log(), ::testing::Not(HasSubstr(key)));
}

TEST(VigilKeys, CreatePrintsOnlyTheKeyAndListNeverShowsIt) {
  ScratchDir dir("keys");
  std::string out, err;
  ASSERT_EQ(RunVigil({"keys", "create", "--data-dir", dir.path(), "--role", "analyst", "--name",
                      "ops team"},
                     &out, &err),
            0)
      << err;
  EXPECT_TRUE(std::regex_match(out, std::regex("vk_[A-Za-z0-9_-]{43}\n"))) << out;
  const std::string key = out.substr(0, out.size() - 1);

  std::string listed;
  ASSERT_EQ(RunVigil({"keys", "list", "--data-dir", dir.path()}, &listed), 0);
  EXPECT_THAT(listed, HasSubstr("analyst"));
  EXPECT_THAT(listed, HasSubstr("ops team"));
  EXPECT_THAT(listed, ::testing::Not(HasSubstr(key.substr(3))));

  std::smatch id;
  ASSERT_TRUE(std::regex_search(listed, id, std::regex("\n(key_[A-Za-z0-9_-]{8}) ")));
  ASSERT_EQ(RunVigil({"keys", "revoke", "--data-dir", dir.path(), "--id", id[1].str()}, &out), 0);
  ASSERT_EQ(RunVigil({"keys", "list", "--data-dir", dir.path()}, &listed), 0);
  // The revoked_at column is filled.
  EXPECT_THAT(listed, ::testing::ContainsRegex("Z +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z\n"));

  EXPECT_EQ(RunVigil({"keys", "create", "--data-dir", dir.path(), "--role", "root"}, &out, &err),
            2);
  EXPECT_THAT(err, HasSubstr("--role root"));
  EXPECT_EQ(out, "");
}

TEST(VigilIngest, LoadsALakeOnceAndTheServerKnowsItsCustomers) {
  ScratchDir dir("ingest");
  std::string out, err;
  ASSERT_EQ(RunVigil({"ingest", "--data", SharedMarketplace().data_dir, "--data-dir", dir.path()},
                     &out, &err),
            0)
      << err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("([0-9]+) events, ([0-9]+) new"))) << out;
  const int64_t events = std::stoll(m[1].str());
  EXPECT_GT(events, 10'000);
  EXPECT_EQ(std::stoll(m[2].str()), events);

  // Again: nothing new.
  ASSERT_EQ(RunVigil({"ingest", "--data", SharedMarketplace().data_dir, "--data-dir", dir.path()},
                     &out, &err),
            0)
      << err;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("([0-9]+) new, ([0-9]+) already"))) << out;
  EXPECT_EQ(std::stoll(m[1].str()), 0);
  EXPECT_EQ(std::stoll(m[2].str()), events);

  // The calendar the live features use: the shipped one (through 2027) plus the lake's rows.
  const std::string calendar = ReadFileToString(dir / "festivals.csv").value();
  EXPECT_THAT(calendar, HasSubstr(",2027-"));
  std::istringstream lake_rows(
      ReadFileToString(SharedMarketplace().data_dir + "/external/festivals.csv").value());
  for (std::string row; std::getline(lake_rows, row);) {
    EXPECT_THAT(calendar, HasSubstr(row));
  }

  // A served customer has the lake's history.
  const std::string key = CreateKey(dir.path(), "analyst");
  ServeConfig config;
  config.data_dir = dir.path();
  config.models_dir = SharedMarketplace().models_dir;
  config.port = 0;
  auto server = VigilServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  // The first order's customer: orders.csv's second line, second column.
  std::istringstream orders(ReadFileToString(SharedMarketplace().data_dir + "/orders.csv").value());
  std::string line;
  std::getline(orders, line);
  std::getline(orders, line);
  const std::string customer =
      line.substr(line.find(',') + 1, line.find(',', line.find(',') + 1) - line.find(',') - 1);
  TestHttpClient client((*server)->port());
  auto r =
      client.Request("GET", "/v1/customers/" + customer, "", fmt::format("X-API-Key: {}\r\n", key));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_GE(json::parse(r->body)["features"]["customer_lifetime_orders"].get<int64_t>(), 1);
}

TEST(VigilArchive, MovesDecisionsPastRetentionToCompressedFiles) {
  ScratchDir dir("archive");
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  {
    auto store = OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    WriteBatch batch;
    for (auto [id, age_days] : {std::pair{"dec_old", 100}, std::pair{"dec_new", 2}}) {
      DecisionRecord d;
      d.decision_id = id;
      d.subject_id = std::string("ORD_") + id;
      d.kind = "order";
      d.at = now - int64_t{age_days} * 86'400;
      d.document = "{}";
      batch.decisions.push_back(d);
    }
    ASSERT_TRUE((*store)->Write(std::move(batch)).ok());
    (*store)->Close();
  }
  std::string out, err;
  ASSERT_EQ(RunVigil({"archive", "--data-dir", dir.path(), "--older-than-days", "90"}, &out, &err),
            0)
      << err;
  EXPECT_THAT(out, HasSubstr("archived 1 decisions"));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "archive")) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::EndsWith(".ndjson.gz"));
    ++files;
  }
  EXPECT_EQ(files, 1);
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->FindDecision("dec_old")->has_value());
  EXPECT_TRUE((*store)->FindDecision("dec_new")->has_value());

  EXPECT_EQ(RunVigil({"archive", "--data-dir", dir / "missing"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("no such directory"));
}

// The payment flow across SIGKILLs: a `vigil serve` process is killed after
// the payment is accepted, while Twilio holds the send it has already
// created, after the send is recorded and after the reply; each restart goes
// on from where the store says it stopped, and the customer gets exactly
// one message per verification.
class PaymentFlowProcessTest : public ::testing::Test {
 protected:
  static constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
  static constexpr char kToken[] = "process-token";
  static constexpr char kPhone[] = "+919800000001";

  void SetUp() override {
    models_ = testing::TrainTransactionModel(models_root_.path());
    scorer_ = CreateKey(dir_.path(), "scorer");
    {
      auto store = OpenSqliteStore(dir_.path());
      ASSERT_TRUE(store.ok());
      ASSERT_TRUE((*store)->PutAccount({.user_id = "U1", .name = "Asha", .phone = kPhone}).ok());
      ASSERT_TRUE(
          (*store)->PutAccount({.user_id = "U2", .name = "Ravi", .phone = "+919800000002"}).ok());
      (*store)->Close();
    }
    setenv("TWILIO_ACCOUNT_SID", kSid, 1);
    setenv("TWILIO_AUTH_TOKEN", kToken, 1);
    setenv("TWILIO_FROM_NUMBER", "+15005550006", 1);
    setenv("TWILIO_API_BASE", twilio_.api_base().c_str(), 1);
    setenv("PUBLIC_BASE_URL", "https://risk.example.in", 1);
  }
  void TearDown() override {
    for (const char* name : {"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
                             "TWILIO_API_BASE", "PUBLIC_BASE_URL"}) {
      unsetenv(name);
    }
  }

  std::unique_ptr<ServeProcess> Serve() {
    auto server = std::make_unique<ServeProcess>(dir_.path(), models_);
    EXPECT_NE(server->port(), 0) << server->log();
    return server;
  }
  static void Kill(std::unique_ptr<ServeProcess>& server) {
    server->Signal(SIGKILL);
    server->Wait();
    server.reset();
  }
  json Get(ServeProcess& server, const std::string& id) {
    TestHttpClient client(server.port());
    auto r =
        client.Request("GET", "/transaction/" + id, "", fmt::format("X-API-Key: {}\r\n", scorer_));
    if (!r.has_value() || r->status != 200) return json();
    return json::parse(r->body, nullptr, false);
  }
  // Polls (up to 20 s) until `done` holds for the transaction.
  json WaitUntil(ServeProcess& server, const std::string& id,
                 const std::function<bool(const json&)>& done) {
    json t;
    for (int i = 0; i < 400; ++i) {
      t = Get(server, id);
      if (t.is_object() && done(t)) return t;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << id << ": " << t.dump(2);
    return t;
  }
  // Waits until Twilio has seen `n` message creation requests.
  void WaitForSends(size_t n) {
    for (int i = 0; i < 400; ++i) {
      size_t posts = 0;
      for (const auto& r : twilio_.requests()) posts += r.method == "POST";
      if (posts >= n) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "Twilio never got " << n << " sends";
  }
  size_t MessagesTo(const std::string& phone) {
    size_t n = 0;
    for (const auto& m : twilio_.messages()) n += m.to == phone;
    return n;
  }
  void Pay(ServeProcess& server, const std::string& id, const std::string& user) {
    TestHttpClient client(server.port());
    auto r = client.Request(
        "POST", "/transaction",
        json{{"transaction_id", id}, {"user_id", user}, {"amount", 5000}, {"merchant", "M1"}}
            .dump(),
        fmt::format("X-API-Key: {}\r\nContent-Type: application/json\r\n", scorer_));
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 202) << r->body;
  }

  ScratchDir models_root_{"payment_process_models"};
  ScratchDir dir_{"payment_process"};
  std::string models_, scorer_;
  FakeTwilioServer twilio_{kSid, kToken};
};

TEST_F(PaymentFlowProcessTest, KillNineBetweenEveryStepLosesNothingAndTextsOnce) {
  // Twilio creates the first message and never answers; the second send
  // hangs before anything is created.
  twilio_.FailNext(FakeTwilioServer::Fault::kCreateThenNeverAnswer);
  auto server = Serve();
  Pay(*server, "TX_A", "U1");
  Kill(server);  // accepted, scored or not

  server = Serve();
  WaitForSends(1);  // the send is in flight, and Twilio has the message
  Kill(server);
  ASSERT_EQ(MessagesTo(kPhone), 1u);

  server = Serve();  // finds the message at Twilio instead of sending again
  json t =
      WaitUntil(*server, "TX_A", [](const json& t) { return t["sms"]["message_sid"].is_string(); });
  EXPECT_EQ(t["status"], "pending_verification");
  EXPECT_EQ(t["sms"]["message_sid"], twilio_.messages().at(0).sid);
  Kill(server);

  server = Serve();
  const FormParams yes = {
      {"MessageSid", "SM_REPLY_A"}, {"From", kPhone}, {"To", "+15005550006"}, {"Body", "YES"}};
  TestHttpResponse answer = PostTwilio(
      server->port(), yes, TwilioSignature(kToken, "https://risk.example.in/webhook/twilio", yes));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_THAT(answer.body, HasSubstr("approved"));
  Kill(server);

  // A payment whose send hangs before Twilio creates anything.
  twilio_.FailNext(FakeTwilioServer::Fault::kNeverAnswer);
  server = Serve();
  EXPECT_EQ(Get(*server, "TX_A")["status"], "approved");
  Pay(*server, "TX_B", "U2");
  WaitForSends(2);
  Kill(server);
  server = Serve();
  t = WaitUntil(*server, "TX_B", [](const json& t) { return t["sms"]["message_sid"].is_string(); });
  EXPECT_EQ(MessagesTo("+919800000002"), 1u);
  EXPECT_EQ(MessagesTo(kPhone), 1u);
  // The same reply again (Twilio retrying) after the restarts changes nothing.
  EXPECT_EQ(PostTwilio(server->port(), yes,
                       TwilioSignature(kToken, "https://risk.example.in/webhook/twilio", yes))
                .body,
            answer.body);
  json a = Get(*server, "TX_A");
  EXPECT_EQ(a["status"], "approved");
  std::vector<std::string> statuses;
  for (const json& h : a["history"]) statuses.push_back(h["status"]);
  EXPECT_THAT(statuses,
              ::testing::ElementsAre("received", "scored", "pending_verification", "approved"));
}

}  // namespace
}  // namespace vigil
