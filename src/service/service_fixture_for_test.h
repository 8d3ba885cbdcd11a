// Test-only: a generated marketplace and models trained on it, shared by every
// test process of one test binary (CTest runs each test in its own process),
// and helpers to start a VigilServer on a scratch data directory.
#ifndef VIGIL_SERVICE_SERVICE_FIXTURE_FOR_TEST_H_
#define VIGIL_SERVICE_SERVICE_FIXTURE_FOR_TEST_H_

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fmt/format.h"
#include "generate/marketplace_generator.h"
#include "pipeline/train_command.h"
#include "service/api_keys.h"
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

}  // namespace vigil::testing

#endif  // VIGIL_SERVICE_SERVICE_FIXTURE_FOR_TEST_H_
