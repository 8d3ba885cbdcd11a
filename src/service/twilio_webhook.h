// POST /webhook/twilio: what Twilio sends when a customer texts back, and its
// delivery status callbacks. Requests are authenticated by Twilio's signature
// (X-Twilio-Signature over PUBLIC_BASE_URL + the path and query, with
// TWILIO_AUTH_TOKEN), not by an API key; answers are TwiML.
//
// An inbound message is kept once per MessageSid with its answer (Twilio
// retries a webhook that failed; a retry gets the same answer and changes
// nothing again). STOP and Twilio's other opt-out words set sms_opt_out on the
// accounts of that number, START and UNSTOP clear it (Twilio confirms those
// itself, so the answer is empty). HELP gets the help text. YES and NO settle
// the most recent verification pending for that number (payment_flow.h's
// SettleStep, in the same store transaction as the record of the SMS);
// anything else asks the question again, once; with nothing pending the
// answer says so and nothing changes. Answers are in the account's language.
// Status callbacks (MessageStatus) update the verification SMS.
//
// Thread-safety: Handle may be called from many threads.
#ifndef VIGIL_SERVICE_TWILIO_WEBHOOK_H_
#define VIGIL_SERVICE_TWILIO_WEBHOOK_H_

#include <string>
#include <string_view>

#include "common/time.h"
#include "service/risk_service.h"
#include "store/store.h"

namespace vigil {

struct TwilioWebhookOptions {
  std::string auth_token;       // TWILIO_AUTH_TOKEN; empty: the webhook answers 503
  std::string public_base_url;  // PUBLIC_BASE_URL, e.g. "https://risk.example.in"
};

struct WebhookAnswer {
  int status = 200;
  std::string content_type = "text/xml";
  std::string body;
};

class TwilioWebhook {
 public:
  // `risk` (may be null) learns the outcome of settled payments.
  TwilioWebhook(TwilioWebhookOptions options, Store* store, RiskService* risk = nullptr)
      : options_(std::move(options)), store_(store), risk_(risk) {}

  // `target` is the request's path and query as received; `signature` the
  // X-Twilio-Signature header (empty when absent). 503 when not configured,
  // 400 for a body that is not a form, 403 for a bad signature, 422 naming a
  // missing MessageSid or From, 500 when the store fails.
  WebhookAnswer Handle(std::string_view target, std::string_view body, std::string_view signature,
                       Timestamp now) const;

 private:
  const TwilioWebhookOptions options_;
  Store* const store_;
  RiskService* const risk_;
};

}  // namespace vigil

#endif  // VIGIL_SERVICE_TWILIO_WEBHOOK_H_
