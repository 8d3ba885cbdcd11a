#include "narrate/fake_llm_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <memory>

namespace vigil {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One connection: read one request, answer it (or not), close.
struct Session : std::enable_shared_from_this<Session> {
  Session(tcp::socket s, const FakeLlmServer::Handler& h, std::atomic<int>& count)
      : socket(std::move(s)), handler(h), requests(count) {}

  void Start() {
    http::async_read(socket, buffer, request,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Answer();
                     });
  }

  void Answer() {
    requests.fetch_add(1);
    const FakeLlmServer::Reply reply = handler(request);
    if (reply.never_answer) {
      // Wait for the client to give up: the read ends when it closes.
      socket.async_read_some(asio::buffer(scratch),
                             [self = shared_from_this()](beast::error_code, size_t) {});
      return;
    }
    response.result(static_cast<unsigned>(reply.status));
    response.version(11);
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.set(http::field::content_type, "application/json");
    response.body() = reply.body;
    response.keep_alive(false);
    response.prepare_payload();
    http::async_write(socket, response, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->socket.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  tcp::socket socket;
  const FakeLlmServer::Handler& handler;
  std::atomic<int>& requests;
  beast::flat_buffer buffer;
  FakeLlmServer::Request request;
  http::response<http::string_body> response;
  char scratch[256];
};

}  // namespace

FakeLlmServer::FakeLlmServer(Handler handler)
    : handler_(std::move(handler)),
      acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  Accept();
  thread_ = std::thread([this] { context_.run(); });
}

FakeLlmServer::~FakeLlmServer() {
  context_.stop();
  thread_.join();
}

void FakeLlmServer::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(std::move(socket), handler_, requests_)->Start();
    Accept();
  });
}

int FakeLlmServer::UnusedPort() {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace vigil
