#include "service/transaction_json.h"

#include <cmath>

#include "common/field_error.h"
#include "common/json_writer.h"
#include "nlohmann/json.hpp"
#include "sms/phone.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxTextLength = 256;
constexpr double kMaxAmount = 1e7;  // ₹1 crore, as for orders

StatusOr<std::string> Text(const json& body, const char* name, std::string fallback,
                           size_t max_length) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) return FieldError(name, "must be a string");
  std::string value = it->get<std::string>();
  if (value.size() > max_length) {
    return FieldError(name, fmt::format("must be at most {} characters", max_length));
  }
  return value;
}

bool IsCurrencyCode(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

}  // namespace

StatusOr<TransactionRecord> ParseTransaction(std::string_view text, Timestamp now,
                                             std::string new_id) {
  const json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError("the body must be a JSON object");
  }
  TransactionRecord t;
  ASSIGN_OR_RETURN(t.transaction_id, Text(body, "transaction_id", std::move(new_id), kMaxIdLength));
  if (t.transaction_id.empty()) return FieldError("transaction_id", "must not be empty");
  ASSIGN_OR_RETURN(t.user_id, Text(body, "user_id", "", kMaxIdLength));
  if (t.user_id.empty()) return FieldError("user_id", "is required");
  auto amount = body.find("amount");
  if (amount == body.end() || amount->is_null()) return FieldError("amount", "is required");
  if (!amount->is_number()) return FieldError("amount", "must be a number");
  t.amount = amount->get<double>();
  if (!(t.amount > 0 && t.amount <= kMaxAmount)) {
    return FieldError("amount", "must be above 0 and at most 10000000");
  }
  ASSIGN_OR_RETURN(t.merchant, Text(body, "merchant", "", kMaxTextLength));
  ASSIGN_OR_RETURN(t.location, Text(body, "location", "", kMaxTextLength));
  ASSIGN_OR_RETURN(t.currency, Text(body, "currency", "INR", 3));
  if (!IsCurrencyCode(t.currency)) {
    return FieldError("currency", "must be an ISO 4217 code in capitals, such as INR");
  }
  t.created_at = now;
  if (auto it = body.find("created_at"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return FieldError("created_at", "must be an ISO-8601 time string");
    auto at = ParseTimestamp(it->get_ref<const std::string&>());
    if (!at.ok()) return FieldError("created_at", std::string(at.status().message()));
    t.created_at = *at;
  }
  t.received_at = now;
  t.updated_at = now;
  return t;
}

std::string TransactionJson(const TransactionRecord& t,
                            const std::vector<TransactionTransition>& history,
                            const std::vector<OutboundSms>& messages) {
  JsonWriter w;
  w.StartObject();
  w.Field("transaction_id", t.transaction_id);
  w.Field("user_id", t.user_id);
  w.NumberField("amount", t.amount);
  w.Field("currency", t.currency);
  w.Field("merchant", t.merchant);
  w.Field("location", t.location);
  w.Field("created_at", FormatTimestamp(t.created_at));
  w.Field("received_at", FormatTimestamp(t.received_at));
  w.Field("status", t.status);
  // The decision document is ours (transaction_scoring.cc), valid JSON.
  const nlohmann::json decision =
      t.decision.empty() ? nlohmann::json() : nlohmann::json::parse(t.decision, nullptr, false);
  auto from_decision = [&](const char* key) {
    w.Key(key);
    if (decision.is_object() && decision.contains(key)) {
      w.Raw(decision[key].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      w.Null();
    }
  };
  w.Key("risk_score");
  if (t.risk_score) {
    w.Number(*t.risk_score);
  } else {
    w.Null();
  }
  for (const char* key : {"risk_level", "action", "model_version", "explanation", "factors"}) {
    from_decision(key);
  }
  w.Key("sms");
  if (messages.empty()) {
    w.Null();
  } else {
    const OutboundSms& m = messages.back();
    w.StartObject();
    w.Field("status", m.status);
    w.Field("to", MaskPhone(m.to_phone));
    w.Key("sent_at");
    if (m.sent_at > 0) {
      w.String(FormatTimestamp(m.sent_at));
    } else {
      w.Null();
    }
    w.Key("message_sid");
    if (m.message_sid.empty()) {
      w.Null();
    } else {
      w.String(m.message_sid);
    }
    w.Key("sender");
    if (m.sender.empty()) {
      w.Null();
    } else {
      w.String(m.sender);
    }
    w.Key("attempts");
    w.Int(m.attempts);
    w.Key("error");
    if (m.error.empty()) {
      w.Null();
    } else {
      w.String(m.error);
    }
    w.EndObject();
  }
  w.Key("user_response");
  if (t.user_response_at > 0) {
    w.StartObject();
    w.Field("text", t.user_response);
    w.Field("at", FormatTimestamp(t.user_response_at));
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("label");
  if (t.label) {
    w.String(*t.label == 1 ? "fraud" : "genuine");
  } else {
    w.Null();
  }
  w.Key("history");
  w.StartArray();
  for (const TransactionTransition& step : history) {
    w.StartObject();
    w.Field("status", step.status);
    w.Field("at", FormatTimestamp(step.at));
    w.Field("reason", step.reason);
    if (!step.label.empty()) {  // an analyst's label: who and why
      w.Field("label", step.label);
      w.Key("by");
      w.StartObject();
      w.Field("key_id", step.by_key_id);
      w.Field("name", step.by_name);
      w.EndObject();
      w.Field("note", step.note);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Release();
}

}  // namespace vigil
