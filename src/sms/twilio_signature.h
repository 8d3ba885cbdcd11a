// Twilio's request signature (the X-Twilio-Signature header on webhooks):
// base64(HMAC-SHA1(auth token, URL + each POST parameter's name then value,
// parameters sorted by name)). See
// https://www.twilio.com/docs/usage/security#validating-requests.
// Pure functions; thread-safe.
#ifndef VIGIL_SMS_TWILIO_SIGNATURE_H_
#define VIGIL_SMS_TWILIO_SIGNATURE_H_

#include <string>
#include <string_view>

#include "sms/form.h"

namespace vigil {

// The signature Twilio would send for a POST of `params` to `url` (the full
// public URL Twilio called, with its query string). Parameters are sorted by
// name, then by value for a repeated name, as Twilio's own validators do.
std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            const FormParams& params);

// True when `signature` is Twilio's signature of the request. The URL is tried
// as given, and also with its default port added (":443" for https, ":80" for
// http) when it has none, or removed when it has it: Twilio signs whichever
// form it called, and its validators accept both. Compared in constant time.
bool IsValidTwilioSignature(std::string_view auth_token, std::string_view url,
                            const FormParams& params, std::string_view signature);

// A webhook request as Twilio would send it (for tests and tools that play
// Twilio): a POST of `params` to `url` (the full public URL, as for
// TwilioSignature), with Content-Type application/x-www-form-urlencoded.
struct SignedTwilioRequest {
  std::string body;       // EncodeForm(params)
  std::string signature;  // the X-Twilio-Signature header's value
};
SignedTwilioRequest SignTwilioRequest(std::string_view auth_token, std::string_view url,
                                      const FormParams& params);

}  // namespace vigil

#endif  // VIGIL_SMS_TWILIO_SIGNATURE_H_
