#include "sms/retry_backoff.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

using std::chrono::milliseconds;

TEST(RetryDelay, StaysWithinDoublingBoundAndReachesAcrossIt) {
  const RetryBackoff backoff{milliseconds(100), milliseconds(10000), milliseconds(1000)};
  std::mt19937_64 random(42);
  for (int retry = 1; retry <= 4; ++retry) {
    const milliseconds bound = milliseconds(100) * (1 << (retry - 1));
    milliseconds low = bound, high = milliseconds(0);
    for (int i = 0; i < 2000; ++i) {
      const milliseconds d = RetryDelay(backoff, retry, std::nullopt, random);
      ASSERT_GE(d, milliseconds(0));
      ASSERT_LE(d, bound) << "retry " << retry;
      low = std::min(low, d);
      high = std::max(high, d);
    }
    // Full jitter: the waits spread over the whole range, not just near the bound.
    EXPECT_LT(low, bound / 10) << "retry " << retry;
    EXPECT_GT(high, bound * 9 / 10) << "retry " << retry;
  }
}

TEST(RetryDelay, CapsExponentialBoundAtMaxDelay) {
  const RetryBackoff backoff{milliseconds(200), milliseconds(1000), milliseconds(1000)};
  std::mt19937_64 random(7);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_LE(RetryDelay(backoff, 60, std::nullopt, random), milliseconds(1000));
  }
}

TEST(RetryDelay, HonoursRetryAfterUpToItsCap) {
  const RetryBackoff backoff{milliseconds(200), milliseconds(1000), milliseconds(5000)};
  std::mt19937_64 random(1);
  EXPECT_EQ(RetryDelay(backoff, 1, milliseconds(3000), random), milliseconds(3000));
  EXPECT_EQ(RetryDelay(backoff, 1, milliseconds(0), random), milliseconds(0));
  EXPECT_EQ(RetryDelay(backoff, 1, milliseconds(60000), random), milliseconds(5000));
}

TEST(ParseRetryAfter, ReadsDelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("0"), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter(" 120\r"), milliseconds(120000));
  // As a header line reaches curl's header callback.
  EXPECT_EQ(ParseRetryAfter(" 3\r\n"), milliseconds(3000));
}

TEST(ParseRetryAfter, IgnoresDatesNegativeAndGarbage) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter(""), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999"), std::nullopt);
}

}  // namespace
}  // namespace vigil
