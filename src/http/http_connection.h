// Internal to HttpServer: the state its connections share (ServerCore) and one
// keep-alive connection (HttpConnection), which reads a request, routes it,
// waits for the handler's response, writes it and starts over.
//
// An HttpConnection lives on one I/O thread: all its methods run there except
// the Responder it hands out (any thread) and its destructor (any thread).
#ifndef VIGIL_HTTP_HTTP_CONNECTION_H_
#define VIGIL_HTTP_HTTP_CONNECTION_H_

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/string_body.hpp"
#include "http/http_request.h"
#include "http/http_response.h"
#include "http/http_server.h"
#include "http/metrics_registry.h"
#include "http/router.h"

namespace vigil {

class HttpConnection;

// Sockets and streams bound to one io_context's concrete executor (no type erasure).
using IoExecutor = boost::asio::io_context::executor_type;
using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp, IoExecutor>;

// One I/O thread with its own io_context and the connections it serves.
struct IoThread {
  // Declared before the context: connections that die with the context's
  // queued handlers unregister here.
  absl::Mutex mu;
  std::list<std::weak_ptr<HttpConnection>> connections ABSL_GUARDED_BY(mu);
  boost::asio::io_context context{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      context.get_executor()};
  std::thread thread;

  // Runs `action` on every live connection, on this thread.
  template <typename Action>
  void ForEachConnection(Action action) ABSL_LOCKS_EXCLUDED(mu);
};

// Pre-resolved metric handles; all null without a registry.
class ServerMetrics {
 public:
  ServerMetrics(MetricsRegistry* registry, const Router& router);
  // `route_slot` is a pattern index or unmatched_slot().
  void RecordRequest(int route_slot, int status, std::chrono::steady_clock::duration latency);
  int unmatched_slot() const { return static_cast<int>(routes_.size()) - 1; }

  Gauge* open_connections = nullptr;
  Counter* accepted_connections = nullptr;
  Counter* rejected_connections = nullptr;

 private:
  static constexpr int kStatusSlots = 600;
  struct Route {
    std::string pattern;
    Histogram* latency = nullptr;
    std::unique_ptr<std::atomic<Counter*>[]> by_status;
  };
  MetricsRegistry* registry_;
  std::vector<Route> routes_;
};

// What connections share with the server.
struct ServerCore {
  ServerCore(HttpServerOptions options, Router router, MetricsRegistry* registry);

  // Called when a connection opens or closes.
  void ConnectionOpened() ABSL_LOCKS_EXCLUDED(mu);
  void ConnectionClosed() ABSL_LOCKS_EXCLUDED(mu);
  // Called when an HttpConnection object is made and when it is gone, which
  // for a closed connection is when the last Responder holding it is.
  void ConnectionObjectMade() ABSL_LOCKS_EXCLUDED(mu);
  void ConnectionObjectGone() ABSL_LOCKS_EXCLUDED(mu);

  const HttpServerOptions options;
  const Router router;
  ServerMetrics metrics;
  std::atomic<bool> stopping{false};
  absl::Mutex mu;
  int open_connections ABSL_GUARDED_BY(mu) = 0;
  // HttpConnection objects alive, open or not. Their sockets belong to the
  // I/O threads' io_contexts, which must outlive them.
  int connection_objects ABSL_GUARDED_BY(mu) = 0;
};

// Counts its connection object as alive from before its first member is made
// until after its last is destroyed (the socket among them).
class ConnectionObjectMark {
 public:
  explicit ConnectionObjectMark(ServerCore* core) : core_(core) { core_->ConnectionObjectMade(); }
  ~ConnectionObjectMark() { core_->ConnectionObjectGone(); }
  ConnectionObjectMark(const ConnectionObjectMark&) = delete;
  ConnectionObjectMark& operator=(const ConnectionObjectMark&) = delete;

 private:
  ServerCore* const core_;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(ServerCore* core, IoThread* io, TcpSocket socket);
  ~HttpConnection();

  // Registers with the I/O thread and starts reading.
  void Start();
  // For shutdown: closes the connection unless a request is in flight.
  void CloseIfIdle();
  void Close();

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void BeginRequest();
  void ReadMore();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void ParseBuffered();
  void SendContinue();
  void FillRequestHead();
  void OnRequest();
  void OnParseError(boost::beast::error_code ec);
  void Respond(uint64_t sequence, HttpResponse response);
  void SendResponse(HttpResponse response);
  void SerializeHead(const HttpResponse& response, bool close);
  void OnWritten(boost::beast::error_code ec, bool close);
  void Linger();
  void LogAccess(int status, std::chrono::steady_clock::duration latency, size_t bytes);

  ConnectionObjectMark mark_;  // first: destroyed last
  ServerCore* const core_;
  IoThread* const io_;
  std::list<std::weak_ptr<HttpConnection>>::iterator registration_;
  bool registered_ = false;
  TcpStream stream_;
  std::string remote_address_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  State state_ = State::kIdle;
  std::chrono::steady_clock::time_point received_at_;
  bool continue_sent_ = false;

  HttpRequest request_;
  uint64_t sequence_ = 0;              // of the request being handled
  std::atomic<uint64_t> answered_{0};  // sequence of the last request answered
  int route_slot_ = 0;
  bool keep_alive_ = false;
  bool is_head_ = false;
  bool http10_ = false;
  bool close_after_response_ = false;

  std::string head_;  // status line and headers of the response being written
  std::string body_;  // its body
  size_t lingered_bytes_ = 0;
};

template <typename Action>
void IoThread::ForEachConnection(Action action) {
  std::vector<std::shared_ptr<HttpConnection>> live;
  {
    absl::MutexLock lock(&mu);
    for (const auto& weak : connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (const auto& connection : live) action(*connection);
}

}  // namespace vigil

#endif  // VIGIL_HTTP_HTTP_CONNECTION_H_
