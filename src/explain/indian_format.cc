#include "explain/indian_format.h"

#include <cmath>
#include <cstdint>

#include "fmt/format.h"

namespace vigil {
namespace {

// "1234567" -> "12,34,567".
std::string GroupIndian(const std::string& digits) {
  if (digits.size() <= 3) return digits;
  std::string head = digits.substr(0, digits.size() - 3);
  std::string grouped;
  const size_t first = head.size() % 2;
  if (first != 0) grouped = head.substr(0, first);
  for (size_t i = first; i < head.size(); i += 2) {
    if (!grouped.empty()) grouped += ',';
    grouped += head.substr(i, 2);
  }
  return grouped + ',' + digits.substr(digits.size() - 3);
}

}  // namespace

std::string FormatIndianNumber(double value, int decimals) {
  if (decimals < 0) decimals = 0;
  if (decimals > 6) decimals = 6;
  if (!std::isfinite(value) || std::fabs(value) >= 1e15) {
    return fmt::format("{:.{}f}", value, decimals);
  }
  const double scale = std::pow(10.0, decimals);
  const int64_t scaled = std::llround(std::fabs(value) * scale);
  const int64_t unit = static_cast<int64_t>(scale);
  std::string text = GroupIndian(std::to_string(scaled / unit));
  if (decimals > 0) text += fmt::format(".{:0{}d}", scaled % unit, decimals);
  return (value < 0 && scaled != 0 ? "-" : "") + text;
}

std::string FormatRupees(double value) {
  const std::string number = FormatIndianNumber(value, 2);
  if (!number.empty() && number[0] == '-') return "-₹" + number.substr(1);
  return "₹" + number;
}

std::string FormatPercent(double ratio) { return fmt::format("{}%", std::llround(ratio * 100.0)); }

}  // namespace vigil
