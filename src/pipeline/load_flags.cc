#include "pipeline/load_flags.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "fmt/format.h"

namespace vigil {
namespace {

std::string Trim(std::string s) {
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && space(s.back())) s.pop_back();
  size_t start = 0;
  while (start < s.size() && space(s[start])) ++start;
  return s.substr(start);
}

bool AllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "+05:30", "-0800", "+2" -> seconds; nullopt when malformed.
std::optional<int32_t> ParseOffset(const std::string& text) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  std::string digits = text.substr(1);
  std::string hours = digits, minutes = "0";
  if (const size_t colon = digits.find(':'); colon != std::string::npos) {
    hours = digits.substr(0, colon);
    minutes = digits.substr(colon + 1);
  } else if (digits.size() == 4) {
    hours = digits.substr(0, 2);
    minutes = digits.substr(2);
  }
  if (!AllDigits(hours) || !AllDigits(minutes) || hours.size() > 2 || minutes.size() > 2) {
    return std::nullopt;
  }
  const int h = std::stoi(hours), m = std::stoi(minutes);
  if (h > 14 || m > 59) return std::nullopt;
  const int32_t seconds = h * 3600 + m * 60;
  return text[0] == '-' ? -seconds : seconds;
}

}  // namespace

StatusOr<std::map<std::string, std::string>> ParseColumnMapping(const std::string& text) {
  std::map<std::string, std::string> mapping;
  size_t start = 0;
  while (start < text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t equals = item.find('=');
    const std::string ours = Trim(item.substr(0, equals));
    const std::string theirs = equals == std::string::npos ? "" : Trim(item.substr(equals + 1));
    if (ours.empty() || theirs.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("--columns: '{}' is not ours=theirs (e.g. user_id=CUSTOMER_ID)", Trim(item)));
    }
    if (!mapping.emplace(ours, theirs).second) {
      return absl::InvalidArgumentError(fmt::format("--columns: {} is mapped twice", ours));
    }
    start = comma + 1;
  }
  return mapping;
}

StatusOr<int32_t> ParseTimeZone(const std::string& text) {
  std::string zone = Trim(text);
  if (zone == "UTC" || zone == "Z" || zone == "GMT" || zone == "Etc/UTC") return 0;
  if (zone == "IST" || zone == "Asia/Kolkata" || zone == "Asia/Calcutta") return 5 * 3600 + 1800;
  for (const char* prefix : {"UTC", "GMT"}) {
    if (zone.rfind(prefix, 0) == 0) zone = zone.substr(3);
  }
  if (const auto offset = ParseOffset(zone)) return *offset;
  return absl::InvalidArgumentError(fmt::format(
      "--timezone: '{}' is not UTC, IST/Asia/Kolkata or a fixed offset like +05:30 (zones "
      "with daylight saving are not supported)",
      text));
}

}  // namespace vigil
