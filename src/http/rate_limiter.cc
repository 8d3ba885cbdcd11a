#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace vigil {
namespace {

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr int kNeverRefillsRetryAfter = 3600;

// Tokens after refilling from `bucket.updated` to `now`.
double Refilled(const RateLimit& limit, double tokens, RateLimiter::Clock::time_point updated,
                RateLimiter::Clock::time_point now) {
  if (now <= updated || limit.tokens_per_second <= 0) return std::min(tokens, limit.burst);
  double elapsed = std::chrono::duration<double>(now - updated).count();
  return std::min(limit.burst, tokens + elapsed * limit.tokens_per_second);
}

}  // namespace

RateLimiter::RateLimiter(RateLimiterOptions options)
    : default_limit_(options.default_limit),
      sweep_interval_(options.sweep_interval),
      shard_count_(static_cast<size_t>(std::max(1, options.shards))),
      shards_(new Shard[shard_count_]),
      overrides_(std::move(options.per_key)) {}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::ShardFor(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % shard_count_];
}

RateLimit RateLimiter::LimitFor(std::string_view key) const {
  absl::ReaderMutexLock lock(&overrides_mu_);
  auto it = overrides_.find(ToAbsl(key));
  return it == overrides_.end() ? default_limit_ : it->second;
}

RateLimiter::Decision RateLimiter::TryAcquire(std::string_view key, Clock::time_point now) {
  Shard& shard = ShardFor(key);
  absl::MutexLock lock(&shard.mu);
  if (now >= shard.next_sweep) SweepLocked(shard, now);
  auto it = shard.buckets.find(ToAbsl(key));
  if (it == shard.buckets.end()) {
    RateLimit limit = LimitFor(key);
    it = shard.buckets.emplace(std::string(key), Bucket{limit, limit.burst, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = Refilled(bucket.limit, bucket.tokens, bucket.updated, now);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return {true, 0};
  }
  if (bucket.limit.tokens_per_second <= 0) return {false, kNeverRefillsRetryAfter};
  double wait = (1 - bucket.tokens) / bucket.limit.tokens_per_second;
  return {false, std::max(1, static_cast<int>(std::ceil(wait)))};
}

void RateLimiter::SweepLocked(Shard& shard, Clock::time_point now) {
  absl::erase_if(shard.buckets, [now](const auto& entry) {
    const Bucket& b = entry.second;
    return Refilled(b.limit, b.tokens, b.updated, now) >= b.limit.burst;
  });
  shard.next_sweep = now + sweep_interval_;
}

void RateLimiter::SetLimit(std::string_view key, RateLimit limit) {
  {
    absl::MutexLock lock(&overrides_mu_);
    overrides_[std::string(key)] = limit;
  }
  Shard& shard = ShardFor(key);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.buckets.find(ToAbsl(key));
  if (it == shard.buckets.end()) return;
  it->second.limit = limit;
  it->second.tokens = std::min(it->second.tokens, limit.burst);
}

size_t RateLimiter::bucket_count() const {
  size_t n = 0;
  for (size_t i = 0; i < shard_count_; ++i) {
    absl::MutexLock lock(&shards_[i].mu);
    n += shards_[i].buckets.size();
  }
  return n;
}

}  // namespace vigil
