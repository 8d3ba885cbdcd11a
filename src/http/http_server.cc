#include "http/http_server.h"

#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "common/thread_name.h"
#include "http/http_connection.h"

namespace vigil {

namespace net = boost::asio;
using net::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, Router router, MetricsRegistry* metrics)
      : core_(std::move(options), std::move(router), metrics) {
    for (int i = 0; i < core_.options.io_threads; ++i) {
      threads_.push_back(std::make_unique<IoThread>());
    }
    acceptor_.emplace(threads_[0]->context);
    retry_timer_.emplace(threads_[0]->context);
  }

  ~Impl() {
    Shutdown(std::chrono::milliseconds(0));
    AwaitConnectionObjects();
  }

  Status Listen();
  void Run();
  void Shutdown(std::chrono::milliseconds drain);
  int port() const { return port_; }

 private:
  void Accept();
  void OnAccept(IoThread* io, boost::system::error_code ec, TcpSocket socket);
  void Reject(TcpSocket socket);
  bool AtCapacity();
  void AwaitConnectionObjects();

  ServerCore core_;
  std::vector<std::unique_ptr<IoThread>> threads_;
  std::optional<tcp::acceptor> acceptor_;  // used on threads_[0]
  std::optional<net::steady_timer> retry_timer_;
  size_t next_thread_ = 0;
  int port_ = 0;
  std::once_flag shutdown_once_;
};

Status HttpServer::Impl::Listen() {
  const HttpServerOptions& options = core_.options;
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(options.bind, ec);
  if (ec) return absl::InvalidArgumentError(fmt::format("bad bind address '{}'", options.bind));
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        fmt::format("cannot listen on {}:{}: {}", options.bind, options.port, ec.message()));
  }
  port_ = acceptor_->local_endpoint().port();
  return absl::OkStatus();
}

void HttpServer::Impl::Run() {
  net::post(threads_[0]->context, [this] { Accept(); });
  for (auto& io : threads_) {
    io->thread = std::thread([context = &io->context] {
      NameThisThread("vigil-io");
      context->run();
    });
  }
}

void HttpServer::Impl::Accept() {
  IoThread* io = threads_[next_thread_++ % threads_.size()].get();
  acceptor_->async_accept(io->context, [this, io](boost::system::error_code ec, TcpSocket s) {
    OnAccept(io, ec, std::move(s));
  });
}

void HttpServer::Impl::OnAccept(IoThread* io, boost::system::error_code ec, TcpSocket socket) {
  if (ec == net::error::operation_aborted || core_.stopping.load()) return;
  if (ec) {
    // Out of descriptors or similar: back off briefly instead of spinning.
    retry_timer_->expires_after(std::chrono::milliseconds(20));
    retry_timer_->async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec && !core_.stopping.load()) Accept();
    });
    return;
  }
  if (AtCapacity()) {
    Reject(std::move(socket));
  } else {
    if (core_.metrics.accepted_connections) core_.metrics.accepted_connections->Increment();
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto connection = std::make_shared<HttpConnection>(&core_, io, std::move(socket));
    net::post(io->context, [connection] { connection->Start(); });
  }
  Accept();
}

bool HttpServer::Impl::AtCapacity() {
  absl::MutexLock lock(&core_.mu);
  return core_.open_connections >= core_.options.max_connections;
}

// A best-effort 503 written without blocking, then close.
void HttpServer::Impl::Reject(TcpSocket socket) {
  static const std::string kResponse = [] {
    std::string body = ErrorResponse(503, "unavailable", "too many open connections").body;
    return fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.size(), body);
  }();
  if (core_.metrics.rejected_connections) core_.metrics.rejected_connections->Increment();
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(kResponse.data(), kResponse.size()), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void HttpServer::Impl::Shutdown(std::chrono::milliseconds drain) {
  std::call_once(shutdown_once_, [&] {
    core_.stopping.store(true);
    net::post(threads_[0]->context, [this] {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
      retry_timer_->cancel();
    });
    for (auto& io : threads_) {
      net::post(io->context, [io = io.get()] {
        io->ForEachConnection([](HttpConnection& c) { c.CloseIfIdle(); });
      });
    }
    {
      absl::MutexLock lock(&core_.mu);
      auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(core_.mu) {
        return core_.open_connections == 0;
      };
      core_.mu.AwaitWithTimeout(absl::Condition(&drained), absl::FromChrono(drain));
    }
    for (auto& io : threads_) {
      net::post(io->context,
                [io = io.get()] { io->ForEachConnection([](HttpConnection& c) { c.Close(); }); });
      io->work.reset();
    }
    for (auto& io : threads_) {
      if (io->thread.joinable()) io->thread.join();
    }
  });
}

// After Shutdown the I/O threads are joined with their queues empty, so a
// connection object left is held by a Responder on some other thread. Its
// socket belongs to an io_context, which must outlive it: wait, running
// whatever a late Responder posts (ignored, since the connection is closed).
void HttpServer::Impl::AwaitConnectionObjects() {
  auto gone = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(core_.mu) { return core_.connection_objects == 0; };
  for (;;) {
    for (auto& io : threads_) {
      io->context.restart();
      io->context.poll();
    }
    absl::MutexLock lock(&core_.mu);
    if (core_.mu.AwaitWithTimeout(absl::Condition(&gone), absl::Milliseconds(5))) return;
  }
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, Router router,
                                                        MetricsRegistry* metrics) {
  if (options.io_threads < 1 || options.max_connections < 1 || options.port < 0 ||
      options.port > 65535) {
    return absl::InvalidArgumentError(
        "HttpServerOptions: io_threads and max_connections must be >= 1, port in 0..65535");
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router), metrics);
  RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() = default;

int HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(std::chrono::milliseconds drain) { impl_->Shutdown(drain); }

}  // namespace vigil
