#include "common/field_error.h"

#include "absl/strings/cord.h"

namespace vigil {
namespace {

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

Status FieldError(std::string_view field, std::string_view message) {
  return WithField(absl::InvalidArgumentError(fmt::format("{}: {}", field, message)), field);
}

Status WithField(Status status, std::string_view field) {
  status.SetPayload(ToAbsl(kStatusFieldPayload), absl::Cord(ToAbsl(field)));
  return status;
}

std::optional<std::string> FieldOf(const Status& status) {
  auto payload = status.GetPayload(ToAbsl(kStatusFieldPayload));
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

}  // namespace vigil
