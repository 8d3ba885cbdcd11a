// How long to wait before retrying a call to a remote service: exponential
// backoff with "full jitter" (a uniform random wait between zero and the
// exponential bound; see the AWS Architecture Blog, "Exponential Backoff And
// Jitter"), or the server's Retry-After when it sent one, each capped.
// Pure functions of their arguments; thread-safe given one `random` per thread.
#ifndef VIGIL_SMS_RETRY_BACKOFF_H_
#define VIGIL_SMS_RETRY_BACKOFF_H_

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace vigil {

struct RetryBackoff {
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5000};         // cap on the exponential bound
  std::chrono::milliseconds max_retry_after{10000};  // cap on a server's Retry-After
};

// The wait before retry number `retry` (1 for the wait after the first
// attempt): the server's `retry_after` capped by max_retry_after when given,
// else uniform in [0, min(max_delay, base_delay * 2^(retry - 1))].
std::chrono::milliseconds RetryDelay(const RetryBackoff& backoff, int retry,
                                     std::optional<std::chrono::milliseconds> retry_after,
                                     std::mt19937_64& random);

// A Retry-After header's delay-seconds ("120"); nothing for an HTTP date or
// anything else (the caller then falls back to its own backoff).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

}  // namespace vigil

#endif  // VIGIL_SMS_RETRY_BACKOFF_H_
