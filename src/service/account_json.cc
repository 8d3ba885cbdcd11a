#include "service/account_json.h"

#include "common/field_error.h"
#include "common/json_writer.h"
#include "nlohmann/json.hpp"
#include "sms/phone.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr size_t kMaxUserIdLength = 128;

// The string at `name`, or `fallback` when absent or null.
StatusOr<std::string> OptionalString(const json& body, const char* name, std::string fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) return FieldError(name, "must be a string");
  return it->get<std::string>();
}

StatusOr<std::string> RequiredString(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return FieldError(name, "is required");
  if (!it->is_string()) return FieldError(name, "must be a string");
  return it->get<std::string>();
}

StatusOr<std::string> OneOf(const json& body, const char* name, std::string fallback,
                            std::initializer_list<std::string_view> allowed) {
  ASSIGN_OR_RETURN(std::string value, OptionalString(body, name, std::move(fallback)));
  for (std::string_view a : allowed) {
    if (value == a) return value;
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : " or ") + std::string(a);
  return FieldError(name, fmt::format("must be {}, not '{}'", list, value));
}

}  // namespace

StatusOr<AccountRecord> ParseAccount(std::string_view text, Timestamp now) {
  const json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError("the body must be a JSON object");
  }
  AccountRecord a;
  ASSIGN_OR_RETURN(a.user_id, RequiredString(body, "user_id"));
  if (a.user_id.empty() || a.user_id.size() > kMaxUserIdLength) {
    return FieldError("user_id", fmt::format("must be 1 to {} characters", kMaxUserIdLength));
  }
  ASSIGN_OR_RETURN(a.phone, RequiredString(body, "phone"));
  if (Status valid = ValidateE164(a.phone); !valid.ok()) {
    return FieldError(
        "phone", fmt::format("must be in E.164 form such as +919812345678: {}", valid.message()));
  }
  ASSIGN_OR_RETURN(a.name, OptionalString(body, "name", ""));
  if (auto it = body.find("sms_opt_out"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return FieldError("sms_opt_out", "must be true or false");
    a.sms_opt_out = it->get<bool>();
  }
  ASSIGN_OR_RETURN(a.status, OneOf(body, "status", "active", {"active", "blocked"}));
  ASSIGN_OR_RETURN(a.language, OneOf(body, "language", "en", {"en", "hi"}));
  a.created_at = now;
  a.updated_at = now;
  return a;
}

std::string AccountJson(const AccountRecord& a) {
  JsonWriter w;
  w.StartObject();
  w.Field("user_id", a.user_id);
  w.Field("name", a.name);
  w.Field("phone", MaskPhone(a.phone));
  w.Key("sms_opt_out");
  w.Bool(a.sms_opt_out);
  w.Field("status", a.status);
  w.Field("language", a.language);
  w.Field("created_at", FormatTimestamp(a.created_at));
  w.Field("updated_at", FormatTimestamp(a.updated_at));
  w.EndObject();
  return w.Release();
}

}  // namespace vigil
