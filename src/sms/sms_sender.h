// SmsSender: how Vigil sends a verification SMS. Two implementations: the
// Twilio REST client (twilio_client.h) and, without credentials, a sender that
// only logs (log_sender.h).
//
// Thread-safety: every implementation's Send may be called from many threads
// at once.
#ifndef VIGIL_SMS_SMS_SENDER_H_
#define VIGIL_SMS_SMS_SENDER_H_

#include <optional>
#include <string>

#include "common/status.h"

namespace vigil {

struct OutgoingSms {
  std::string to;  // E.164, e.g. "+919812345678"
  std::string body;
  // Where the provider posts delivery status updates (MessageStatus); none
  // when unset.
  std::optional<std::string> status_callback_url;
  // One key per logical message, the same on every retry of it (after a
  // timeout or a restart): senders pass it to the provider so that a repeat
  // can be recognised. The caller records it before the first attempt.
  std::string idempotency_key;
};

struct SentMessage {
  std::string message_sid;  // the provider's id, e.g. "SM" + 32 hex digits
  std::string status;       // the provider's status, e.g. "queued"; "logged" when not sent
  std::string sender;       // which SmsSender: "twilio" or "log"
};

class SmsSender {
 public:
  virtual ~SmsSender() = default;

  // Hands the message to the provider. Errors: InvalidArgument when `to` is
  // not E.164 or the provider rejects the message (nothing was sent);
  // Unavailable, DeadlineExceeded or ResourceExhausted when the provider could
  // not be reached or kept refusing, in which case the message may or may not
  // have been sent and a retry with the same idempotency key is safe.
  [[nodiscard]] virtual StatusOr<SentMessage> Send(const OutgoingSms& sms) = 0;
};

}  // namespace vigil

#endif  // VIGIL_SMS_SMS_SENDER_H_
