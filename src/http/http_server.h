// HttpServer: an asynchronous HTTP/1.1 server (Boost.Beast) that serves a
// Router on a fixed pool of I/O threads, each running its own io_context;
// accepted connections are spread round-robin over them. Keep-alive and
// HTTP/1.0, limits on body and header size, a whole-request read timeout
// (slow-loris), an idle keep-alive timeout, a connection cap, X-Request-Id on
// every response, metrics and an optional JSON access log.
//
// Handlers run on the I/O thread that read the request; a slow handler should
// hand its work to another thread and respond from there. Start, port and
// Shutdown are thread-safe, but Shutdown must not be called from a handler.
#ifndef VIGIL_HTTP_HTTP_SERVER_H_
#define VIGIL_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/access_log.h"
#include "http/metrics_registry.h"
#include "http/router.h"

namespace vigil {

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0 = any free port; see HttpServer::port()
  int io_threads = 2;
  size_t max_body_bytes = 1 << 20;     // larger bodies get 413 payload_too_large
  size_t max_header_bytes = 16 << 10;  // larger request heads get 431 headers_too_large
  // The whole request must arrive within this from its first byte, else the
  // connection is closed.
  std::chrono::milliseconds read_timeout{10000};
  // A keep-alive connection with no request for this long is closed; also the
  // limit for writing one response.
  std::chrono::milliseconds idle_timeout{60000};
  // Connections beyond this get a 503 unavailable and are closed at once.
  int max_connections = 10000;
  AccessLogSink access_log;  // one JSON line per request; null = no access log
};

class HttpServer {
 public:
  // Binds, listens and starts the I/O threads. `metrics` (may be null) must
  // outlive the server; the server registers there:
  //   vigil_http_requests_total{route,status}            counter
  //   vigil_http_request_duration_seconds{route}         histogram (50 µs .. 1 s)
  //   vigil_http_connections_open                        gauge
  //   vigil_http_connections_accepted_total              counter
  //   vigil_http_connections_rejected_total              counter
  // where route is the matched pattern, or "unmatched" for 404s and for
  // requests that could not be parsed. Errors: InvalidArgument for a bad
  // bind address or option, Unavailable when the port cannot be bound.
  static StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Router router,
                                                     MetricsRegistry* metrics);

  // Shutdown(0) unless already shut down, then waits until every Responder
  // the server handed out has been destroyed (called or not): one parked
  // forever keeps this from returning.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;

  // Stops accepting, closes idle keep-alive connections and waits up to
  // `drain` for requests in flight: their responses are still sent (with
  // Connection: close). Then closes whatever is left and joins the I/O
  // threads. Responders called afterwards are ignored. Idempotent.
  void Shutdown(std::chrono::milliseconds drain);

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

#endif  // VIGIL_HTTP_HTTP_SERVER_H_
