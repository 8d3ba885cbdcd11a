#include "narrate/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

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

template <class Stream>
asio::awaitable<LlmHttpResponse> WriteAndRead(Stream& stream, const Exchange& x) {
  http::request<http::string_body> request = MakeRequest(x);
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  co_return ToResponse(parser.get());
}

asio::awaitable<LlmHttpResponse> PlainExchange(const Exchange& x) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_at(x.deadline);
  co_await stream.async_connect(x.endpoints, asio::use_awaitable);
  co_return co_await WriteAndRead(stream, x);
}

asio::awaitable<LlmHttpResponse> TlsExchange(const Exchange& x, asio::ssl::context& context) {
  beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, context);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), x.url.host.c_str())) {
    throw beast::system_error(
        beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
  }
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(x.url.host));
  beast::get_lowest_layer(stream).expires_at(x.deadline);
  co_await beast::get_lowest_layer(stream).async_connect(x.endpoints, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_return co_await WriteAndRead(stream, x);
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
    if (absl::EqualsIgnoreCase(absl::string_view(key.data(), key.size()),
                               absl::string_view(name.data(), name.size()))) {
      return value;
    }
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
  const Exchange x{endpoints, url, target, headers, body, deadline};
  asio::io_context context;
  std::optional<StatusOr<LlmHttpResponse>> result;
  const std::string host_port = url.host + ":" + url.port;
  auto run = [&]() -> asio::awaitable<void> {
    try {
      if (url.tls) {
        result = co_await TlsExchange(x, impl_->context);
      } else {
        result = co_await PlainExchange(x);
      }
    } catch (const beast::system_error& e) {
      result = ErrorStatus(e.code(), host_port);
    } catch (const std::exception& e) {
      result = absl::InternalError(fmt::format("{}: {}", host_port, e.what()));
    }
  };
  asio::co_spawn(context, run, asio::detached);
  context.run();
  if (!result)
    return absl::InternalError(fmt::format("{}: the exchange did not finish", host_port));
  return *std::move(result);
}

}  // namespace vigil
