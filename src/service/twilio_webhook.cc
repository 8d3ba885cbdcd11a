#include "service/twilio_webhook.h"

#include "common/json_writer.h"
#include "sms/form.h"
#include "sms/sms_reply.h"
#include "sms/twilio_signature.h"
#include "sms/twiml.h"

namespace vigil {
namespace {

struct SmsTexts {
  std::string_view help;
  std::string_view nothing_pending;
};

// The webhook's own answers, by account language.
const SmsTexts& TextsFor(std::string_view language) {
  static const SmsTexts kEnglish{
      .help =
          "Payment checks: reply YES if you made the payment, NO if you did not. "
          "Reply STOP to stop these messages.",
      .nothing_pending = "No payment is waiting for your reply. Thank you."};
  static const SmsTexts kHindi{
      .help =
          "भुगतान जाँच: अगर भुगतान आपने किया है तो YES भेजें, नहीं किया तो NO। "
          "ये संदेश बंद करने के लिए STOP भेजें।",
      .nothing_pending = "आपके जवाब के लिए कोई भुगतान प्रतीक्षा में नहीं है। धन्यवाद।"};
  return language == "hi" ? kHindi : kEnglish;
}

WebhookAnswer Error(int status, std::string_view code, std::string_view message,
                    std::string_view field = {}) {
  JsonWriter w;
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Field("code", code);
  w.Field("message", message);
  if (!field.empty()) w.Field("field", field);
  w.EndObject();
  w.EndObject();
  return WebhookAnswer{.status = status, .content_type = "application/json", .body = w.Release()};
}

}  // namespace

WebhookAnswer TwilioWebhook::Handle(std::string_view target, std::string_view body,
                                    std::string_view signature, Timestamp now) const {
  if (options_.auth_token.empty() || options_.public_base_url.empty()) {
    return Error(503, "unavailable",
                 "the Twilio webhook is not configured: set TWILIO_AUTH_TOKEN and "
                 "PUBLIC_BASE_URL");
  }
  auto params = ParseForm(body);
  if (!params.ok()) return Error(400, "invalid_argument", std::string(params.status().message()));
  std::string_view base = options_.public_base_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  const std::string url = std::string(base) + std::string(target);
  if (signature.empty() || !IsValidTwilioSignature(options_.auth_token, url, *params, signature)) {
    return Error(403, "permission_denied",
                 "X-Twilio-Signature does not match this request (check TWILIO_AUTH_TOKEN and "
                 "that PUBLIC_BASE_URL is the address Twilio calls)");
  }
  const auto sid = FormValue(*params, "MessageSid");
  if (!sid.has_value() || sid->empty()) {
    return Error(422, "invalid_field", "MessageSid is required", "MessageSid");
  }
  const auto body_text = FormValue(*params, "Body");
  if (!body_text.has_value() && FormValue(*params, "MessageStatus").has_value()) {
    // A delivery status callback: acknowledged (outbound messages are not
    // recorded yet).
    return WebhookAnswer{.body = TwimlEmpty()};
  }
  const auto from = FormValue(*params, "From");
  if (!from.has_value() || from->empty()) {
    return Error(422, "invalid_field", "From is required", "From");
  }

  auto accounts = store_->AccountsByPhone(*from);
  if (!accounts.ok()) return Error(500, "internal", std::string(accounts.status().message()));
  const SmsTexts& texts = TextsFor(accounts->empty() ? "en" : accounts->front().language);
  InboundSmsRecord sms{.message_sid = *sid,
                       .from_phone = *from,
                       .body = body_text.value_or(""),
                       .received_at = now,
                       .outcome = {},
                       .answer = {}};
  std::optional<bool> opt_out;
  switch (ClassifySmsReply(sms.body)) {
    case SmsReplyKind::kOptOut:
      opt_out = true;
      sms.outcome = "opt_out";
      sms.answer = TwimlEmpty();  // Twilio confirms opt-outs itself
      break;
    case SmsReplyKind::kOptIn:
      opt_out = false;
      sms.outcome = "opt_in";
      sms.answer = TwimlEmpty();
      break;
    case SmsReplyKind::kHelp:
      sms.outcome = "help";
      sms.answer = TwimlMessage(texts.help);
      break;
    case SmsReplyKind::kConfirm:
    case SmsReplyKind::kDeny:
    case SmsReplyKind::kUnknown:
      sms.outcome = "no_pending";
      sms.answer = TwimlMessage(texts.nothing_pending);
      break;
  }
  auto earlier = store_->RecordInboundSms(sms, opt_out);
  if (!earlier.ok()) return Error(500, "internal", std::string(earlier.status().message()));
  return WebhookAnswer{.body = earlier->has_value() ? (*earlier)->answer : sms.answer};
}

}  // namespace vigil
