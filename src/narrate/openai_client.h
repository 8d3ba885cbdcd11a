// OpenAiClient: LlmClient for any server with the OpenAI chat completions API
// (POST /v1/chat/completions: llama.cpp server, vLLM, Ollama, OpenAI).
// Thread-safe.
#ifndef VIGIL_NARRATE_OPENAI_CLIENT_H_
#define VIGIL_NARRATE_OPENAI_CLIENT_H_

#include <memory>
#include <string>

#include "narrate/http_client.h"
#include "narrate/llm_client.h"
#include "narrate/narration_config.h"
#include "narrate/url.h"

namespace vigil {

class OpenAiClient : public LlmClient {
 public:
  // `config` must be valid (ValidateNarrationConfig) with provider openai.
  [[nodiscard]] static StatusOr<std::unique_ptr<OpenAiClient>> Create(
      const NarrationConfig& config, std::shared_ptr<const HttpClient> http);

  StatusOr<std::string> Complete(const NarrationPrompt& prompt,
                                 std::chrono::milliseconds timeout) const override;

  // The chat completions request body for `prompt`.
  std::string RequestBody(const NarrationPrompt& prompt) const;
  const std::string& target() const { return target_; }

 private:
  OpenAiClient(const NarrationConfig& config, Url url, std::shared_ptr<const HttpClient> http);

  NarrationConfig config_;
  Url url_;
  std::string target_;  // "/v1/chat/completions"
  std::shared_ptr<const HttpClient> http_;
};

// The text of choices[0].message.content, or Internal naming what is missing.
[[nodiscard]] StatusOr<std::string> ParseChatCompletion(const std::string& body);

}  // namespace vigil

#endif  // VIGIL_NARRATE_OPENAI_CLIENT_H_
