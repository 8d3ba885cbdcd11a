#include "http/http_connection.h"

#include <ctime>

#include "boost/asio/post.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/status.hpp"
#include "common/ascii.h"
#include "fmt/format.h"
#include "http/access_log.h"

namespace vigil {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kReadChunk = 16 << 10;
constexpr std::string_view kUnmatchedRoute = "unmatched";

// "Sun, 22 Nov 2026 05:33:10 GMT", formatted once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local char text[64];
  thread_local size_t size = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    size = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached_second = now;
  }
  return std::string_view(text, size);
}

bool IsSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty() || name.find_first_of(":\r\n") != std::string_view::npos) return false;
  return value.find_first_of("\r\n") == std::string_view::npos &&
         value.find('\0') == std::string_view::npos;
}

bool BodyForbidden(int status) { return status == 204 || status == 304 || status < 200; }

}  // namespace

ServerMetrics::ServerMetrics(MetricsRegistry* registry, const Router& router)
    : registry_(registry) {
  std::vector<std::string> patterns;
  for (int i = 0; i < router.pattern_count(); ++i) patterns.emplace_back(router.pattern(i));
  patterns.emplace_back(kUnmatchedRoute);
  for (std::string& pattern : patterns) {
    Route route;
    route.pattern = std::move(pattern);
    route.by_status = std::make_unique<std::atomic<Counter*>[]>(kStatusSlots);
    if (registry_ != nullptr) {
      route.latency = registry_->GetHistogram(
          "vigil_http_request_duration_seconds",
          "Time from a request's first byte to its response, by route pattern.",
          LatencyBucketsSeconds(), {{"route", route.pattern}});
    }
    routes_.push_back(std::move(route));
  }
  if (registry_ == nullptr) return;
  open_connections =
      registry_->GetGauge("vigil_http_connections_open", "HTTP connections open now.");
  accepted_connections =
      registry_->GetCounter("vigil_http_connections_accepted_total", "HTTP connections accepted.");
  rejected_connections = registry_->GetCounter("vigil_http_connections_rejected_total",
                                               "HTTP connections refused at max_connections.");
}

void ServerMetrics::RecordRequest(int route_slot, int status, Clock::duration latency) {
  if (registry_ == nullptr) return;
  Route& route = routes_[route_slot];
  route.latency->Observe(std::chrono::duration<double>(latency).count());
  if (status < 0 || status >= kStatusSlots) status = 500;
  std::atomic<Counter*>& slot = route.by_status[status];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // The registry returns the same pointer to racing threads.
    counter = registry_->GetCounter("vigil_http_requests_total",
                                    "HTTP requests answered, by route pattern and status.",
                                    {{"route", route.pattern}, {"status", std::to_string(status)}});
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

ServerCore::ServerCore(HttpServerOptions options_in, Router router_in, MetricsRegistry* registry)
    : options(std::move(options_in)), router(std::move(router_in)), metrics(registry, router) {}

void ServerCore::ConnectionOpened() {
  absl::MutexLock lock(&mu);
  ++open_connections;
  if (metrics.open_connections != nullptr) metrics.open_connections->Add(1);
}

void ServerCore::ConnectionClosed() {
  absl::MutexLock lock(&mu);
  --open_connections;
  if (metrics.open_connections != nullptr) metrics.open_connections->Add(-1);
}

void ServerCore::ConnectionObjectMade() {
  absl::MutexLock lock(&mu);
  ++connection_objects;
}

void ServerCore::ConnectionObjectGone() {
  absl::MutexLock lock(&mu);
  --connection_objects;
}

HttpConnection::HttpConnection(ServerCore* core, IoThread* io, TcpSocket socket)
    : mark_(core), core_(core), io_(io), stream_(std::move(socket)) {
  beast::error_code ec;
  net::ip::tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = fmt::format("{}:{}", peer.address().to_string(), peer.port());
  core_->ConnectionOpened();
}

HttpConnection::~HttpConnection() {
  if (registered_) {
    absl::MutexLock lock(&io_->mu);
    io_->connections.erase(registration_);
  }
  if (state_ != State::kClosed) core_->ConnectionClosed();
}

void HttpConnection::Start() {
  {
    absl::MutexLock lock(&io_->mu);
    registration_ = io_->connections.insert(io_->connections.end(), weak_from_this());
    registered_ = true;
  }
  BeginRequest();
}

void HttpConnection::CloseIfIdle() {
  if (state_ != State::kHandling && state_ != State::kWriting) Close();
}

void HttpConnection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  // Counted closed now, not at destruction: a Responder held elsewhere may
  // keep this object alive, and Shutdown's drain waits only for sockets.
  core_->ConnectionClosed();
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

void HttpConnection::BeginRequest() {
  if (core_->stopping.load()) return Close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(core_->options.max_header_bytes));
  parser_->body_limit(core_->options.max_body_bytes);
  parser_->eager(true);
  continue_sent_ = false;
  state_ = State::kIdle;
  if (buffer_.size() == 0) return ReadMore();
  // Bytes of the next request came with the previous one.
  state_ = State::kReading;
  received_at_ = Clock::now();
  ParseBuffered();
}

void HttpConnection::ReadMore() {
  if (state_ == State::kIdle) {
    stream_.expires_after(core_->options.idle_timeout);
  } else {
    stream_.expires_at(received_at_ + core_->options.read_timeout);
  }
  stream_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](beast::error_code ec, size_t bytes) { self->OnRead(ec, bytes); });
}

void HttpConnection::OnRead(beast::error_code ec, size_t bytes) {
  if (state_ == State::kClosed) return;
  if (ec) return Close();  // EOF, reset, or a timeout (idle or slow request)
  buffer_.commit(bytes);
  if (state_ == State::kIdle) {
    state_ = State::kReading;
    received_at_ = Clock::now();
  }
  ParseBuffered();
}

void HttpConnection::ParseBuffered() {
  beast::error_code ec;
  while (buffer_.size() > 0 && !parser_->is_done()) {
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  if (ec) return OnParseError(ec);
  if (parser_->is_done()) return OnRequest();
  if (parser_->is_header_done() && !continue_sent_) {
    continue_sent_ = true;
    auto expect = parser_->get().find(http::field::expect);
    if (expect != parser_->get().end() && EqualsIgnoreCase(expect->value(), "100-continue")) {
      return SendContinue();
    }
  }
  ReadMore();
}

void HttpConnection::SendContinue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_at(received_at_ + core_->options.read_timeout);
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (self->state_ == State::kClosed) return;
                     if (ec) return self->Close();
                     self->ReadMore();
                   });
}

void HttpConnection::FillRequestHead() {
  const auto& message = parser_->get();
  request_.Reset(message.method_string(), message.target(), received_at_);
  for (const auto& field : message) request_.AddHeader(field.name_string(), field.value());
  request_.AssignRequestId();
  request_.set_remote_address(remote_address_);
  keep_alive_ = message.keep_alive();
  is_head_ = message.method() == http::verb::head;
  http10_ = message.version() == 10;
}

void HttpConnection::OnRequest() {
  FillRequestHead();
  request_.mutable_body() = std::move(parser_->get().body());
  close_after_response_ = false;
  state_ = State::kHandling;
  Router::Match match = core_->router.Route(request_);
  route_slot_ = match.kind == Router::Match::Kind::kNotFound ? core_->metrics.unmatched_slot()
                                                             : match.pattern_index;
  uint64_t sequence = ++sequence_;
  Responder respond = [self = shared_from_this(), sequence](HttpResponse response) {
    self->Respond(sequence, std::move(response));
  };
  if (match.kind != Router::Match::Kind::kFound) {
    return respond(Router::UnroutedResponse(request_, match));
  }
  try {
    (*match.handler)(request_, std::move(respond));
  } catch (...) {
    // Ignored if the handler responded before throwing.
    Respond(sequence, ErrorResponse(500, "internal", "internal error"));
  }
}

void HttpConnection::OnParseError(beast::error_code ec) {
  if (parser_->is_header_done()) {
    FillRequestHead();
  } else {
    request_.Reset("", "", received_at_);
    request_.AssignRequestId();
    is_head_ = false;
    http10_ = false;
  }
  close_after_response_ = true;
  state_ = State::kHandling;
  route_slot_ = core_->metrics.unmatched_slot();
  uint64_t sequence = ++sequence_;
  if (ec == http::error::body_limit) {
    return Respond(sequence, ErrorResponse(413, "payload_too_large",
                                           fmt::format("request body exceeds {} bytes",
                                                       core_->options.max_body_bytes)));
  }
  if (ec == http::error::header_limit) {
    return Respond(sequence, ErrorResponse(431, "headers_too_large",
                                           fmt::format("request head exceeds {} bytes",
                                                       core_->options.max_header_bytes)));
  }
  Respond(sequence, ErrorResponse(400, "bad_request", "malformed HTTP request"));
}

void HttpConnection::Respond(uint64_t sequence, HttpResponse response) {
  uint64_t expected = sequence - 1;
  if (!answered_.compare_exchange_strong(expected, sequence)) return;  // answered already
  if (stream_.get_executor().running_in_this_thread()) return SendResponse(std::move(response));
  net::post(stream_.get_executor(),
            [self = shared_from_this(), response = std::move(response)]() mutable {
              self->SendResponse(std::move(response));
            });
}

void HttpConnection::SendResponse(HttpResponse response) {
  if (state_ != State::kHandling) return;  // closed while the handler ran
  Clock::duration latency = Clock::now() - received_at_;
  core_->metrics.RecordRequest(route_slot_, response.status, latency);
  if (core_->options.access_log) LogAccess(response.status, latency, response.body.size());
  bool close = !keep_alive_ || close_after_response_ || core_->stopping.load();
  SerializeHead(response, close);
  body_ = std::move(response.body);
  bool send_body = !is_head_ && !BodyForbidden(response.status);
  state_ = State::kWriting;
  stream_.expires_after(core_->options.idle_timeout);
  std::array<net::const_buffer, 2> buffers = {net::buffer(head_),
                                              send_body ? net::buffer(body_) : net::const_buffer()};
  net::async_write(stream_, buffers,
                   [self = shared_from_this(), close](beast::error_code ec, size_t) {
                     self->OnWritten(ec, close);
                   });
}

void HttpConnection::SerializeHead(const HttpResponse& response, bool close) {
  head_.clear();
  auto out = std::back_inserter(head_);
  std::string_view reason = http::obsolete_reason(http::int_to_status(response.status));
  fmt::format_to(out, "HTTP/1.1 {} {}\r\nDate: {}\r\nX-Request-Id: {}\r\n", response.status, reason,
                 HttpDate(), request_.request_id());
  if (!BodyForbidden(response.status)) {
    if (!response.content_type.empty() && IsSafeHeader("Content-Type", response.content_type)) {
      fmt::format_to(out, "Content-Type: {}\r\n", response.content_type);
    }
    fmt::format_to(out, "Content-Length: {}\r\n", response.body.size());
  }
  if (close) {
    head_ += "Connection: close\r\n";
  } else if (http10_) {
    head_ += "Connection: keep-alive\r\n";
  }
  for (const auto& [name, value] : response.headers) {
    if (IsSafeHeader(name, value)) fmt::format_to(out, "{}: {}\r\n", name, value);
  }
  head_ += "\r\n";
}

void HttpConnection::OnWritten(beast::error_code ec, bool close) {
  if (state_ == State::kClosed) return;
  if (ec) return Close();
  if (close) return Linger();
  BeginRequest();
}

// Closing a socket with unread input makes the kernel send a reset, which can
// destroy the response before the client reads it. So half-close, then read
// and discard what the client still sends until it closes, for at most
// read_timeout and max_body_bytes.
void HttpConnection::Linger() {
  if (state_ != State::kLingering) {
    state_ = State::kLingering;
    lingered_bytes_ = 0;
    beast::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    if (core_->stopping.load()) return Close();
    stream_.expires_after(core_->options.read_timeout);
  }
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                            if (self->state_ == State::kClosed) return;
                            self->lingered_bytes_ += bytes;
                            if (ec || self->lingered_bytes_ > self->core_->options.max_body_bytes) {
                              return self->Close();
                            }
                            self->Linger();
                          });
}

void HttpConnection::LogAccess(int status, Clock::duration latency, size_t bytes) {
  AccessLogRecord record;
  record.time = std::chrono::system_clock::now();
  record.request_id = request_.request_id();
  record.method = request_.method();
  record.route = route_slot_ == core_->metrics.unmatched_slot()
                     ? kUnmatchedRoute
                     : core_->router.pattern(route_slot_);
  record.status = status;
  record.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  record.bytes = bytes;
  core_->options.access_log(FormatAccessLogLine(record));
}

}  // namespace vigil
