// SmsSender: how Vigil sends a verification SMS. Two implementations: the
// Twilio REST client (twilio_client.h) and, without credentials, a sender that
// only logs (log_sender.h).
//
// Sending at most once: the provider is not documented to de-duplicate
// retries, so a caller that must never send a message twice records that it
// is sending before Send, and, when it later finds that record without an
// outcome (a timeout, a crash), asks FindSent whether the provider created
// the message, and sends again only when it did not.
//
// Thread-safety: every implementation's Send and FindSent may be called from
// many threads at once.
#ifndef VIGIL_SMS_SMS_SENDER_H_
#define VIGIL_SMS_SMS_SENDER_H_

#include <optional>
#include <string>

#include "common/status.h"
#include "common/time.h"

namespace vigil {

struct OutgoingSms {
  std::string to;  // E.164, e.g. "+919812345678"
  std::string body;
  // Where the provider posts delivery status updates (MessageStatus); none
  // when unset.
  std::optional<std::string> status_callback_url;
  // One key per logical message, the same on every retry of it (after a
  // timeout or a restart): senders pass it to the provider so that a repeat
  // may be recognised (Twilio does not document that it is; see FindSent).
  // The caller records it before the first attempt.
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
  // have been sent: a plain retry may send it twice (whether the provider
  // honours the idempotency key is not documented); use FindSent first.
  [[nodiscard]] virtual StatusOr<SentMessage> Send(const OutgoingSms& sms) = 0;

  // The message the provider created for `sms` at or after `since`, if any:
  // one to the same `to` with exactly the same `body` (byte for byte), in
  // whatever status it is now (a message that failed to deliver was still
  // created). `status_callback_url` and `idempotency_key` are not compared.
  //
  // Contract with the caller: the body must identify the message, i.e. hold a
  // reference unique to it (say the payment's id and the attempt number), so
  // that no other message to the number has the same body; and `since` is a
  // time, read before the first Send of it, from the caller's clock.
  // Implementations may look somewhat before `since` to allow for the skew
  // between that clock and the provider's (see each implementation).
  //
  // An empty answer means the provider has no such message: sending it now
  // does not send it twice. Errors: InvalidArgument when `to` is not E.164;
  // otherwise the provider could not be asked or gave an answer that could
  // not be read, and nothing is known: do not send, ask again later.
  [[nodiscard]] virtual StatusOr<std::optional<SentMessage>> FindSent(const OutgoingSms& sms,
                                                                      Timestamp since) = 0;
};

}  // namespace vigil

#endif  // VIGIL_SMS_SMS_SENDER_H_
