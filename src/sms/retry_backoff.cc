#include "sms/retry_backoff.h"

#include <algorithm>
#include <charconv>

namespace vigil {

std::chrono::milliseconds RetryDelay(const RetryBackoff& backoff, int retry,
                                     std::optional<std::chrono::milliseconds> retry_after,
                                     std::mt19937_64& random) {
  if (retry_after) return std::min(*retry_after, backoff.max_retry_after);
  // Doubling stops at the cap, so the shift never overflows.
  std::chrono::milliseconds bound = backoff.base_delay;
  for (int i = 1; i < retry && bound < backoff.max_delay; ++i) bound *= 2;
  bound = std::min(bound, backoff.max_delay);
  std::uniform_int_distribution<std::chrono::milliseconds::rep> wait(0, bound.count());
  return std::chrono::milliseconds(wait(random));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  // Up to about 11 days: more is not a delay anyone waits for, and the cap applies anyway.
  constexpr size_t kMaxDigits = 6;
  if (value.empty() || value.size() > kMaxDigits || value.front() < '0' || value.front() > '9') {
    return std::nullopt;
  }
  int seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace vigil
