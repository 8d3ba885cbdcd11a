#include "http/fake_http_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>

namespace vigil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One connection: read one request, answer it (or not), close.
struct FakeHttpServer::Session : std::enable_shared_from_this<Session> {
  Session(tcp::socket s, FakeHttpServer& server) : socket(std::move(s)), server(server) {}

  void Start() {
    http::async_read(socket, buffer, request,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Answer();
                     });
  }

  void Close() {
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void Answer() {
    server.requests_.fetch_add(1);
    const Reply reply = server.handler_(request);
    if (reply.close_without_answer) {
      Close();
      return;
    }
    if (reply.never_answer) {
      // Wait for the client to give up: the read ends when it closes.
      socket.async_read_some(asio::buffer(scratch),
                             [self = shared_from_this()](beast::error_code, size_t) {});
      return;
    }
    response.result(static_cast<unsigned>(reply.status));
    response.version(11);
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.set(http::field::content_type, reply.content_type);
    response.body() = reply.body;
    response.keep_alive(false);
    response.prepare_payload();
    http::async_write(socket, response, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->socket.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  tcp::socket socket;
  FakeHttpServer& server;
  beast::flat_buffer buffer;
  Request request;
  http::response<http::string_body> response;
  char scratch[256];
};

FakeHttpServer::FakeHttpServer(Handler handler, int port)
    : handler_(std::move(handler)),
      // SO_REUSEADDR (asio's default here) lets a new server take the port
      // of a stopped one while its connections are in TIME_WAIT.
      acceptor_(context_,
                tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port))) {
  port_ = acceptor_.local_endpoint().port();
  Accept();
  absl::MutexLock lock(&stop_mutex_);
  thread_ = std::thread([this] { context_.run(); });
}

FakeHttpServer::~FakeHttpServer() { Stop(); }

void FakeHttpServer::Stop() {
  absl::MutexLock lock(&stop_mutex_);
  if (!thread_.joinable()) return;
  context_.stop();
  thread_.join();
  // The server's thread has ended: its sockets can be closed from here. The
  // handlers still pending are destroyed, without running, with context_.
  beast::error_code ignored;
  acceptor_.close(ignored);
  for (const std::weak_ptr<Session>& weak : sessions_) {
    if (const std::shared_ptr<Session> session = weak.lock()) session->Close();
  }
  sessions_.clear();
}

void FakeHttpServer::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    const auto session = std::make_shared<Session>(std::move(socket), *this);
    sessions_.push_back(session);
    session->Start();
    Accept();
  });
}

int FakeHttpServer::UnusedPort() {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace vigil
