// Fuzzes what the Twilio webhook does with an untrusted form body: ParseForm,
// then, for every value, the reply classifier, phone validation and masking,
// TwiML rendering and the request signature.
//
// Besides never crashing, leaking or tripping UBSan, it checks:
//  - a parsed form, encoded again (every byte escaped, and by EncodeForm),
//    parses to the same pairs; a body without '%' always parses;
//  - MaskPhone keeps the length, shows at most the first 3 and last 4
//    characters, and masks everything else;
//  - an E.164-valid value is '+' and 8 to 15 digits;
//  - surrounding whitespace does not change a reply's classification;
//  - the TwiML message text holds no raw < > " ' and every & starts an entity;
//  - a signature made for the form and URL (the first value) validates, and
//    one for other parameters does not.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fmt/format.h"
#include "sms/form.h"
#include "sms/phone.h"
#include "sms/sms_reply.h"
#include "sms/twilio_signature.h"
#include "sms/twiml.h"

namespace vigil {
namespace {

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "webhook_fuzzer: %.*s\n  %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

std::string EscapeAll(std::string_view text) {
  std::string out;
  for (char c : text) out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  return out;
}

void CheckFormRoundTrip(std::string_view body, const FormParams& params) {
  std::string again;
  for (const auto& [name, value] : params) {
    if (!again.empty()) again += '&';
    again += EscapeAll(name) + "=" + EscapeAll(value);
  }
  const StatusOr<FormParams> reparsed = ParseForm(again);
  // A pair with an empty name and value ("=") encodes to "=", which parses back.
  if (!reparsed.ok() || *reparsed != params) Fail("form does not survive re-encoding", body);
  const StatusOr<FormParams> encoded = ParseForm(EncodeForm(params));
  if (!encoded.ok() || *encoded != params) Fail("form does not survive EncodeForm", body);
}

void CheckMask(std::string_view value) {
  const std::string masked = MaskPhone(value);
  if (masked.size() != value.size()) Fail("MaskPhone changed the length", value);
  for (size_t i = 0; i < masked.size(); ++i) {
    const bool shown = value.size() > 7 && (i < 3 || i >= value.size() - 4);
    if (masked[i] != (shown ? value[i] : '*')) Fail("MaskPhone shows a hidden character", value);
  }
}

void CheckE164(std::string_view value) {
  if (!ValidateE164(value).ok()) return;
  if (value.size() < 9 || value.size() > 16 || value[0] != '+' || value[1] == '0' ||
      value.substr(1).find_first_not_of("0123456789") != std::string_view::npos) {
    Fail("ValidateE164 accepted a non-E.164 value", value);
  }
}

void CheckReply(std::string_view value) {
  if (ClassifySmsReply(value) != ClassifySmsReply(" \t" + std::string(value) + "\r\n")) {
    Fail("surrounding whitespace changed the classification", value);
  }
}

void CheckTwiml(std::string_view value) {
  const std::string twiml = TwimlMessage(value);
  const size_t begin = twiml.find("<Message>") + 9;
  const std::string_view text(twiml.data() + begin, twiml.rfind("</Message>") - begin);
  if (text.find_first_of("<>\"'") != std::string_view::npos) Fail("raw markup in TwiML", value);
  for (size_t at = text.find('&'); at != std::string_view::npos; at = text.find('&', at + 1)) {
    const std::string_view rest = text.substr(at);
    if (!rest.starts_with("&amp;") && !rest.starts_with("&lt;") && !rest.starts_with("&gt;") &&
        !rest.starts_with("&quot;") && !rest.starts_with("&#39;")) {
      Fail("unescaped & in TwiML", value);
    }
  }
}

void CheckSignature(const FormParams& params) {
  const std::string url = params.empty() ? "" : params[0].second;
  const std::string signature = TwilioSignature("token", url, params);
  if (!IsValidTwilioSignature("token", url, params, signature)) {
    Fail("a signature does not validate", url);
  }
  FormParams other = params;
  other.emplace_back("Extra", "1");
  if (IsValidTwilioSignature("token", url, other, signature)) {
    Fail("a signature validates other parameters", url);
  }
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const StatusOr<FormParams> params = ParseForm(body);
  if (!params.ok()) {
    if (body.find('%') == std::string_view::npos) Fail("a body without % failed to parse", body);
    return 0;
  }
  CheckFormRoundTrip(body, *params);
  for (const auto& [name, value] : *params) {
    CheckMask(value);
    CheckE164(value);
    CheckReply(value);
    CheckTwiml(value);
  }
  CheckSignature(*params);
  return 0;
}
