// HttpClient: one HTTP/1.1 POST over http:// or https:// with a hard deadline
// on the whole exchange (name resolution, connect, TLS handshake, write,
// read). https verifies the peer against the system's CA store and the host
// name, and sends SNI. One connection per call (no keep-alive).
//
// Thread-safe: Post may be called from many threads at once; each call runs
// its own I/O context on the calling thread. Host names are resolved on one
// owned background thread (an IP literal is not resolved); a call waits for
// the lookup only until its deadline.
#ifndef VIGIL_NARRATE_HTTP_CLIENT_H_
#define VIGIL_NARRATE_HTTP_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "narrate/url.h"

namespace vigil {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct LlmHttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  // The first header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  // Fails when the TLS context cannot be set up (no system CA store).
  [[nodiscard]] static StatusOr<std::unique_ptr<HttpClient>> Create();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to `url.host:url.port` with request-target `target`, adding
  // Host, Content-Length and `headers`. Any HTTP status is a response, not an
  // error. Errors: DeadlineExceeded when `timeout` passes first, Unavailable
  // when the connection or TLS fails, Internal when the answer is not HTTP or
  // its body exceeds 1 MiB.
  [[nodiscard]] StatusOr<LlmHttpResponse> Post(const Url& url, const std::string& target,
                                               const HttpHeaders& headers, const std::string& body,
                                               std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

#endif  // VIGIL_NARRATE_HTTP_CLIENT_H_
