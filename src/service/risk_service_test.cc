// RiskService on its own, with a real store and the shared trained models:
// what it hands to the caller's executor, and a replay's answer.
#include "service/risk_service.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <vector>

#include "absl/synchronization/notification.h"
#include "service/service_fixture_for_test.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

using testing::ScratchDir;
using testing::SharedMarketplace;

constexpr std::string_view kOrder = R"({"order_id":"ORD_OFFLOAD","customer_id":"C_OFFLOAD",
  "product_id":"P_TEST","category":"electronics","amount":18999.0,"payment_method":"COD",
  "delivery_pincode":560001,"device_id":"D_TEST"})";

// Scores kOrder and returns what `done` got, or nullopt if it was not called
// within `wait`.
std::optional<StatusOr<ScoreResult>> ScoreOnce(RiskService& service, absl::Duration wait) {
  auto got = std::make_shared<std::optional<StatusOr<ScoreResult>>>();
  auto called = std::make_shared<absl::Notification>();
  service.Score(DecisionKind::kOrder, kOrder, "", "req-1",
                [got, called](StatusOr<ScoreResult> result) {
                  *got = std::move(result);
                  called->Notify();
                });
  if (!called->WaitForNotificationWithTimeout(wait)) return std::nullopt;
  return *got;
}

TEST(RiskServiceTest, AReplayIsReadThroughTheOffloadHookAndAnswersTheSameBytes) {
  ScratchDir dir("risk_service_offload");
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::function<void()>> offloaded;  // run below, on this thread
  RiskServiceOptions options{.models_dir = SharedMarketplace().models_dir,
                             .offload_read = [&](std::function<void()> read) {
                               offloaded.push_back(std::move(read));
                               return true;
                             }};
  auto service = RiskService::Open(std::move(options), store->get());
  ASSERT_TRUE(service.ok()) << service.status();

  auto first = ScoreOnce(**service, absl::Seconds(10));
  ASSERT_TRUE(first.has_value() && first->ok());
  EXPECT_FALSE((*first)->replayed);
  EXPECT_TRUE(offloaded.empty()) << "a fresh order reads nothing";

  // The replay's answer waits for the hook's work: the caller's thread never read.
  auto second = std::make_shared<std::optional<StatusOr<ScoreResult>>>();
  (*service)->Score(DecisionKind::kOrder, kOrder, "", "req-2",
                    [second](StatusOr<ScoreResult> r) { *second = std::move(r); });
  ASSERT_EQ(offloaded.size(), 1u);
  EXPECT_FALSE(second->has_value());
  offloaded[0]();
  ASSERT_TRUE(second->has_value() && (*second)->ok());
  EXPECT_TRUE((**second)->replayed);
  EXPECT_EQ((**second)->body, (*first)->body);
}

TEST(RiskServiceTest, AReplayIsReadOnTheCallersThreadWhenTheHookRefuses) {
  ScratchDir dir("risk_service_offload_refused");
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  int refused = 0;
  RiskServiceOptions options{.models_dir = SharedMarketplace().models_dir,
                             .offload_read = [&](std::function<void()>) {
                               ++refused;
                               return false;
                             }};
  auto service = RiskService::Open(std::move(options), store->get());
  ASSERT_TRUE(service.ok()) << service.status();
  ASSERT_TRUE(ScoreOnce(**service, absl::Seconds(10)).has_value());
  auto again = ScoreOnce(**service, absl::Seconds(10));
  ASSERT_TRUE(again.has_value() && again->ok());
  EXPECT_TRUE((*again)->replayed);
  EXPECT_EQ(refused, 1);
}

}  // namespace
}  // namespace vigil
