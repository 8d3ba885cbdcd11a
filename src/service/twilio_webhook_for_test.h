// Test-only: calls of POST /webhook/twilio signed as Twilio signs them.
#ifndef VIGIL_SERVICE_TWILIO_WEBHOOK_FOR_TEST_H_
#define VIGIL_SERVICE_TWILIO_WEBHOOK_FOR_TEST_H_

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "fmt/format.h"
#include "http/test_http_client.h"
#include "sms/form.h"
#include "sms/twilio_signature.h"

namespace vigil {

// A Twilio webhook call: the form body, percent-encoded, signed for the
// public URL as Twilio would sign it (unless `signature` is given).
inline TestHttpResponse PostTwilio(
    uint16_t port, const FormParams& params, std::optional<std::string> signature = std::nullopt,
    std::string_view signed_url = "https://risk.example.in/webhook/twilio") {
  std::string body;
  for (const auto& [name, value] : params) {
    if (!body.empty()) body += '&';
    body += name + '=';
    for (unsigned char c : value) {
      if (std::isalnum(c)) {
        body += static_cast<char>(c);
      } else {
        body += fmt::format("%{:02X}", c);
      }
    }
  }
  const std::string sig =
      signature.value_or(TwilioSignature("twilio-test-token", signed_url, params));
  TestHttpClient client(port);
  auto r = client.Request("POST", "/webhook/twilio", body,
                          fmt::format("Content-Type: application/x-www-form-urlencoded\r\n"
                                      "X-Twilio-Signature: {}\r\n",
                                      sig));
  EXPECT_TRUE(r.has_value());
  return r.value_or(TestHttpResponse{});
}

}  // namespace vigil

#endif  // VIGIL_SERVICE_TWILIO_WEBHOOK_FOR_TEST_H_
