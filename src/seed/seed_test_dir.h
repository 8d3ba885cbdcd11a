// Test-only: the moment the seed tests take as now, and a scratch directory
// per test and process (ctest -j runs tests of one binary in parallel
// processes), removed by the destructor.
#ifndef VIGIL_SEED_SEED_TEST_DIR_H_
#define VIGIL_SEED_SEED_TEST_DIR_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/time.h"
#include "fmt/format.h"

namespace vigil::testing {

inline constexpr Timestamp kNow = 1'780'000'000;  // 2026-05-28

class TestDir {
 public:
  TestDir()
      : path_(std::filesystem::path(::testing::TempDir()) /
              fmt::format(
                  "vigil_seed_{}_{}_{}",
                  ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name(),
                  ::testing::UnitTest::GetInstance()->current_test_info()->name(), ::getpid())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace vigil::testing

#endif  // VIGIL_SEED_SEED_TEST_DIR_H_
