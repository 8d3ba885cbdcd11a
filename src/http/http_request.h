// HttpRequest: one parsed HTTP request as a handler sees it (method, path,
// decoded query and path parameters, case-insensitive headers, body, remote
// address, request id, matched route, arrival time).
//
// Not thread-safe; a request belongs to one handler at a time. The server
// owns the object and reuses its storage for the connection's next request,
// so a handler may use it until it calls its Responder, never after.
#ifndef VIGIL_HTTP_HTTP_REQUEST_H_
#define VIGIL_HTTP_HTTP_REQUEST_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

class HttpRequest {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpRequest() = default;

  // A request built in memory, for handler tests: `target` is the path with an
  // optional "?query"; the request id comes from an X-Request-Id header if it
  // is valid, else it is generated.
  static HttpRequest Make(std::string_view method, std::string_view target,
                          const Headers& headers = {}, std::string body = "");

  std::string_view method() const { return method_; }
  // The path as sent, without the query string (not percent-decoded).
  std::string_view path() const { return std::string_view(target_).substr(0, path_size_); }
  // The raw query string after '?', empty if none.
  std::string_view query_string() const {
    return path_size_ < target_.size() ? std::string_view(target_).substr(path_size_ + 1)
                                       : std::string_view();
  }
  // The first value of query parameter `key`, percent-decoded ('+' is a space).
  std::optional<std::string_view> Query(std::string_view key) const;
  // The first value of header `name`, compared case-insensitively.
  std::optional<std::string_view> Header(std::string_view name) const;
  const std::string& body() const { return body_; }
  std::string& mutable_body() { return body_; }
  // "ip:port" of the peer; empty for in-memory requests.
  std::string_view remote_address() const { return remote_address_; }
  // The client's X-Request-Id when it is 1-64 characters of [A-Za-z0-9._:-],
  // else a generated, process-unique id. Echoed in every response.
  std::string_view request_id() const { return request_id_; }
  // The percent-decoded value of path parameter `name` ("{id}" in the route).
  std::optional<std::string_view> Param(std::string_view name) const;
  // The pattern of the matched route ("/v1/decisions/{id}"), empty before routing.
  std::string_view route() const { return route_; }
  std::chrono::steady_clock::time_point received_at() const { return received_at_; }

  // True when `id` may be echoed as a request id.
  static bool IsValidRequestId(std::string_view id);

  // --- Filled by the server and the router. ---
  // Starts a new request, keeping allocated storage for reuse.
  void Reset(std::string_view method, std::string_view target,
             std::chrono::steady_clock::time_point received_at);
  void AddHeader(std::string_view name, std::string_view value);
  // Takes the X-Request-Id header if valid, else generates an id. Call after
  // the headers are added.
  void AssignRequestId();
  void set_remote_address(std::string_view address) { remote_address_.assign(address); }
  void set_route(std::string_view route) { route_ = route; }
  void ClearParams() { num_params_ = 0; }
  void AddParam(std::string_view name, std::string_view decoded_value);

 private:
  struct PathParam {
    std::string_view name;  // points into the router, which outlives requests
    std::string value;
  };

  void ParseQuery();

  std::string method_;
  std::string target_;
  size_t path_size_ = 0;  // target_ is path, then '?' and the query if any
  // Storage is reused across requests: only the first num_* entries are live.
  Headers headers_;
  size_t num_headers_ = 0;
  std::vector<std::pair<std::string, std::string>> query_;
  size_t num_query_ = 0;
  std::vector<PathParam> params_;
  size_t num_params_ = 0;
  std::string body_;
  std::string remote_address_;
  std::string request_id_;
  std::string_view route_;
  std::chrono::steady_clock::time_point received_at_;
};

// A process-unique id: a random per-process prefix and a counter. Thread-safe.
void GenerateRequestId(std::string* out);

}  // namespace vigil

#endif  // VIGIL_HTTP_HTTP_REQUEST_H_
