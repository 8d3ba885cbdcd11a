// Test-only: a generated marketplace and models trained on it, shared by every
// test process of one test binary (CTest runs each test in its own process),
// and helpers to start a VigilServer on a scratch data directory.
#ifndef VIGIL_SERVICE_SERVICE_FIXTURE_FOR_TEST_H_
#define VIGIL_SERVICE_SERVICE_FIXTURE_FOR_TEST_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fmt/format.h"
#include "generate/marketplace_generator.h"
#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "pipeline/train_command.h"
#include "service/api_keys.h"
#include "service/vigil_server.h"
#include "store/sqlite_store.h"

namespace vigil::testing {

struct TrainedMarketplace {
  std::string data_dir;    // the generated lake
  std::string models_dir;  // both kinds trained and promoted
};

// Generated and trained once per build of the test binary (the directory is
// keyed by the binary's modification time); concurrent test processes wait
// on a file lock for the first to finish.
inline const TrainedMarketplace& SharedMarketplace() {
  static const TrainedMarketplace* shared = [] {
    namespace fs = std::filesystem;
    const auto stamp = fs::last_write_time("/proc/self/exe").time_since_epoch().count();
    const fs::path root =
        fs::path(::testing::TempDir()) / fmt::format("vigil_service_fixture_{}", stamp);
    fs::create_directories(root);
    const int lock = ::open((root / "lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) std::abort();
    auto* m = new TrainedMarketplace{(root / "data").string(), (root / "models").string()};
    if (!fs::exists(root / "done")) {
      fs::remove_all(m->data_dir);
      fs::remove_all(m->models_dir);
      GeneratorOptions generate{.out_dir = m->data_dir, .customers = 2500, .days = 90, .seed = 5};
      if (!GenerateMarketplace(generate).ok()) std::abort();
      TrainRequest train{.data_dir = m->data_dir, .models_dir = m->models_dir};
      train.train.nthread = 1;
      FILE* quiet = std::fopen("/dev/null", "w");
      const bool trained = RunTrain(train, quiet).ok();
      std::fclose(quiet);
      if (!trained) std::abort();
      std::fclose(std::fopen((root / "done").c_str(), "w"));
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    return m;
  }();
  return *shared;
}

// A fresh directory under the test temp dir, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::path(::testing::TempDir()) /
              fmt::format("vigil_{}_{}_{}", name, ::getpid(),
                          std::chrono::steady_clock::now().time_since_epoch().count())) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Creates an API key of `role` in the store at `data_dir` (which must not be
// open in this process) and returns it.
inline std::string CreateKey(const std::string& data_dir, const std::string& role) {
  auto store = OpenSqliteStore(data_dir);
  if (!store.ok()) std::abort();
  ApiKeys keys(store->get());
  auto created = keys.Create(role, "test " + role);
  if (!created.ok()) std::abort();
  (*store)->Close();
  return created->key;
}

// Copies the shared marketplace's registry into `models` and trains a second
// order version there, shallower (so it scores differently) and not
// promoted: order-v1 stays production, order-v2 is a candidate.
inline void AddSecondOrderVersion(const ScratchDir& models) {
  std::filesystem::copy(SharedMarketplace().models_dir, models.path(),
                        std::filesystem::copy_options::recursive);
  TrainRequest train{.data_dir = SharedMarketplace().data_dir, .models_dir = models.path()};
  train.kinds = {DecisionKind::kOrder};
  train.train.nthread = 1;
  train.train.max_depth = 3;
  FILE* quiet = std::fopen("/dev/null", "w");
  const bool trained = RunTrain(train, quiet).ok();
  std::fclose(quiet);
  if (!trained) std::abort();
}

// A test that runs `vigil serve` in-process on a free port over a scratch
// store with the shared marketplace's models and one key of each role, and
// calls it over real sockets. Tests change config_ before Start().
class ServerTest : public ::testing::Test {
 protected:
  explicit ServerTest(const std::string& scratch_name) : dir_(scratch_name) {}

  void SetUp() override {
    config_.data_dir = dir_.path();
    config_.models_dir = SharedMarketplace().models_dir;
    config_.port = 0;
    config_.similar_capacity = 0;
    config_.access_log = false;
    scorer_ = CreateKey(dir_.path(), "scorer");
    analyst_ = CreateKey(dir_.path(), "analyst");
    admin_ = CreateKey(dir_.path(), "admin");
  }

  void Start() {
    auto server = VigilServer::Start(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  void Restart() {
    server_.reset();
    Start();
  }

  // One request on a new connection; `key` empty sends none.
  TestHttpResponse Call(std::string_view method, std::string_view target, std::string_view key,
                        std::string_view body = "",
                        std::string_view content_type = "application/json",
                        std::string_view extra_headers = "") {
    TestHttpClient client(server_->port());
    std::string headers(extra_headers);
    if (!key.empty()) headers += fmt::format("X-API-Key: {}\r\n", key);
    if (!body.empty()) headers += fmt::format("Content-Type: {}\r\n", content_type);
    auto response = client.Request(method, target, body, headers);
    EXPECT_TRUE(response.has_value()) << method << " " << target;
    return response.value_or(TestHttpResponse{});
  }
  // A JSON request (none when `body` is null) expecting `want_status`.
  nlohmann::json CallJson(std::string_view method, std::string_view target, std::string_view key,
                          const nlohmann::json& body = nullptr, int want_status = 200) {
    TestHttpResponse r = Call(method, target, key, body.is_null() ? "" : body.dump());
    EXPECT_EQ(r.status, want_status) << method << " " << target << ": " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  ScratchDir dir_;
  ServeConfig config_;
  std::string scorer_, analyst_, admin_;
  std::unique_ptr<VigilServer> server_;
};

}  // namespace vigil::testing

#endif  // VIGIL_SERVICE_SERVICE_FIXTURE_FOR_TEST_H_
