// LogSender: the SmsSender used without Twilio credentials, so that a demo
// works offline. It sends nothing: each message becomes one line, clearly
// marked as not sent, with the phone number masked, written to a sink
// (stderr by default). Thread-safe: lines from concurrent sends never
// interleave.
#ifndef VIGIL_SMS_LOG_SENDER_H_
#define VIGIL_SMS_LOG_SENDER_H_

#include <functional>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sms/sms_sender.h"

namespace vigil {

class LogSender : public SmsSender {
 public:
  using Sink = std::function<void(std::string_view line)>;

  // `sink` receives each line without a trailing newline; by default the line
  // goes to stderr. The sink is called under a lock, one line at a time.
  explicit LogSender(Sink sink = nullptr);

  // Returns a message with sid "LOG" + 32 hex digits, status "logged" and
  // sender "log". The sid is derived from the idempotency key when there is
  // one, so a repeated send reports the same sid (random otherwise).
  // InvalidArgument when `to` is not E.164.
  [[nodiscard]] StatusOr<SentMessage> Send(const OutgoingSms& sms) override;

  // Always empty (InvalidArgument when `to` is not E.164): this sender
  // delivers nothing, so there is never a message that a second Send would
  // duplicate. A caller that reconciles after a crash "sends" again, which
  // writes one more line, with the same sid when the idempotency key is the
  // same. Nothing is remembered between calls or processes.
  [[nodiscard]] StatusOr<std::optional<SentMessage>> FindSent(const OutgoingSms& sms,
                                                              Timestamp since) override;

 private:
  absl::Mutex mutex_;
  Sink sink_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace vigil

#endif  // VIGIL_SMS_LOG_SENDER_H_
