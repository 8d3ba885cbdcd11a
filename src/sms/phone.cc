#include "sms/phone.h"

#include <algorithm>

#include "fmt/format.h"

namespace vigil {
namespace {

constexpr size_t kMinDigits = 8;
constexpr size_t kMaxDigits = 15;
constexpr size_t kKeptPrefix = 3;
constexpr size_t kKeptSuffix = 4;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Status ValidateE164(std::string_view phone) {
  if (phone.empty() || phone.front() != '+') {
    return absl::InvalidArgumentError("phone number must start with '+' (E.164)");
  }
  const std::string_view digits = phone.substr(1);
  const auto bad = std::find_if_not(digits.begin(), digits.end(), IsDigit);
  if (bad != digits.end()) {
    return absl::InvalidArgumentError(fmt::format(
        "phone number may hold only digits after '+' (E.164); found '{}' at position {}", *bad,
        bad - digits.begin() + 1));
  }
  if (digits.size() < kMinDigits || digits.size() > kMaxDigits) {
    return absl::InvalidArgumentError(
        fmt::format("phone number must have {} to {} digits after '+' (E.164); it has {}",
                    kMinDigits, kMaxDigits, digits.size()));
  }
  if (digits.front() == '0') {
    return absl::InvalidArgumentError("phone number's country code cannot start with 0 (E.164)");
  }
  return absl::OkStatus();
}

std::string MaskPhone(std::string_view phone) {
  if (phone.size() <= kKeptPrefix + kKeptSuffix) return std::string(phone.size(), '*');
  std::string masked(phone);
  std::fill(masked.begin() + kKeptPrefix, masked.end() - kKeptSuffix, '*');
  return masked;
}

}  // namespace vigil
