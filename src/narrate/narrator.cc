#include "narrate/narrator.h"

#include <utility>

#include "narrate/bedrock_client.h"
#include "narrate/openai_client.h"

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::microseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

}  // namespace

std::string_view NarrationSourceName(NarrationSource source) {
  return source == NarrationSource::kLlm ? "llm" : "template";
}

Narrator::Narrator(const NarrationConfig& config, std::unique_ptr<LlmClient> client)
    : config_(config),
      client_(std::move(client)),
      cache_(static_cast<size_t>(config.cache_capacity)) {
  if (client_) {
    pool_ = std::make_unique<WorkerPool>(
        config.async_workers, static_cast<size_t>(config.async_queue_capacity), "vigil-narrate");
  }
}

Narrator::~Narrator() = default;

Narration Narrator::Narrate(const NarrationRequest& request) {
  return Run(request, std::chrono::milliseconds(config_.budget_ms), Clock::now());
}

void Narrator::NarrateAsync(NarrationRequest request, Callback callback) {
  const Clock::time_point start = Clock::now();
  if (!client_) return callback(Fallback(request, "narration is off", start));
  if (std::optional<Narration> hit = FromCache(NarrationCacheKey(request), start)) {
    return callback(*std::move(hit));
  }
  auto shared = std::make_shared<std::pair<NarrationRequest, Callback>>(std::move(request),
                                                                        std::move(callback));
  WorkerPool::Job job = [this, shared, start](bool cancelled) {
    auto& [req, cb] = *shared;
    if (cancelled) return cb(Fallback(req, "narrator shutting down", start));
    cb(Run(req, std::chrono::milliseconds(config_.async_budget_ms), start));
  };
  if (!pool_->TrySubmit(job)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    shared->second(Fallback(shared->first, "queue full", start));
  }
}

Narration Narrator::Run(const NarrationRequest& request, std::chrono::milliseconds budget,
                        Clock::time_point start) {
  if (!client_) return Fallback(request, "narration is off", start);
  const std::string key = NarrationCacheKey(request);
  if (std::optional<Narration> hit = FromCache(key, start)) return *std::move(hit);
  StatusOr<std::string> text = client_->Complete(BuildNarrationPrompt(request), budget);
  if (!text.ok()) {
    if (absl::IsResourceExhausted(text.status())) throttled_.fetch_add(1);
    if (absl::IsDeadlineExceeded(text.status())) timed_out_.fetch_add(1);
    return Fallback(request, text.status().ToString(), start);
  }
  cache_.Put(key, *text);
  llm_.fetch_add(1, std::memory_order_relaxed);
  return Narration{*std::move(text), NarrationSource::kLlm, false, Since(start), ""};
}

std::optional<Narration> Narrator::FromCache(const std::string& key, Clock::time_point start) {
  std::optional<std::string> text = cache_.Get(key);
  if (!text) return std::nullopt;
  cached_.fetch_add(1, std::memory_order_relaxed);
  return Narration{*std::move(text), NarrationSource::kLlm, true, Since(start), ""};
}

Narration Narrator::Fallback(const NarrationRequest& request, std::string reason,
                             Clock::time_point start) {
  if (client_) fallback_.fetch_add(1, std::memory_order_relaxed);
  return Narration{TemplateText(request.explanation), NarrationSource::kTemplate, false,
                   Since(start), std::move(reason)};
}

NarratorStats Narrator::stats() const {
  return {llm_.load(),       cached_.load(),    fallback_.load(),
          throttled_.load(), timed_out_.load(), dropped_.load()};
}

StatusOr<std::unique_ptr<Narrator>> MakeNarrator(const NarrationConfig& config) {
  RETURN_IF_ERROR(ValidateNarrationConfig(config));
  std::unique_ptr<LlmClient> client;
  if (config.provider != NarrationProvider::kNone) {
    ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, HttpClient::Create());
    std::shared_ptr<const HttpClient> shared_http = std::move(http);
    if (config.provider == NarrationProvider::kOpenAi) {
      ASSIGN_OR_RETURN(client, OpenAiClient::Create(config, shared_http));
    } else {
      ASSIGN_OR_RETURN(client, BedrockClient::Create(config, shared_http));
    }
  }
  return std::make_unique<Narrator>(config, std::move(client));
}

}  // namespace vigil
