// TwilioClient: an SmsSender that creates messages with Twilio's REST API
// (POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded,
// HTTP basic auth), and finds them again by listing that resource (GET, To
// filter, newest first), by libcurl. Retries with capped exponential backoff
// and full jitter on 429, 5xx, connection failures and timeouts only. Every
// attempt of one Send carries the message's idempotency key (when set) as
// I-Twilio-Idempotency-Token. Twilio documents that header for the webhooks
// it sends, not that its Messages API de-duplicates on it: a retried POST
// after a lost answer may create a second message. So Send does not retry
// when Twilio may have acted on the request (see retry_unsure_sends), and
// callers that must not send twice record that they are sending, and
// reconcile with FindSent.
//
// Thread-safe: Send and FindSent may be called from many threads at once;
// each call uses its own curl handle (its own connections, none kept between
// calls).
#ifndef VIGIL_SMS_TWILIO_CLIENT_H_
#define VIGIL_SMS_TWILIO_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sms/retry_backoff.h"
#include "sms/sms_sender.h"

namespace vigil {

struct TwilioOptions {
  std::string account_sid;  // "AC..."; letters and digits
  std::string auth_token;
  // E.164 number, short code or alphanumeric sender ID; Twilio checks it.
  std::string from_number;
  std::string api_base = "https://api.twilio.com";  // tests point it at a local server
  int max_attempts = 4;                             // including the first
  RetryBackoff backoff;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{10000};  // per attempt
  // Whether Send retries when Twilio may have created the message although
  // the attempt failed: a timeout or a lost connection after the request was
  // sent, or a 5xx answer. Off: Twilio is not documented to de-duplicate by
  // I-Twilio-Idempotency-Token, so such a retry may send the message twice;
  // Send returns the error instead, for the caller to reconcile with
  // FindSent. Failures before any byte was sent and 429 are always retried,
  // and FindSent (a GET) retries every retryable failure.
  bool retry_unsure_sends = false;
  // How the client waits between attempts (std::this_thread::sleep_for when
  // unset); tests record the waits instead of measuring them.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// Options from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and
// TWILIO_API_BASE (optional), other fields at their defaults. Nothing when
// the SID or the token is unset or empty: then the log sender is used.
std::optional<TwilioOptions> TwilioOptionsFromEnvironment();

// The Status payload (type URL) that holds Twilio's error object, as JSON
// ({"code", "message", "more_info", "status"}), on errors Twilio answered.
inline constexpr char kTwilioErrorPayload[] = "type.vigil/twilio.error";

// Twilio's error object carried by `status`, if any.
std::optional<std::string> TwilioErrorObject(const Status& status);

class TwilioClient : public SmsSender {
 public:
  // InvalidArgument when a required option is empty or malformed (the message
  // names it); Internal when libcurl cannot be initialised.
  [[nodiscard]] static StatusOr<std::unique_ptr<TwilioClient>> Create(TwilioOptions options);

  // On 2xx returns Twilio's `sid` and `status` with sender "twilio". Errors
  // (phone numbers masked in messages):
  // - InvalidArgument when `to` is not E.164 (nothing is sent);
  // - for an HTTP error, a code by status (400 InvalidArgument, 401
  //   Unauthenticated, 403 PermissionDenied, 404 NotFound, 429
  //   ResourceExhausted, 5xx Unavailable, other FailedPrecondition) whose
  //   message holds the HTTP status and Twilio's code, message and more_info,
  //   with the error object as kTwilioErrorPayload;
  // - Unavailable when the connection fails, DeadlineExceeded on a timeout;
  // - Internal when a 2xx answer is not a message resource.
  // Retryable failures (429, 5xx, connection failures, timeouts) are retried
  // up to max_attempts in all, except, unless retry_unsure_sends, those after
  // which Twilio may have created the message (a 5xx, or no answer to a sent
  // request): the message then says "not retried". It always says how many
  // attempts were made.
  [[nodiscard]] StatusOr<SentMessage> Send(const OutgoingSms& sms) override;

  // How far before `since` FindSent looks, for the skew between the caller's
  // clock and Twilio's (date_created is Twilio's clock, in whole seconds).
  static constexpr std::chrono::seconds kFindSentClockSkew{300};
  static constexpr int kFindSentPageSize = 50;
  // FindSent reads at most this many pages (1000 messages to one number).
  static constexpr int kFindSentMaxPages = 20;

  // Lists the messages to `sms.to` (GET Messages.json?To=...&PageSize=50,
  // then each next_page_uri, which is relative to api_base) and returns the
  // first, newest first, whose `to` and `body` equal the message's and that
  // was created at or after `since` - kFindSentClockSkew, as a SentMessage
  // with Twilio's sid and current status. It stops at the end of the first
  // page that lists a message created before that, or at the last page. It
  // does not filter on DateSent: a message still queued has no date_sent.
  // Each page is retried on 429, 5xx, connection failures and timeouts, up to
  // max_attempts (a GET changes nothing, so it is always safe). Errors (phone numbers
  // masked): InvalidArgument when `to` is not E.164; the HTTP and transport
  // errors of Send; Internal when an answer is not a message list; OutOfRange
  // when kFindSentMaxPages pages did not reach `since`. On any error nothing
  // is known about the message.
  [[nodiscard]] StatusOr<std::optional<SentMessage>> FindSent(const OutgoingSms& sms,
                                                              Timestamp since) override;

 private:
  explicit TwilioClient(TwilioOptions options);

  const TwilioOptions options_;
  const std::string messages_url_;
};

}  // namespace vigil

#endif  // VIGIL_SMS_TWILIO_CLIENT_H_
