// LlmClient: one chat completion from a hosted or local model, within a time
// budget. Implementations: OpenAiClient (openai_client.h), BedrockClient
// (bedrock_client.h). Implementations are thread-safe.
#ifndef VIGIL_NARRATE_LLM_CLIENT_H_
#define VIGIL_NARRATE_LLM_CLIENT_H_

#include <chrono>
#include <string>

#include "common/status.h"
#include "narrate/http_client.h"
#include "narrate/narration_request.h"

namespace vigil {

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  // The model's answer, trimmed and not empty. Errors: DeadlineExceeded (the
  // budget passed), ResourceExhausted (HTTP 429 or ThrottlingException),
  // Unavailable (connection, TLS or another HTTP error), Internal (an answer
  // that is not the protocol's JSON, or an empty text).
  [[nodiscard]] virtual StatusOr<std::string> Complete(const NarrationPrompt& prompt,
                                                       std::chrono::milliseconds timeout) const = 0;
};

// OK for a 2xx response; ResourceExhausted for 429 or an AWS
// ThrottlingException (x-amzn-ErrorType header or "__type" in the body);
// Unavailable for any other status, with the status and the start of the body.
[[nodiscard]] Status HttpAnswerStatus(const LlmHttpResponse& response);

// `text` without surrounding white space; Internal when nothing is left.
[[nodiscard]] StatusOr<std::string> NonEmptyAnswer(std::string_view text);

}  // namespace vigil

#endif  // VIGIL_NARRATE_LLM_CLIENT_H_
