#include "sms/twilio_message_page.h"

#include <algorithm>

#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "sms/rfc2822_date.h"

namespace vigil {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxExcerpt = 200;

Status NotAPage(std::string_view json, std::string_view why) {
  size_t shown = std::min(json.size(), kMaxExcerpt);
  while (shown > 0 && shown < json.size() &&
         (static_cast<unsigned char>(json[shown]) & 0xC0) == 0x80) {
    --shown;
  }
  return absl::InternalError(
      fmt::format("Twilio's answer is not a message list ({}): {}", why, json.substr(0, shown)));
}

// A string member, or "" when it is absent, null or not a string.
std::string Text(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<TwilioMessagePage> ParseTwilioMessagePage(std::string_view json) {
  const Json page = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!page.is_object()) return NotAPage(json, "not a JSON object");
  const auto messages = page.find("messages");
  if (messages == page.end() || !messages->is_array()) {
    return NotAPage(json, "no \"messages\" array");
  }
  TwilioMessagePage out;
  for (const Json& m : *messages) {
    if (!m.is_object()) return NotAPage(json, "a listed message is not an object");
    const auto sid = m.find("sid");
    if (sid == m.end() || !sid->is_string()) return NotAPage(json, "a message without a sid");
    ListedMessage listed{sid->get<std::string>(), Text(m, "to"),     Text(m, "from"),
                         Text(m, "body"),         Text(m, "status"), std::nullopt};
    if (StatusOr<Timestamp> created = ParseRfc2822Date(Text(m, "date_created")); created.ok()) {
      listed.date_created = *created;
    }
    out.messages.push_back(std::move(listed));
  }
  const auto next = page.find("next_page_uri");
  if (next != page.end() && !next->is_null() && *next != "") {
    if (!next->is_string() || !next->get<std::string>().starts_with('/')) {
      return NotAPage(json, "next_page_uri is not a path");
    }
    out.next_page_uri = next->get<std::string>();
  }
  return out;
}

}  // namespace vigil
