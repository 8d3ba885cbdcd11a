// ApiPoster: POST requests to a running `vigil serve`, for the commands that
// feed one over its API (`vigil seed --url`, `vigil replay`), with the real
// HTTP client (narrate/http_client.h, one connection per request). An answer
// of 429 waits its Retry-After (1-60 s) and is tried again, up to 20 times;
// every other answer is the caller's to read.
// Thread-compatible: one call at a time.
#ifndef VIGIL_SEED_API_POSTER_H_
#define VIGIL_SEED_API_POSTER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "narrate/http_client.h"
#include "narrate/url.h"

namespace vigil {

class ApiPoster {
 public:
  // Fails as HttpClient::Create does.
  [[nodiscard]] static StatusOr<ApiPoster> Create(Url url, std::chrono::milliseconds timeout);

  // POSTs `body` to `route` (after the URL's path) with `key` as X-API-Key.
  // Unavailable, naming `request` and the server, when it cannot be reached.
  [[nodiscard]] StatusOr<LlmHttpResponse> Post(
      std::string_view route, const std::string& key, const std::string& body,
      std::string_view request, std::string_view content_type = "application/json") const;

  const Url& url() const { return url_; }

 private:
  ApiPoster(Url url, std::chrono::milliseconds timeout, std::unique_ptr<HttpClient> client);

  Url url_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<HttpClient> client_;
  std::string base_;  // the URL's path without its trailing slashes
};

// "403 permission_denied: this route needs ..." from the API's error object,
// or the status and the start of whatever else the answer was.
std::string DescribeAnswer(const LlmHttpResponse& answer);

// The answer as an error naming `request`, with `hint` (if any) in
// parentheses: Unauthenticated / PermissionDenied for 401 / 403,
// AlreadyExists for 409, InvalidArgument for 400 / 422, Unavailable for 5xx,
// FailedPrecondition for the rest.
Status AnswerError(const LlmHttpResponse& answer, std::string_view request, std::string_view hint);

// "http://host:port/path" for messages.
std::string UrlText(const Url& url);

}  // namespace vigil

#endif  // VIGIL_SEED_API_POSTER_H_
