// The `vigil` binary as an operator runs it: `vigil serve` in its own process
// (killed with SIGKILL or stopped with SIGTERM), `vigil keys` and
// `vigil ingest`.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "service/service_fixture_for_test.h"
#include "service/vigil_server.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::CreateKey;
using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::SharedMarketplace;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs the vigil binary with `args`; returns its exit code, its stdout in
// `out` and its stderr in `err`.
int RunVigil(const std::vector<std::string>& args, std::string* out, std::string* err = nullptr) {
  ScratchDir io("vigil_cmd");
  std::string command = VIGIL_BINARY;
  for (const std::string& a : args) command += " '" + a + "'";
  command += fmt::format(" >{} 2>{}", io / "out", io / "err");
  const int status = std::system(command.c_str());
  *out = ReadFile(io / "out");
  if (err != nullptr) *err = ReadFile(io / "err");
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
  const std::string calendar = ReadFile(dir / "festivals.csv");
  EXPECT_THAT(calendar, HasSubstr(",2027-"));
  std::istringstream lake_rows(ReadFile(SharedMarketplace().data_dir + "/external/festivals.csv"));
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
  std::istringstream orders(ReadFile(SharedMarketplace().data_dir + "/orders.csv"));
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

}  // namespace
}  // namespace vigil
