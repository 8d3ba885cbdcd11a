#include "narrate/openai_client.h"

#include <nlohmann/json.hpp>

namespace vigil {
namespace {

// Base URL path -> the chat completions path.
std::string ChatCompletionsTarget(std::string path) {
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.ends_with("/chat/completions")) return path;
  if (path.ends_with("/v1")) return path + "/chat/completions";
  return path + "/v1/chat/completions";
}

}  // namespace

StatusOr<std::unique_ptr<OpenAiClient>> OpenAiClient::Create(
    const NarrationConfig& config, std::shared_ptr<const HttpClient> http) {
  const StatusOr<Url> url = ParseUrl(config.endpoint);
  if (!url.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("narration.endpoint: {}", url.status().message()));
  }
  return std::unique_ptr<OpenAiClient>(new OpenAiClient(config, *url, std::move(http)));
}

OpenAiClient::OpenAiClient(const NarrationConfig& config, Url url,
                           std::shared_ptr<const HttpClient> http)
    : config_(config),
      url_(std::move(url)),
      target_(ChatCompletionsTarget(url_.path)),
      http_(std::move(http)) {}

std::string OpenAiClient::RequestBody(const NarrationPrompt& prompt) const {
  const nlohmann::json body = {
      {"model", config_.model},
      {"messages",
       {{{"role", "system"}, {"content", prompt.system}},
        {{"role", "user"}, {"content", prompt.user}}}},
      {"max_tokens", config_.max_tokens},
      {"temperature", config_.temperature},
      {"stream", false},
  };
  return body.dump();
}

StatusOr<std::string> OpenAiClient::Complete(const NarrationPrompt& prompt,
                                             std::chrono::milliseconds timeout) const {
  HttpHeaders headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!config_.api_key.empty()) headers.emplace_back("Authorization", "Bearer " + config_.api_key);
  ASSIGN_OR_RETURN(const LlmHttpResponse response,
                   http_->Post(url_, target_, headers, RequestBody(prompt), timeout));
  RETURN_IF_ERROR(HttpAnswerStatus(response));
  return ParseChatCompletion(response.body);
}

StatusOr<std::string> ParseChatCompletion(const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return absl::InternalError("the answer is not JSON");
  const nlohmann::json::json_pointer pointer("/choices/0/message/content");
  if (!json.is_object() || !json.contains(pointer) || !json.at(pointer).is_string()) {
    return absl::InternalError("the answer has no choices[0].message.content string");
  }
  return NonEmptyAnswer(json.at(pointer).get_ref<const std::string&>());
}

}  // namespace vigil
