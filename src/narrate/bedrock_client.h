// BedrockClient: LlmClient for the Bedrock Runtime Converse API
// (POST /model/{modelId}/converse), signed with AWS Signature Version 4 for
// service "bedrock". Thread-safe.
#ifndef VIGIL_NARRATE_BEDROCK_CLIENT_H_
#define VIGIL_NARRATE_BEDROCK_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "narrate/http_client.h"
#include "narrate/llm_client.h"
#include "narrate/narration_config.h"
#include "narrate/sigv4.h"
#include "narrate/url.h"

namespace vigil {

class BedrockClient : public LlmClient {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `config` must be valid with provider bedrock. `clock` gives the signing
  // time (the system clock when empty).
  [[nodiscard]] static StatusOr<std::unique_ptr<BedrockClient>> Create(
      const NarrationConfig& config, std::shared_ptr<const HttpClient> http, Clock clock = {});

  StatusOr<std::string> Complete(const NarrationPrompt& prompt,
                                 std::chrono::milliseconds timeout) const override;

  // The Converse request body for `prompt`.
  std::string RequestBody(const NarrationPrompt& prompt) const;
  // "/model/<model id, URI-encoded>/converse" (after the endpoint's path).
  const std::string& target() const { return target_; }
  // The headers to send (Content-Type, Accept, X-Amz-Date, optional
  // X-Amz-Security-Token, Authorization), signed for `body` at `time`.
  HttpHeaders SignedHeaders(const std::string& body,
                            std::chrono::system_clock::time_point time) const;

 private:
  BedrockClient(const NarrationConfig& config, Url url, std::shared_ptr<const HttpClient> http,
                Clock clock);

  NarrationConfig config_;
  Url url_;
  std::string target_;
  std::shared_ptr<const HttpClient> http_;
  Clock clock_;
};

// The text of output.message.content[*].text (joined), or Internal naming
// what is missing.
[[nodiscard]] StatusOr<std::string> ParseConverseResponse(const std::string& body);

}  // namespace vigil

#endif  // VIGIL_NARRATE_BEDROCK_CLIENT_H_
