// TwilioClient: an SmsSender that creates messages with Twilio's REST API
// (POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded,
// HTTP basic auth), by libcurl. Retries with capped exponential backoff and
// full jitter on 429, 5xx, connection failures and timeouts only. Every
// attempt of one Send carries the message's idempotency key (when set) as
// I-Twilio-Idempotency-Token, so that Twilio can recognise a retry after a
// lost answer. Twilio documents that header for the webhooks it sends; that
// its Messages API de-duplicates on it is assumed, not documented, so callers
// that must not send twice also record the key before sending and reconcile.
//
// Thread-safe: Send may be called from many threads at once; each call uses
// its own curl handle (one connection per Send, none kept between sends).
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
  // Retryable failures are retried up to max_attempts in all; the message then
  // says how many attempts were made.
  [[nodiscard]] StatusOr<SentMessage> Send(const OutgoingSms& sms) override;

 private:
  explicit TwilioClient(TwilioOptions options);

  const TwilioOptions options_;
  const std::string messages_url_;
};

}  // namespace vigil

#endif  // VIGIL_SMS_TWILIO_CLIENT_H_
