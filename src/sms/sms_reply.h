// What a customer's SMS reply means: a confirmation or denial of a payment,
// one of Twilio's opt-out or opt-in keywords, a request for help, or none of
// these. Pure function; thread-safe.
#ifndef VIGIL_SMS_SMS_REPLY_H_
#define VIGIL_SMS_SMS_REPLY_H_

#include <string_view>

namespace vigil {

enum class SmsReplyKind {
  kConfirm,  // YES, Y, 1, हाँ (or हां)
  kDeny,     // NO, N, 2, नहीं
  kOptOut,   // Twilio's opt-out keywords: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT
  kOptIn,    // START, UNSTOP
  kHelp,     // HELP, INFO
  kUnknown,  // anything else
};

// Classifies a whole message body. ASCII letters match in any case and
// surrounding whitespace is ignored; the message must be exactly one keyword
// ("YES" confirms, "YES it was me" is kUnknown), as Twilio matches its own
// keywords.
SmsReplyKind ClassifySmsReply(std::string_view body);

// "confirm", "deny", "opt_out", "opt_in", "help", "unknown".
std::string_view SmsReplyKindName(SmsReplyKind kind);

}  // namespace vigil

#endif  // VIGIL_SMS_SMS_REPLY_H_
