// TwiML answers to Twilio's inbound-message webhook (served as text/xml): a
// reply message, or an empty response that sends nothing. Pure functions;
// thread-safe.
#ifndef VIGIL_SMS_TWIML_H_
#define VIGIL_SMS_TWIML_H_

#include <string>
#include <string_view>

namespace vigil {

// <?xml ...?><Response><Message>text</Message></Response>, with & < > " '
// escaped. `text` is UTF-8 and passes through as is (Hindi included); control
// characters that XML 1.0 forbids (all below 0x20 but tab, LF and CR) are
// dropped.
std::string TwimlMessage(std::string_view text);

// <?xml ...?><Response/>: Twilio sends no reply.
std::string TwimlEmpty();

}  // namespace vigil

#endif  // VIGIL_SMS_TWIML_H_
