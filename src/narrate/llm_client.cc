#include "narrate/llm_client.h"

#include "absl/strings/match.h"

namespace vigil {
namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

Status HttpAnswerStatus(const LlmHttpResponse& response) {
  if (response.status >= 200 && response.status < 300) return absl::OkStatus();
  const std::string snippet = response.body.substr(0, 200);
  const std::string error_type = response.Header("x-amzn-ErrorType");
  if (response.status == 429 || Contains(error_type, "ThrottlingException") ||
      Contains(snippet, "ThrottlingException")) {
    return absl::ResourceExhaustedError(
        fmt::format("throttled (HTTP {}): {}", response.status, snippet));
  }
  return absl::UnavailableError(fmt::format("HTTP {}: {}", response.status, snippet));
}

StatusOr<std::string> NonEmptyAnswer(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return absl::InternalError("the model's answer is empty");
  const size_t end = text.find_last_not_of(kSpace);
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace vigil
