#include "narrate/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <thread>

#include "common/ascii.h"

namespace vigil {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kBodyLimit = 1 << 20;

struct Exchange {
  const tcp::resolver::results_type& endpoints;
  const Url& url;
  const std::string& target;
  const HttpHeaders& headers;
  const std::string& body;
  std::chrono::steady_clock::time_point deadline;
  std::string host_port;  // for messages
};

http::request<http::string_body> MakeRequest(const Exchange& x) {
  http::request<http::string_body> request(http::verb::post, x.target, 11);
  request.set(http::field::host, x.url.HostHeader());
  for (const auto& [name, value] : x.headers) request.set(name, value);
  request.body() = x.body;
  request.prepare_payload();
  return request;
}

LlmHttpResponse ToResponse(const http::response<http::string_body>& response) {
  LlmHttpResponse out;
  out.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = response.body();
  return out;
}

Status ErrorStatus(const beast::error_code& ec, std::string_view host_port) {
  const std::string what = fmt::format("{}: {}", host_port, ec.message());
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return absl::DeadlineExceededError(fmt::format("{}: no answer within the budget", host_port));
  }
  if (ec == http::error::body_limit) return absl::InternalError(what);
  if (std::string_view(ec.category().name()) == "beast.http") return absl::InternalError(what);
  return absl::UnavailableError(what);
}

// Runs one asynchronous operation to its end on `context`, which serves
// only this exchange, on the calling thread; returns the operation's error.
// The stream's deadline (tcp_stream::expires_at) bounds each operation.
// Written as a sequence of such steps rather than C++20 coroutines, which
// clang 14 cannot compile with libstdc++ (the sanitizer build uses clang).
template <class Initiate>
beast::error_code RunToEnd(asio::io_context& context, Initiate initiate) {
  beast::error_code result = asio::error::operation_aborted;  // if it never finished
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  context.restart();
  context.run();
  return result;
}

template <class Stream>
StatusOr<LlmHttpResponse> WriteAndRead(asio::io_context& context, Stream& stream,
                                       const Exchange& x) {
  http::request<http::string_body> request = MakeRequest(x);
  beast::error_code ec = RunToEnd(
      context, [&](auto handler) { http::async_write(stream, request, std::move(handler)); });
  if (ec) return ErrorStatus(ec, x.host_port);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  ec = RunToEnd(
      context, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec) return ErrorStatus(ec, x.host_port);
  return ToResponse(parser.get());
}

StatusOr<LlmHttpResponse> PlainExchange(asio::io_context& context, const Exchange& x) {
  beast::tcp_stream stream(context);
  stream.expires_at(x.deadline);
  const beast::error_code ec = RunToEnd(
      context, [&](auto handler) { stream.async_connect(x.endpoints, std::move(handler)); });
  if (ec) return ErrorStatus(ec, x.host_port);
  return WriteAndRead(context, stream, x);
}

StatusOr<LlmHttpResponse> TlsExchange(asio::io_context& context, const Exchange& x,
                                      asio::ssl::context& tls) {
  beast::ssl_stream<beast::tcp_stream> stream(context, tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), x.url.host.c_str())) {
    return ErrorStatus(
        beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
        x.host_port);
  }
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(x.url.host));
  beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
  tcp.expires_at(x.deadline);
  beast::error_code ec =
      RunToEnd(context, [&](auto handler) { tcp.async_connect(x.endpoints, std::move(handler)); });
  if (ec) return ErrorStatus(ec, x.host_port);
  ec = RunToEnd(context, [&](auto handler) {
    stream.async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
  if (ec) return ErrorStatus(ec, x.host_port);
  return WriteAndRead(context, stream, x);
}

}  // namespace

// The TLS context, and a resolver running on its own thread: getaddrinfo
// cannot be cancelled, so a call waits for it only until its deadline and a
// stuck lookup never holds a caller.
struct HttpClient::Impl {
  Impl()
      : work(asio::make_work_guard(resolver_context)), thread([this] { resolver_context.run(); }) {}
  ~Impl() {
    work.reset();
    resolver_context.stop();
    thread.join();
  }

  StatusOr<tcp::resolver::results_type> Resolve(const Url& url,
                                                std::chrono::steady_clock::time_point deadline) {
    beast::error_code ec;
    const asio::ip::address address = asio::ip::make_address(url.host, ec);
    if (!ec) {
      return tcp::resolver::results_type::create(
          tcp::endpoint(address, static_cast<unsigned short>(std::stoi(url.port))), url.host,
          url.port);
    }
    using Result = std::pair<beast::error_code, tcp::resolver::results_type>;
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> future = promise->get_future();
    auto resolver = std::make_shared<tcp::resolver>(resolver_context);
    resolver->async_resolve(
        url.host, url.port,
        [promise, resolver](beast::error_code e, tcp::resolver::results_type r) {
          promise->set_value({e, std::move(r)});
        });
    if (future.wait_until(deadline) != std::future_status::ready) {
      return absl::DeadlineExceededError(
          fmt::format("{}: name resolution did not finish within the budget", url.host));
    }
    Result result = future.get();
    if (result.first) {
      return absl::UnavailableError(
          fmt::format("{}: cannot resolve: {}", url.host, result.first.message()));
    }
    return std::move(result.second);
  }

  asio::ssl::context context{asio::ssl::context::tls_client};
  asio::io_context resolver_context;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
};

std::string LlmHttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create() {
  auto tls = std::make_unique<Impl>();
  beast::error_code ec;
  tls->context.set_default_verify_paths(ec);
  if (ec) {
    return absl::FailedPreconditionError(
        fmt::format("TLS: cannot load the system CA store: {}", ec.message()));
  }
  tls->context.set_verify_mode(asio::ssl::verify_peer);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(tls)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

StatusOr<LlmHttpResponse> HttpClient::Post(const Url& url, const std::string& target,
                                           const HttpHeaders& headers, const std::string& body,
                                           std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ASSIGN_OR_RETURN(const tcp::resolver::results_type endpoints, impl_->Resolve(url, deadline));
  const Exchange x{endpoints, url, target, headers, body, deadline, url.host + ":" + url.port};
  asio::io_context context;
  try {
    return url.tls ? TlsExchange(context, x, impl_->context) : PlainExchange(context, x);
  } catch (const std::exception& e) {  // e.g. no memory for the TLS session
    return absl::InternalError(fmt::format("{}: {}", x.host_port, e.what()));
  }
}

}  // namespace vigil
