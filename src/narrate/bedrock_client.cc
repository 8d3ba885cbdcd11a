#include "narrate/bedrock_client.h"

#include <nlohmann/json.hpp>

namespace vigil {
namespace {

constexpr char kService[] = "bedrock";

std::string ConverseTarget(std::string path, const std::string& model) {
  while (!path.empty() && path.back() == '/') path.pop_back();
  return fmt::format("{}/model/{}/converse", path, UriEncode(model, /*keep_slash=*/false));
}

}  // namespace

StatusOr<std::unique_ptr<BedrockClient>> BedrockClient::Create(
    const NarrationConfig& config, std::shared_ptr<const HttpClient> http, Clock clock) {
  const std::string endpoint =
      config.endpoint.empty()
          ? fmt::format("https://bedrock-runtime.{}.amazonaws.com", config.region)
          : config.endpoint;
  const StatusOr<Url> url = ParseUrl(endpoint);
  if (!url.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("narration.endpoint: {}", url.status().message()));
  }
  if (!clock) clock = [] { return std::chrono::system_clock::now(); };
  return std::unique_ptr<BedrockClient>(
      new BedrockClient(config, *url, std::move(http), std::move(clock)));
}

BedrockClient::BedrockClient(const NarrationConfig& config, Url url,
                             std::shared_ptr<const HttpClient> http, Clock clock)
    : config_(config),
      url_(std::move(url)),
      target_(ConverseTarget(url_.path, config.model)),
      http_(std::move(http)),
      clock_(std::move(clock)) {}

std::string BedrockClient::RequestBody(const NarrationPrompt& prompt) const {
  const nlohmann::json body = {
      {"messages", {{{"role", "user"}, {"content", {{{"text", prompt.user}}}}}}},
      {"system", {{{"text", prompt.system}}}},
      {"inferenceConfig",
       {{"maxTokens", config_.max_tokens}, {"temperature", config_.temperature}}},
  };
  return body.dump();
}

HttpHeaders BedrockClient::SignedHeaders(const std::string& body,
                                         std::chrono::system_clock::time_point time) const {
  const std::string amz_date = FormatAmzDate(time);
  HttpHeaders headers = {{"Content-Type", "application/json"},
                         {"Accept", "application/json"},
                         {"X-Amz-Date", amz_date}};
  if (!config_.session_token.empty()) {
    headers.emplace_back("X-Amz-Security-Token", config_.session_token);
  }
  SigV4Request request{"POST", target_, headers, body};
  request.headers.emplace_back("Host", url_.HostHeader());
  const AwsCredentials credentials{config_.access_key_id, config_.secret_access_key,
                                   config_.session_token};
  const SigV4Signature signature = SignV4(request, credentials, config_.region, kService, amz_date);
  headers.emplace_back("Authorization", signature.authorization);
  return headers;
}

StatusOr<std::string> BedrockClient::Complete(const NarrationPrompt& prompt,
                                              std::chrono::milliseconds timeout) const {
  const std::string body = RequestBody(prompt);
  ASSIGN_OR_RETURN(const LlmHttpResponse response,
                   http_->Post(url_, target_, SignedHeaders(body, clock_()), body, timeout));
  RETURN_IF_ERROR(HttpAnswerStatus(response));
  return ParseConverseResponse(response.body);
}

StatusOr<std::string> ParseConverseResponse(const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return absl::InternalError("the answer is not JSON");
  const nlohmann::json::json_pointer pointer("/output/message/content");
  if (!json.is_object() || !json.contains(pointer) || !json.at(pointer).is_array()) {
    return absl::InternalError("the answer has no output.message.content array");
  }
  std::string text;
  for (const nlohmann::json& block : json.at(pointer)) {
    if (block.is_object() && block.contains("text") && block["text"].is_string()) {
      text += block["text"].get_ref<const std::string&>();
    }
  }
  return NonEmptyAnswer(text);
}

}  // namespace vigil
