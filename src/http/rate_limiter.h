// RateLimiter: token buckets keyed by a string (an API key id), with a
// default rate and burst plus per-key overrides. A denied request learns how
// many whole seconds to wait (for a 429 with Retry-After).
//
// Thread-safe: keys are spread over shards, each behind its own mutex. Memory
// is bounded by the active keys: a bucket that has refilled to its burst is
// indistinguishable from a new one, so sweeps (at most once per
// sweep_interval per shard, during TryAcquire) drop it. Time is passed in, so
// tests control it.
#ifndef VIGIL_HTTP_RATE_LIMITER_H_
#define VIGIL_HTTP_RATE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace vigil {

struct RateLimit {
  double tokens_per_second = 10;  // refill rate; <= 0 means no refill
  double burst = 20;              // bucket capacity; a new key starts full
};

struct RateLimiterOptions {
  RateLimit default_limit;
  absl::flat_hash_map<std::string, RateLimit> per_key;  // overrides
  int shards = 16;
  std::chrono::steady_clock::duration sweep_interval = std::chrono::seconds(60);
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool allowed = false;
    // When denied: whole seconds until one token is available, rounded up
    // (at least 1; 3600 when the key never refills). 0 when allowed.
    int retry_after_seconds = 0;
  };

  explicit RateLimiter(RateLimiterOptions options);
  ~RateLimiter();

  // Takes one token from `key`'s bucket, refilled up to `now`.
  Decision TryAcquire(std::string_view key, Clock::time_point now);
  // Sets or replaces `key`'s limit; an existing bucket keeps its tokens, capped at the new burst.
  void SetLimit(std::string_view key, RateLimit limit);
  // Buckets held now (for tests and metrics).
  size_t bucket_count() const;

 private:
  struct Bucket {
    RateLimit limit;
    double tokens;
    Clock::time_point updated;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mu);
    Clock::time_point next_sweep ABSL_GUARDED_BY(mu);
  };

  Shard& ShardFor(std::string_view key) const;
  RateLimit LimitFor(std::string_view key) const;
  void SweepLocked(Shard& shard, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const RateLimit default_limit_;
  const Clock::duration sweep_interval_;
  const size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
  mutable absl::Mutex overrides_mu_;
  absl::flat_hash_map<std::string, RateLimit> overrides_ ABSL_GUARDED_BY(overrides_mu_);
};

}  // namespace vigil

#endif  // VIGIL_HTTP_RATE_LIMITER_H_
