#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>

namespace vigil {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

RateLimiterOptions TwoPerSecondBurstThree() {
  RateLimiterOptions options;
  options.default_limit = {2, 3};
  return options;
}

TEST(RateLimiterTest, NewKeyStartsWithFullBurst) {
  RateLimiter limiter(TwoPerSecondBurstThree());
  Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryAcquire("k", t0).allowed) << i;
  RateLimiter::Decision denied = limiter.TryAcquire("k", t0);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_seconds, 1);  // 0.5 s rounded up
}

TEST(RateLimiterTest, RefillsAtTheConfiguredRate) {
  RateLimiter limiter(TwoPerSecondBurstThree());
  Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) limiter.TryAcquire("k", t0);
  EXPECT_FALSE(limiter.TryAcquire("k", t0 + 499ms).allowed);
  EXPECT_TRUE(limiter.TryAcquire("k", t0 + 500ms).allowed);
  EXPECT_FALSE(limiter.TryAcquire("k", t0 + 500ms).allowed);
  // 10 s later the bucket is full again, not fuller.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryAcquire("k", t0 + 10s).allowed);
  EXPECT_FALSE(limiter.TryAcquire("k", t0 + 10s).allowed);
}

TEST(RateLimiterTest, RetryAfterRoundsUpWholeSeconds) {
  RateLimiterOptions options;
  options.default_limit = {0.25, 1};  // one token every 4 s
  RateLimiter limiter(options);
  Clock::time_point t0{};
  EXPECT_TRUE(limiter.TryAcquire("k", t0).allowed);
  EXPECT_EQ(limiter.TryAcquire("k", t0).retry_after_seconds, 4);
  EXPECT_EQ(limiter.TryAcquire("k", t0 + 1s).retry_after_seconds, 3);
  EXPECT_EQ(limiter.TryAcquire("k", t0 + 3500ms).retry_after_seconds, 1);
  EXPECT_TRUE(limiter.TryAcquire("k", t0 + 4s).allowed);
}

TEST(RateLimiterTest, KeysAreIndependentAndOverridesApply) {
  RateLimiterOptions options = TwoPerSecondBurstThree();
  options.per_key["big"] = {100, 5};
  RateLimiter limiter(options);
  Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) limiter.TryAcquire("a", t0);
  EXPECT_FALSE(limiter.TryAcquire("a", t0).allowed);
  EXPECT_TRUE(limiter.TryAcquire("b", t0).allowed);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryAcquire("big", t0).allowed) << i;
  EXPECT_FALSE(limiter.TryAcquire("big", t0).allowed);
  EXPECT_TRUE(limiter.TryAcquire("big", t0 + 10ms).allowed);
}

TEST(RateLimiterTest, SetLimitChangesAnExistingBucket) {
  RateLimiter limiter(TwoPerSecondBurstThree());
  Clock::time_point t0{};
  EXPECT_TRUE(limiter.TryAcquire("k", t0).allowed);  // 2 tokens left
  limiter.SetLimit("k", {1, 1});                     // capped to 1
  EXPECT_TRUE(limiter.TryAcquire("k", t0).allowed);
  RateLimiter::Decision denied = limiter.TryAcquire("k", t0);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_seconds, 1);
}

TEST(RateLimiterTest, ZeroRateNeverRefills) {
  RateLimiterOptions options;
  options.default_limit = {0, 1};
  RateLimiter limiter(options);
  Clock::time_point t0{};
  EXPECT_TRUE(limiter.TryAcquire("k", t0).allowed);
  RateLimiter::Decision denied = limiter.TryAcquire("k", t0 + 1000s);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_seconds, 3600);
}

TEST(RateLimiterTest, FullIdleBucketsAreSwept) {
  RateLimiterOptions options = TwoPerSecondBurstThree();
  options.shards = 1;
  options.sweep_interval = 60s;
  RateLimiter limiter(options);
  Clock::time_point t0{};
  limiter.TryAcquire("idle", t0);
  for (int i = 0; i < 3; ++i) limiter.TryAcquire("drained", t0 + 59s);
  EXPECT_EQ(limiter.bucket_count(), 2u);
  // At 60 s "idle" has refilled (forgetting it changes nothing); "drained" has not.
  limiter.TryAcquire("other", t0 + 60s);
  EXPECT_EQ(limiter.bucket_count(), 2u);  // "drained" and "other"
  // "drained" kept its state: 2 tokens after 1 s of refill, where a new bucket would hold 3.
  EXPECT_TRUE(limiter.TryAcquire("drained", t0 + 60s).allowed);
  EXPECT_TRUE(limiter.TryAcquire("drained", t0 + 60s).allowed);
  EXPECT_FALSE(limiter.TryAcquire("drained", t0 + 60s).allowed);
}

TEST(RateLimiterTest, ConcurrentAcquiresNeverExceedTheBurst) {
  RateLimiterOptions options;
  options.default_limit = {0, 1000};
  RateLimiter limiter(options);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) allowed += limiter.TryAcquire("k", Clock::time_point{}).allowed;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace vigil
