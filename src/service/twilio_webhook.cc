#include "service/twilio_webhook.h"

#include "common/json_writer.h"
#include "service/payment_flow.h"
#include "service/payment_messages.h"
#include "sms/form.h"
#include "sms/sms_reply.h"
#include "sms/twilio_signature.h"
#include "sms/twiml.h"

namespace vigil {
namespace {

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
  if (!body_text.has_value()) {
    if (const auto status = FormValue(*params, "MessageStatus")) {
      // A delivery status callback for one of our verification messages.
      auto found = store_->UpdateSmsStatusBySid(*sid, *status, now);
      if (!found.ok()) return Error(500, "internal", std::string(found.status().message()));
      return WebhookAnswer{.body = TwimlEmpty()};
    }
  }
  const auto from = FormValue(*params, "From");
  if (!from.has_value() || from->empty()) {
    return Error(422, "invalid_field", "From is required", "From");
  }

  auto accounts = store_->AccountsByPhone(*from);
  if (!accounts.ok()) return Error(500, "internal", std::string(accounts.status().message()));
  const PaymentTexts& texts =
      PaymentTextsFor(accounts->empty() ? "en" : accounts->front().language);
  InboundSmsRecord sms{.message_sid = *sid,
                       .from_phone = *from,
                       .body = body_text.value_or(""),
                       .received_at = now,
                       .outcome = {},
                       .answer = {}};
  std::optional<bool> opt_out;
  std::optional<TransactionStep> step;
  std::optional<TransactionRecord> settled;
  bool fraud = false;
  const SmsReplyKind reply = ClassifySmsReply(sms.body);
  switch (reply) {
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
    case SmsReplyKind::kUnknown: {
      auto pending = store_->PendingVerification(*from);
      if (!pending.ok()) return Error(500, "internal", std::string(pending.status().message()));
      if (!pending->has_value()) {
        sms.outcome = "no_pending";
        sms.answer = TwimlMessage(texts.nothing_pending);
      } else if (reply != SmsReplyKind::kUnknown) {
        const bool confirmed = reply == SmsReplyKind::kConfirm;
        step = SettleStep(**pending, confirmed, sms.body, now);
        settled = *pending;
        fraud = !confirmed;
        sms.outcome = confirmed ? "confirmed" : "denied";
        sms.answer = TwimlMessage(confirmed ? texts.confirmed : texts.denied);
      } else if (!(*pending)->reprompted) {
        step = TransactionStep{.transaction_id = (*pending)->transaction_id, .at = now};
        step->expected_statuses = {"pending_verification"};
        step->reprompted = true;
        sms.outcome = "reprompted";
        sms.answer = TwimlMessage(texts.unclear);
      } else {
        sms.outcome = "unclear";  // asked once already: no loop of questions
        sms.answer = TwimlEmpty();
      }
      break;
    }
  }
  auto earlier = store_->RecordInboundSms(sms, opt_out, step ? &*step : nullptr);
  if (!earlier.ok()) return Error(500, "internal", std::string(earlier.status().message()));
  if (!earlier->has_value() && settled.has_value() && risk_ != nullptr) {
    // Only when this reply settled it (not an expiry that came first).
    auto after = store_->FindTransaction(settled->transaction_id);
    if (after.ok() && after->has_value() && (*after)->label == (fraud ? 1 : 0) &&
        (*after)->user_response_at == now) {
      risk_->LabelTransaction(*settled, fraud, now);
    }
  }
  return WebhookAnswer{.body = earlier->has_value() ? (*earlier)->answer : sms.answer};
}

}  // namespace vigil
