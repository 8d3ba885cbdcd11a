// Narrator: optional LLM narration of a decision's explanation, which never
// holds the score hostage. Every call answers: with the model's text
// (source "llm"), or, on any error, throttling, malformed answer, full queue
// or budget overrun, with the template text (source "template").
//
//   auto narrator = MakeNarrator(config);            // StatusOr<unique_ptr>
//   Narration n = (*narrator)->Narrate(request);     // waits at most budget_ms
//   (*narrator)->NarrateAsync(request, [](Narration n) { /* store it */ });
//
// Narrations from the model are cached (LRU, cache_capacity entries) under
// NarrationCacheKey, so a repeated pattern does not call the model again.
// Thread-safe: Narrate and NarrateAsync may be called from any thread.
#ifndef VIGIL_NARRATE_NARRATOR_H_
#define VIGIL_NARRATE_NARRATOR_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/worker_pool.h"
#include "narrate/llm_client.h"
#include "narrate/narration_cache.h"
#include "narrate/narration_config.h"
#include "narrate/narration_request.h"

namespace vigil {

enum class NarrationSource { kTemplate, kLlm };
std::string_view NarrationSourceName(NarrationSource source);  // "template", "llm"

struct Narration {
  std::string text;
  NarrationSource source = NarrationSource::kTemplate;
  bool cached = false;  // the text came from the cache (source is then kLlm)
  std::chrono::microseconds latency{0};
  // Why the template stands ("narration is off", "queue full", the client's
  // error); empty when source is kLlm. Safe to log: it holds no secret.
  std::string fallback_reason;
};

// Counters since construction, for /metrics.
struct NarratorStats {
  uint64_t llm = 0;        // answered by the model (not cached)
  uint64_t cached = 0;     // answered from the cache
  uint64_t fallback = 0;   // the template stood (errors, timeouts, throttling, full queue;
                           // not counted when narration is off)
  uint64_t throttled = 0;  // of fallback: HTTP 429 / ThrottlingException
  uint64_t timed_out = 0;  // of fallback: the budget ran out
  uint64_t dropped = 0;    // of fallback: NarrateAsync found the queue full
};

class Narrator {
 public:
  using Callback = std::function<void(Narration)>;

  // `client` null: narration is off and every call returns the template.
  // `config` must be valid (ValidateNarrationConfig).
  Narrator(const NarrationConfig& config, std::unique_ptr<LlmClient> client);
  ~Narrator();  // queued async requests get their callback (template) first
  Narrator(const Narrator&) = delete;
  Narrator& operator=(const Narrator&) = delete;

  // Waits at most config.budget_ms for the model.
  Narration Narrate(const NarrationRequest& request);

  // Returns at once. `callback` runs exactly once: on the calling thread when
  // narration is off, the cache answers, or the queue is full (template,
  // "queue full"); otherwise on a pool thread, after at most
  // config.async_budget_ms. The callback must not call back into this
  // Narrator's destructor.
  void NarrateAsync(NarrationRequest request, Callback callback);

  bool enabled() const { return client_ != nullptr; }
  NarratorStats stats() const;
  size_t cache_size() const { return cache_.size(); }

 private:
  // The cache's answer, or the model's within `budget`, or the template.
  Narration Run(const NarrationRequest& request, std::chrono::milliseconds budget,
                std::chrono::steady_clock::time_point start);
  std::optional<Narration> FromCache(const std::string& key,
                                     std::chrono::steady_clock::time_point start);
  Narration Fallback(const NarrationRequest& request, std::string reason,
                     std::chrono::steady_clock::time_point start);

  const NarrationConfig config_;
  const std::unique_ptr<LlmClient> client_;
  NarrationCache cache_;
  std::atomic<uint64_t> llm_{0}, cached_{0}, fallback_{0}, throttled_{0}, timed_out_{0},
      dropped_{0};
  std::unique_ptr<WorkerPool> pool_;  // last: destroyed (and joined) first
};

// Validates `config` and builds the narrator: provider none gives one that
// always returns the template; openai and bedrock build their client.
// Errors: InvalidArgument naming the field; FailedPrecondition when TLS
// cannot be set up.
[[nodiscard]] StatusOr<std::unique_ptr<Narrator>> MakeNarrator(const NarrationConfig& config);

}  // namespace vigil

#endif  // VIGIL_NARRATE_NARRATOR_H_
