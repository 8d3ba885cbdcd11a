#include "sms/fake_twilio_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <random>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "sms/base64.h"

namespace vigil {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Twilio's error resource, as its API answers failures.
FakeTwilioServer::Reply TwilioError(int status, int code, std::string_view message) {
  const Json error = {{"code", code},
                      {"message", message},
                      {"more_info", fmt::format("https://www.twilio.com/docs/errors/{}", code)},
                      {"status", status}};
  return {status, {}, error.dump()};
}

std::string NewMessageSid() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("SM{:016x}{:016x}", random(), random());
}

FakeTwilioServer::Request ToRequest(const http::request<http::string_body>& in) {
  FakeTwilioServer::Request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = in.body();
  if (StatusOr<FormParams> form = ParseForm(out.body); form.ok()) out.form = *std::move(form);
  return out;
}

// One connection: read one request, answer it (or not), close.
struct Session : std::enable_shared_from_this<Session> {
  Session(tcp::socket s, FakeTwilioServer& server) : socket(std::move(s)), server(server) {}

  void Start() {
    http::async_read(socket, buffer, request,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Answer();
                     });
  }

  void Answer() {
    const FakeTwilioServer::Reply reply = server.Handle(ToRequest(request));
    if (reply.close_without_answer) {
      beast::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
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
  FakeTwilioServer& server;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  char scratch[256];
};

}  // namespace

std::string FakeTwilioServer::Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoringCase(n, name)) return v;
  }
  return "";
}

FakeTwilioServer::FakeTwilioServer(std::string account_sid, std::string auth_token)
    : account_sid_(std::move(account_sid)),
      expected_authorization_("Basic " + Base64Encode(account_sid_ + ":" + auth_token)),
      messages_path_(fmt::format("/2010-04-01/Accounts/{}/Messages.json", account_sid_)),
      acceptor_(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  Accept();
  thread_ = std::thread([this] { context_.run(); });
}

FakeTwilioServer::~FakeTwilioServer() {
  context_.stop();
  thread_.join();
}

void FakeTwilioServer::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(std::move(socket), *this)->Start();
    Accept();
  });
}

void FakeTwilioServer::FailNext(Fault fault, int times) {
  absl::MutexLock lock(&mutex_);
  for (int i = 0; i < times; ++i) faults_.push_back(fault);
}

void FakeTwilioServer::set_retry_after(std::string value) {
  absl::MutexLock lock(&mutex_);
  retry_after_ = std::move(value);
}

std::vector<FakeTwilioServer::Request> FakeTwilioServer::requests() const {
  absl::MutexLock lock(&mutex_);
  return requests_;
}

std::vector<FakeTwilioServer::Message> FakeTwilioServer::messages() const {
  absl::MutexLock lock(&mutex_);
  return messages_;
}

FakeTwilioServer::Reply FakeTwilioServer::Handle(Request request) {
  absl::MutexLock lock(&mutex_);
  requests_.push_back(request);
  if (!faults_.empty()) {
    const Fault fault = faults_.front();
    faults_.pop_front();
    return FaultReply(fault);
  }
  if (request.method != "POST" || request.target != messages_path_) {
    return TwilioError(404, 20404, "The requested resource was not found");
  }
  if (request.Header("Authorization") != expected_authorization_) {
    return TwilioError(401, 20003, "Authenticate");
  }
  return CreateMessage(request);
}

FakeTwilioServer::Reply FakeTwilioServer::FaultReply(Fault fault) const {
  switch (fault) {
    case Fault::kTooManyRequests: {
      Reply reply = TwilioError(429, 20429, "Too Many Requests");
      if (!retry_after_.empty()) reply.headers.emplace_back("Retry-After", retry_after_);
      return reply;
    }
    case Fault::kServerError:
      return TwilioError(500, 20500, "Internal Server Error");
    case Fault::kInvalidNumber:
      return TwilioError(400, 21211, "The 'To' number is not a valid phone number.");
    case Fault::kCloseConnection:
      return {.close_without_answer = true};
    case Fault::kNeverAnswer:
      return {.never_answer = true};
  }
  return TwilioError(500, 20500, "Internal Server Error");
}

FakeTwilioServer::Reply FakeTwilioServer::CreateMessage(const Request& request) {
  const std::optional<std::string> to = FormValue(request.form, "To");
  const std::optional<std::string> from = FormValue(request.form, "From");
  const std::optional<std::string> body = FormValue(request.form, "Body");
  if (!to || to->empty()) return TwilioError(400, 21604, "A 'To' phone number is required.");
  if (!from || from->empty()) return TwilioError(400, 21603, "A 'From' phone number is required.");
  if (!body || body->empty()) return TwilioError(400, 21602, "Message body is required.");

  const std::string token = request.Header("I-Twilio-Idempotency-Token");
  const auto seen = token.empty() ? by_token_.end() : by_token_.find(token);
  if (seen == by_token_.end()) {
    messages_.push_back({NewMessageSid(), *to, *from, *body,
                         FormValue(request.form, "StatusCallback").value_or("")});
    if (!token.empty()) by_token_[token] = messages_.size() - 1;
  }
  const Message& m = seen == by_token_.end() ? messages_.back() : messages_[seen->second];
  const Json resource = {
      {"sid", m.sid},
      {"account_sid", account_sid_},
      {"to", m.to},
      {"from", m.from},
      {"body", m.body},
      {"status", "queued"},
      {"direction", "outbound-api"},
      {"api_version", "2010-04-01"},
      {"num_segments", "1"},
      {"error_code", nullptr},
      {"error_message", nullptr},
      {"uri", fmt::format("/2010-04-01/Accounts/{}/Messages/{}.json", account_sid_, m.sid)}};
  return {201, {}, resource.dump()};
}

int FakeTwilioServer::UnusedPort() {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace vigil
