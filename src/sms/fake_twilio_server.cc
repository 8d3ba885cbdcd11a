#include "sms/fake_twilio_server.h"

#include <algorithm>
#include <boost/beast/core.hpp>
#include <cctype>
#include <charconv>
#include <optional>
#include <random>

#include "common/ascii.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "sms/base64.h"
#include "sms/rfc2822_date.h"

namespace vigil {
namespace {

namespace beast = boost::beast;
using Json = nlohmann::json;

// Twilio's error resource, as its API answers failures.
FakeHttpServer::Reply TwilioError(int status, int code, std::string_view message) {
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

FakeTwilioServer::Request ToRequest(const FakeHttpServer::Request& in) {
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

// Twilio's message resource, as its API answers a create or lists it.
Json MessageResource(const FakeTwilioServer::Message& m, const std::string& account_sid) {
  const std::string created = FormatRfc2822Date(m.date_created);
  return {{"sid", m.sid},
          {"account_sid", account_sid},
          {"to", m.to},
          {"from", m.from},
          {"body", m.body},
          {"status", m.status},
          {"direction", "outbound-api"},
          {"api_version", "2010-04-01"},
          {"date_created", created},
          {"date_updated", created},
          {"date_sent", nullptr},  // as for a message still queued
          {"num_segments", "1"},
          {"num_media", "0"},
          {"error_code", nullptr},
          {"error_message", nullptr},
          {"price", nullptr},
          {"price_unit", "USD"},
          {"messaging_service_sid", nullptr},
          {"uri", fmt::format("/2010-04-01/Accounts/{}/Messages/{}.json", account_sid, m.sid)}};
}

// A non-negative integer query parameter, `fallback` when absent, nothing
// when malformed or above `max`.
std::optional<int> IntParam(const FormParams& params, std::string_view name, int fallback,
                            int max) {
  const std::optional<std::string> text = FormValue(params, name);
  if (!text) return fallback;
  int value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 0 || value > max) {
    return std::nullopt;
  }
  return value;
}

bool AnswersAfterwards(FakeTwilioServer::Fault fault) {
  return fault == FakeTwilioServer::Fault::kCreateThenClose ||
         fault == FakeTwilioServer::Fault::kCreateThenNeverAnswer;
}

}  // namespace

std::string FakeTwilioServer::Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

FakeTwilioServer::FakeTwilioServer(std::string account_sid, std::string auth_token, int port)
    : account_sid_(std::move(account_sid)),
      expected_authorization_("Basic " + Base64Encode(account_sid_ + ":" + auth_token)),
      messages_path_(fmt::format("/2010-04-01/Accounts/{}/Messages.json", account_sid_)),
      now_(NowSeconds),
      http_([this](const FakeHttpServer::Request& request) { return Handle(request); }, port) {}

FakeTwilioServer::~FakeTwilioServer() { Stop(); }

void FakeTwilioServer::Stop() { http_.Stop(); }

void FakeTwilioServer::FailNext(Fault fault, int times) {
  absl::MutexLock lock(&mutex_);
  for (int i = 0; i < times; ++i) faults_.push_back(fault);
}

void FakeTwilioServer::set_retry_after(std::string value) {
  absl::MutexLock lock(&mutex_);
  retry_after_ = std::move(value);
}

void FakeTwilioServer::set_deduplicate(bool deduplicate) {
  absl::MutexLock lock(&mutex_);
  deduplicate_ = deduplicate;
}

void FakeTwilioServer::set_clock(std::function<Timestamp()> now) {
  absl::MutexLock lock(&mutex_);
  now_ = std::move(now);
}

std::string FakeTwilioServer::AddMessage(Message message) {
  if (message.sid.empty()) message.sid = NewMessageSid();
  absl::MutexLock lock(&mutex_);
  messages_.push_back(std::move(message));
  return messages_.back().sid;
}

std::vector<FakeTwilioServer::Request> FakeTwilioServer::requests() const {
  absl::MutexLock lock(&mutex_);
  return requests_;
}

std::vector<FakeTwilioServer::Message> FakeTwilioServer::messages() const {
  absl::MutexLock lock(&mutex_);
  return messages_;
}

FakeTwilioServer::Reply FakeTwilioServer::Handle(const FakeHttpServer::Request& http_request) {
  const Request request = ToRequest(http_request);
  absl::MutexLock lock(&mutex_);
  requests_.push_back(request);
  std::optional<Fault> fault;
  if (!faults_.empty()) {
    fault = faults_.front();
    faults_.pop_front();
    if (!AnswersAfterwards(*fault)) return FaultReply(*fault);
  }
  Reply reply = Route(request);
  reply.close_without_answer = fault == Fault::kCreateThenClose;
  reply.never_answer = fault == Fault::kCreateThenNeverAnswer;
  return reply;
}

FakeTwilioServer::Reply FakeTwilioServer::Route(const Request& request) {
  const std::string_view target = request.target;
  if (target.substr(0, target.find('?')) != messages_path_) {
    return TwilioError(404, 20404, "The requested resource was not found");
  }
  if (request.Header("Authorization") != expected_authorization_) {
    return TwilioError(401, 20003, "Authenticate");
  }
  if (request.method == "POST") return CreateMessage(request);
  if (request.method == "GET") return ListMessages(request);
  return TwilioError(405, 20004, "Method not allowed");
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
    case Fault::kCreateThenClose:
    case Fault::kCreateThenNeverAnswer:
      break;  // Handle does the request, then drops the answer
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
  if (const auto seen = by_token_.find(token); deduplicate_ && seen != by_token_.end()) {
    return {201, {}, MessageResource(messages_[seen->second], account_sid_).dump()};
  }
  messages_.push_back({NewMessageSid(), *to, *from, *body,
                       FormValue(request.form, "StatusCallback").value_or(""), now_(), "queued"});
  if (!token.empty()) by_token_.emplace(token, messages_.size() - 1);  // keeps the first
  return {201, {}, MessageResource(messages_.back(), account_sid_).dump()};
}

FakeTwilioServer::Reply FakeTwilioServer::ListMessages(const Request& request) const {
  const size_t question = request.target.find('?');
  const StatusOr<FormParams> query =
      ParseForm(question == std::string::npos ? "" : request.target.substr(question + 1));
  if (!query.ok()) return TwilioError(400, 20001, "Invalid query string");
  const std::optional<std::string> to = FormValue(*query, "To");
  const std::optional<int> page_size = IntParam(*query, "PageSize", 50, 1000);
  const std::optional<int> page = IntParam(*query, "Page", 0, 1 << 20);
  if (!page_size || *page_size == 0 || !page) {
    return TwilioError(400, 20001, "Invalid Page or PageSize");
  }

  // Newest first; of messages created in the same second, the later one.
  std::vector<const Message*> listed;
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
    if (!to || it->to == *to) listed.push_back(&*it);
  }
  std::stable_sort(listed.begin(), listed.end(), [](const Message* a, const Message* b) {
    return a->date_created > b->date_created;
  });
  size_t start = std::min(listed.size(), static_cast<size_t>(*page) * *page_size);
  if (const std::optional<std::string> token = FormValue(*query, "PageToken")) {
    // "PA" and the sid of the previous page's last message: the page goes on
    // after it even when newer messages came in meanwhile.
    const auto after = std::find_if(listed.begin(), listed.end(),
                                    [&](const Message* m) { return "PA" + m->sid == *token; });
    if (after == listed.end()) return TwilioError(400, 20001, "Invalid PageToken");
    start = static_cast<size_t>(after - listed.begin()) + 1;
  }
  const size_t end = std::min(listed.size(), start + static_cast<size_t>(*page_size));

  const auto page_uri = [&](int number, const std::optional<std::string>& token) {
    FormParams params;
    if (to) params.emplace_back("To", *to);
    params.emplace_back("PageSize", std::to_string(*page_size));
    params.emplace_back("Page", std::to_string(number));
    if (token) params.emplace_back("PageToken", *token);
    return messages_path_ + "?" + EncodeForm(params);
  };
  Json messages = Json::array();
  for (size_t i = start; i < end; ++i) {
    messages.push_back(MessageResource(*listed[i], account_sid_));
  }
  const Json list = {
      {"messages", std::move(messages)},
      {"first_page_uri", page_uri(0, std::nullopt)},
      {"next_page_uri",
       end < listed.size() ? Json(page_uri(*page + 1, "PA" + listed[end - 1]->sid)) : Json()},
      {"previous_page_uri", *page > 0 ? Json(page_uri(*page - 1, std::nullopt)) : Json()},
      {"page", *page},
      {"page_size", *page_size},
      {"start", start},
      {"end", end > start ? end - 1 : start},
      {"uri", request.target}};
  return {200, {}, list.dump()};
}

}  // namespace vigil
