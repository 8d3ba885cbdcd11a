#include "sms/twilio_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "common/ascii.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "sms/phone.h"
#include "sms/twilio_message_page.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using Json = nlohmann::json;

struct CurlEasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

constexpr size_t kMaxAnswerBytes = 1 << 20;
constexpr size_t kMaxBodyExcerpt = 200;

// curl_global_init is not thread-safe and must run once before any handle:
// a function-local static runs it once, under the compiler's guard.
Status InitCurlOnce() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    return absl::InternalError(
        fmt::format("curl_global_init failed: {}", curl_easy_strerror(code)));
  }
  return absl::OkStatus();
}

// What one HTTP exchange brought back.
struct HttpAnswer {
  long status = 0;
  std::string body;
  std::optional<milliseconds> retry_after;
};

// The outcome of one attempt (a 2xx answer, or why not), and whether another
// may succeed.
struct Attempt {
  StatusOr<HttpAnswer> answer;
  bool retryable = false;
  std::optional<milliseconds> retry_after;
  // Whether Twilio may have acted on the request although it failed: the
  // request was sent and no answer came, or a 5xx did. Not after a 429, nor
  // when no byte of the request was sent.
  bool maybe_processed = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (body->size() + bytes > kMaxAnswerBytes) return 0;  // curl then fails with CURLE_WRITE_ERROR
  body->append(data, bytes);
  return bytes;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kRetryAfter = "retry-after:";
  if (line.starts_with("HTTP/")) {
    answer->retry_after.reset();  // a new response (after a 100 Continue, say)
  } else if (StartsWithIgnoreCase(line, kRetryAfter)) {
    answer->retry_after = ParseRetryAfter(line.substr(kRetryAfter.size()));
  }
  return size * count;
}

std::string Escape(CURL* curl, std::string_view text) {
  const std::unique_ptr<char, CurlStringDeleter> escaped(
      curl_easy_escape(curl, text.data(), static_cast<int>(text.size())));
  return escaped ? std::string(escaped.get()) : std::string();
}

std::string FormBody(CURL* curl, const OutgoingSms& sms, const std::string& from) {
  std::string body = fmt::format("To={}&From={}&Body={}", Escape(curl, sms.to), Escape(curl, from),
                                 Escape(curl, sms.body));
  if (sms.status_callback_url) body += "&StatusCallback=" + Escape(curl, *sms.status_callback_url);
  return body;
}

// A JSON member as text: strings as they are, other values as JSON, "" when absent.
std::string Member(const Json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

absl::StatusCode CodeForHttpStatus(long status) {
  if (status == 400) return absl::StatusCode::kInvalidArgument;
  if (status == 401) return absl::StatusCode::kUnauthenticated;
  if (status == 403) return absl::StatusCode::kPermissionDenied;
  if (status == 404) return absl::StatusCode::kNotFound;
  if (status == 429) return absl::StatusCode::kResourceExhausted;
  if (status >= 500) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kFailedPrecondition;
}

// An HTTP error as a Status: Twilio's error object in the message and as the
// payload when the body has one, else an excerpt of the body.
Status HttpError(const HttpAnswer& answer) {
  const Json error = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!error.is_object() || !error.contains("code")) {
    return Status(CodeForHttpStatus(answer.status),
                  fmt::format("Twilio answered HTTP {}: {}", answer.status,
                              answer.body.substr(0, kMaxBodyExcerpt)));
  }
  Status status(
      CodeForHttpStatus(answer.status),
      fmt::format("Twilio answered HTTP {} with error {}: {} (more info: {})", answer.status,
                  Member(error, "code"), Member(error, "message"), Member(error, "more_info")));
  status.SetPayload(kTwilioErrorPayload, absl::Cord(error.dump()));
  return status;
}

StatusOr<SentMessage> MessageFromAnswer(const HttpAnswer& answer) {
  const Json message = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object() || !message.contains("sid") || !message["sid"].is_string() ||
      !message.contains("status") || !message["status"].is_string()) {
    return absl::InternalError(
        fmt::format("Twilio answered HTTP {} without a message resource (sid, status): {}",
                    answer.status, answer.body.substr(0, kMaxBodyExcerpt)));
  }
  return SentMessage{message["sid"].get<std::string>(), message["status"].get<std::string>(),
                     "twilio"};
}

Attempt FromAnswer(HttpAnswer answer) {
  if (answer.status >= 200 && answer.status < 300) return {std::move(answer)};
  const bool retryable = answer.status == 429 || answer.status >= 500;
  return {HttpError(answer), retryable, answer.status == 429 ? answer.retry_after : std::nullopt,
          answer.status >= 500};
}

// A failure below HTTP. `request_sent` says whether any of the request left:
// if it did, Twilio may have acted on it (see Attempt::maybe_processed).
Attempt FromTransportFailure(CURLcode code, const char* detail, bool request_sent) {
  const std::string why =
      fmt::format("{}{}{}", curl_easy_strerror(code), *detail ? ": " : "", detail);
  const std::string_view unreachable =
      request_sent ? "no answer from Twilio after the request was sent: " : "cannot reach Twilio: ";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return {absl::DeadlineExceededError("Twilio did not answer in time: " + why), true,
              std::nullopt, request_sent};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return {absl::UnavailableError(std::string(unreachable) + why), true, std::nullopt,
              request_sent};
    case CURLE_WRITE_ERROR:
      return {absl::InternalError("Twilio's answer is larger than 1 MiB")};
    default:  // TLS verification, bad URL and the like: trying again will not help
      return {absl::UnavailableError("cannot reach Twilio: " + why)};
  }
}

StatusOr<CurlList> RequestHeaders(const std::string& idempotency_key) {
  // "Expect:" stops curl from waiting for a 100 Continue before the body.
  std::vector<std::string> lines = {"Expect:", "Accept: application/json"};
  if (!idempotency_key.empty()) lines.push_back("I-Twilio-Idempotency-Token: " + idempotency_key);
  CurlList list;
  for (const std::string& line : lines) {
    curl_slist* longer = curl_slist_append(list.get(), line.c_str());
    if (longer == nullptr) return absl::InternalError("curl_slist_append failed");
    if (!list) list.reset(longer);  // later appends keep the head and return it
  }
  return list;
}

Status SetUpFailed(CURLcode code) {
  return absl::InternalError(fmt::format("curl_easy_setopt failed: {}", curl_easy_strerror(code)));
}

// What every request needs but its URL, method and per-attempt buffers (see
// Perform). `headers` must outlive the handle's use.
Status SetUpRequest(CURL* curl, const TwilioOptions& options, curl_slist* headers) {
  CURLcode set = CURLE_OK;
  const auto option = [&](CURLoption name, auto value) {
    if (set == CURLE_OK) set = curl_easy_setopt(curl, name, value);
  };
  option(CURLOPT_PROTOCOLS_STR, "http,https");
  option(CURLOPT_NOSIGNAL, 1L);  // curl's resolver timeouts must not raise signals in threads
  option(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  option(CURLOPT_USERNAME, options.account_sid.c_str());
  option(CURLOPT_PASSWORD, options.auth_token.c_str());
  option(CURLOPT_HTTPHEADER, headers);
  option(CURLOPT_USERAGENT, "vigil-sms");
  option(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  option(CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  option(CURLOPT_WRITEFUNCTION, &AppendBody);
  option(CURLOPT_HEADERFUNCTION, &ReadHeader);
  return set == CURLE_OK ? absl::OkStatus() : SetUpFailed(set);
}

Status SetUpMessagePost(CURL* curl, const std::string& url, const TwilioOptions& options,
                        const OutgoingSms& sms) {
  CURLcode set = curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (set == CURLE_OK) {
    set = curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS,
                           FormBody(curl, sms, options.from_number).c_str());
  }
  return set == CURLE_OK ? absl::OkStatus() : SetUpFailed(set);
}

Status SetUpGet(CURL* curl, const std::string& url) {
  CURLcode set = curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  if (set == CURLE_OK) set = curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  return set == CURLE_OK ? absl::OkStatus() : SetUpFailed(set);
}

Attempt Perform(CURL* curl) {
  HttpAnswer answer;
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) {
    // The bytes of request headers curl issued in this transfer (reset by
    // each perform); none when it never got to send, e.g. could not connect.
    long request_bytes = 1;
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_bytes);
    return FromTransportFailure(code, detail, request_bytes > 0);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  return FromAnswer(std::move(answer));
}

struct Outcome {
  StatusOr<HttpAnswer> answer;
  int attempts = 0;
  // The last attempt failed in a way worth retrying, but was not retried
  // because Twilio may have acted on it.
  bool stopped_unsure = false;
};

// Performs the request set up on `curl` until it brings a 2xx answer, fails
// for good, has been tried max_attempts times, or (unless `retry_unsure`)
// fails in a way that Twilio may have acted on.
Outcome PerformWithRetries(CURL* curl, const TwilioOptions& options, bool retry_unsure) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    Attempt a = Perform(curl);
    const bool unsure = a.retryable && a.maybe_processed && !retry_unsure;
    if (a.answer.ok() || !a.retryable || unsure || attempt >= options.max_attempts) {
      return {std::move(a.answer), attempt, unsure && attempt < options.max_attempts};
    }
    options.sleep(RetryDelay(options.backoff, attempt, a.retry_after, random));
  }
}

std::string Tries(int attempts) {
  return fmt::format("{} attempt{}", attempts, attempts == 1 ? "" : "s");
}

// The final error: `context` (what failed, for the number masked, after how
// many attempts), then the error. Never holds the full number, which
// Twilio's messages may quote.
Status Final(const Status& error, std::string_view context, const std::string& to) {
  const std::string masked = MaskPhone(to);
  Status out(error.code(),
             absl::StrReplaceAll(fmt::format("{}: {}", context, error.message()), {{to, masked}}));
  error.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, absl::Cord(absl::StrReplaceAll(std::string(payload), {{to, masked}})));
  });
  return out;
}

Status ValidateOptions(const TwilioOptions& o) {
  if (o.account_sid.empty() || !std::all_of(o.account_sid.begin(), o.account_sid.end(),
                                            [](unsigned char c) { return std::isalnum(c); })) {
    return absl::InvalidArgumentError("Twilio account SID must be non-empty letters and digits");
  }
  if (o.auth_token.empty()) return absl::InvalidArgumentError("Twilio auth token is empty");
  if (o.from_number.empty()) return absl::InvalidArgumentError("Twilio from number is empty");
  if (!o.api_base.starts_with("https://") && !o.api_base.starts_with("http://")) {
    return absl::InvalidArgumentError(
        fmt::format("Twilio API base must start with https:// or http://: '{}'", o.api_base));
  }
  if (o.max_attempts < 1) return absl::InvalidArgumentError("max_attempts must be at least 1");
  if (o.connect_timeout <= milliseconds(0) || o.total_timeout <= milliseconds(0)) {
    return absl::InvalidArgumentError("Twilio timeouts must be positive");
  }
  return absl::OkStatus();
}

std::optional<std::string> Environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return value;
}

}  // namespace

std::optional<TwilioOptions> TwilioOptionsFromEnvironment() {
  const std::optional<std::string> sid = Environment("TWILIO_ACCOUNT_SID");
  const std::optional<std::string> token = Environment("TWILIO_AUTH_TOKEN");
  if (!sid || !token) return std::nullopt;
  TwilioOptions options;
  options.account_sid = *sid;
  options.auth_token = *token;
  options.from_number = Environment("TWILIO_FROM_NUMBER").value_or("");
  if (std::optional<std::string> base = Environment("TWILIO_API_BASE")) options.api_base = *base;
  return options;
}

std::optional<std::string> TwilioErrorObject(const Status& status) {
  const auto payload = status.GetPayload(kTwilioErrorPayload);  // absl::optional
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

StatusOr<std::unique_ptr<TwilioClient>> TwilioClient::Create(TwilioOptions options) {
  RETURN_IF_ERROR(InitCurlOnce());
  RETURN_IF_ERROR(ValidateOptions(options));
  while (options.api_base.ends_with('/')) options.api_base.pop_back();
  if (!options.sleep) options.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  return std::unique_ptr<TwilioClient>(new TwilioClient(std::move(options)));
}

TwilioClient::TwilioClient(TwilioOptions options)
    : options_(std::move(options)),
      messages_url_(fmt::format("{}/2010-04-01/Accounts/{}/Messages.json", options_.api_base,
                                options_.account_sid)) {}

StatusOr<SentMessage> TwilioClient::Send(const OutgoingSms& sms) {
  RETURN_IF_ERROR(ValidateE164(sms.to));
  const CurlEasy curl(curl_easy_init());
  if (!curl) return absl::InternalError("curl_easy_init failed");
  ASSIGN_OR_RETURN(const CurlList headers, RequestHeaders(sms.idempotency_key));
  RETURN_IF_ERROR(SetUpRequest(curl.get(), options_, headers.get()));
  RETURN_IF_ERROR(SetUpMessagePost(curl.get(), messages_url_, options_, sms));

  const Outcome out = PerformWithRetries(curl.get(), options_, options_.retry_unsure_sends);
  StatusOr<SentMessage> sent =
      out.answer.ok() ? MessageFromAnswer(*out.answer) : out.answer.status();
  if (!sent.ok()) {
    return Final(
        sent.status(),
        fmt::format("sending SMS to {} failed after {}{}", MaskPhone(sms.to), Tries(out.attempts),
                    out.stopped_unsure ? " (not retried: Twilio may have created the "
                                         "message; see FindSent)"
                                       : ""),
        sms.to);
  }
  return sent;
}

StatusOr<std::optional<SentMessage>> TwilioClient::FindSent(const OutgoingSms& sms,
                                                            Timestamp since) {
  RETURN_IF_ERROR(ValidateE164(sms.to));
  const CurlEasy curl(curl_easy_init());
  if (!curl) return absl::InternalError("curl_easy_init failed");
  ASSIGN_OR_RETURN(const CurlList headers, RequestHeaders(""));
  RETURN_IF_ERROR(SetUpRequest(curl.get(), options_, headers.get()));

  const Timestamp oldest = since - kFindSentClockSkew.count();
  std::string url = fmt::format("{}?To={}&PageSize={}", messages_url_, Escape(curl.get(), sms.to),
                                kFindSentPageSize);
  for (int page = 1; page <= kFindSentMaxPages; ++page) {
    RETURN_IF_ERROR(SetUpGet(curl.get(), url));
    const Outcome out = PerformWithRetries(curl.get(), options_, /*retry_unsure=*/true);
    StatusOr<TwilioMessagePage> listed =
        out.answer.ok() ? ParseTwilioMessagePage(out.answer->body) : out.answer.status();
    if (!listed.ok()) {
      return Final(listed.status(),
                   fmt::format("listing page {} of the SMS sent to {} failed after {}", page,
                               MaskPhone(sms.to), Tries(out.attempts)),
                   sms.to);
    }
    // Twilio lists newest first, so the first page that reaches older
    // messages is the last one needed; all of it is still read, in case the
    // order is not strict within a page. A message without a readable date
    // counts as recent: it may be ours, and it must not end the search.
    bool reached_older = false;
    for (const ListedMessage& m : listed->messages) {
      const bool older = m.date_created.has_value() && *m.date_created < oldest;
      reached_older = reached_older || older;
      if (!older && m.to == sms.to && m.body == sms.body) {
        return SentMessage{m.sid, m.status, "twilio"};
      }
    }
    if (reached_older || !listed->next_page_uri) return std::nullopt;
    url = options_.api_base + *listed->next_page_uri;
  }
  return absl::OutOfRangeError(fmt::format(
      "looking for the SMS sent to {}: more than {} pages of {} messages since {}, "
      "not all of them read",
      MaskPhone(sms.to), kFindSentMaxPages, kFindSentPageSize, FormatTimestamp(oldest)));
}

}  // namespace vigil
