// NarrationConfig: which LLM (if any) narrates explanations, where it is, how
// it is authenticated, and the time budget and cache size. A plain value;
// thread-safe as a value.
#ifndef VIGIL_NARRATE_NARRATION_CONFIG_H_
#define VIGIL_NARRATE_NARRATION_CONFIG_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

enum class NarrationProvider { kNone, kOpenAi, kBedrock };
std::string_view NarrationProviderName(NarrationProvider provider);  // "none", "openai", "bedrock"
[[nodiscard]] StatusOr<NarrationProvider> ParseNarrationProvider(std::string_view name);

struct NarrationConfig {
  NarrationProvider provider = NarrationProvider::kNone;
  // openai: the server's base URL ("http://127.0.0.1:8080", "https://api.openai.com",
  // "http://localhost:11434/v1"); "/v1/chat/completions" is appended unless the
  // path already ends in "/chat/completions" (a path ending "/v1" gets
  // "/chat/completions"). bedrock: empty means
  // "https://bedrock-runtime.<region>.amazonaws.com".
  std::string endpoint;
  std::string model;    // openai model name, or the Bedrock model id / inference profile
  std::string api_key;  // openai: sent as "Authorization: Bearer" when set
  std::string region = "us-east-1";  // bedrock
  std::string access_key_id;         // bedrock
  std::string secret_access_key;     // bedrock
  std::string session_token;         // bedrock, optional: X-Amz-Security-Token
  int budget_ms = 300;               // whole call (connect + TLS + write + read) for Narrate()
  int async_budget_ms = 5000;        // the same for NarrateAsync()
  int cache_capacity = 10000;        // cached narrations (LRU); 0 disables the cache
  int max_tokens = 200;
  double temperature = 0.2;
  int async_workers = 2;           // threads of the NarrateAsync pool
  int async_queue_capacity = 256;  // waiting NarrateAsync requests; more are answered at once
};

// OK, or InvalidArgument naming the field ("narration.endpoint: ..."). With
// provider none only the numeric fields are checked.
[[nodiscard]] Status ValidateNarrationConfig(const NarrationConfig& config);

}  // namespace vigil

#endif  // VIGIL_NARRATE_NARRATION_CONFIG_H_
