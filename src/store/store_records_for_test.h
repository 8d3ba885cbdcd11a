// Test helpers for the store layer: a temporary directory removed at the end
// of the test, and records with deterministic contents.
#ifndef VIGIL_STORE_STORE_RECORDS_FOR_TEST_H_
#define VIGIL_STORE_STORE_RECORDS_FOR_TEST_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "fmt/format.h"
#include "store/store.h"

namespace vigil {

class ScopedTempDir {
 public:
  ScopedTempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fmt::format("{}/vigil_store_{}_{}_{}", ::testing::TempDir(), getpid(),
                        info != nullptr ? info->test_suite_name() : "x",
                        info != nullptr ? info->name() : "x");
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline EventRecord TestEvent(const std::string& id, Timestamp at = 1'760'000'000) {
  return EventRecord{id, "order.placed", at, fmt::format(R"({{"order_id":"{}"}})", id)};
}

// A decision about `subject_id`; its document is about `document_bytes` long.
inline DecisionRecord TestDecision(const std::string& decision_id, const std::string& subject_id,
                                   Timestamp at = 1'760'000'000, size_t document_bytes = 64) {
  DecisionRecord d;
  d.decision_id = decision_id;
  d.subject_id = subject_id;
  d.kind = "order";
  d.at = at;
  d.customer_id = "CUST1";
  d.model_version = "order-v3";
  d.risk_score = 0.68;
  d.risk_level = "medium";
  d.action = "otp_verification";
  d.request_id = "req-" + decision_id;
  d.document = fmt::format(R"({{"order_id":"{}","pad":"{}"}})", subject_id,
                           std::string(document_bytes > 40 ? document_bytes - 40 : 0, 'x'));
  d.features = {0.5f, -1.25f, 3e-7f, 42.0f};
  d.contributions = {0.125, -0.03125, 1e-12, 0.0};
  return d;
}

}  // namespace vigil

#endif  // VIGIL_STORE_STORE_RECORDS_FOR_TEST_H_
