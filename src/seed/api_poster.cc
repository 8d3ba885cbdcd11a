#include "seed/api_poster.h"

#include <algorithm>
#include <charconv>
#include <thread>
#include <utility>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

using nlohmann::json;

constexpr int kMaxRateLimitedRetries = 20;
constexpr int kMaxRetryAfterSeconds = 60;

int RetryAfterSeconds(const LlmHttpResponse& r) {
  const std::string text = r.Header("Retry-After");
  int seconds = 1;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return std::clamp(seconds, 1, kMaxRetryAfterSeconds);
}

}  // namespace

StatusOr<ApiPoster> ApiPoster::Create(Url url, std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, HttpClient::Create());
  return ApiPoster(std::move(url), timeout, std::move(client));
}

ApiPoster::ApiPoster(Url url, std::chrono::milliseconds timeout, std::unique_ptr<HttpClient> client)
    : url_(std::move(url)), timeout_(timeout), client_(std::move(client)), base_(url_.path) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

StatusOr<LlmHttpResponse> ApiPoster::Post(std::string_view route, const std::string& key,
                                          const std::string& body, std::string_view request,
                                          std::string_view content_type) const {
  const HttpHeaders headers = {{"Content-Type", std::string(content_type)},
                               {"Accept", "application/json"},
                               {"X-API-Key", key}};
  const std::string target = base_ + std::string(route);
  for (int attempt = 0;; ++attempt) {
    auto answer = client_->Post(url_, target, headers, body, timeout_);
    if (!answer.ok()) {
      return absl::UnavailableError(
          fmt::format("{}: cannot reach {}: {} (is `vigil serve` running there?)", request,
                      UrlText(url_), answer.status().message()));
    }
    if (answer->status != 429 || attempt == kMaxRateLimitedRetries) return answer;
    std::this_thread::sleep_for(std::chrono::seconds(RetryAfterSeconds(*answer)));
  }
}

std::string DescribeAnswer(const LlmHttpResponse& r) {
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  const auto text = [](const json& object, const char* name) {
    auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    return fmt::format("{} {}: {}", r.status, text(e, "code"), text(e, "message"));
  }
  return fmt::format("{} {}", r.status, r.body.substr(0, 200));
}

Status AnswerError(const LlmHttpResponse& r, std::string_view request, std::string_view hint) {
  std::string message = fmt::format("{}: the server answered {}", request, DescribeAnswer(r));
  if (!hint.empty()) message += fmt::format(" ({})", hint);
  if (r.status == 401) return absl::UnauthenticatedError(message);
  if (r.status == 403) return absl::PermissionDeniedError(message);
  if (r.status == 409) return absl::AlreadyExistsError(message);
  if (r.status == 400 || r.status == 422) return absl::InvalidArgumentError(message);
  if (r.status >= 500) return absl::UnavailableError(message);
  return absl::FailedPreconditionError(message);
}

std::string UrlText(const Url& url) {
  return fmt::format("{}://{}{}", url.tls ? "https" : "http", url.HostHeader(), url.path);
}

}  // namespace vigil
