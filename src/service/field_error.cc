#include "service/field_error.h"

#include "absl/strings/cord.h"

namespace vigil {

Status FieldError(std::string_view field, std::string_view message) {
  Status status = absl::InvalidArgumentError(fmt::format("{}: {}", field, message));
  status.SetPayload(absl::string_view(kFieldPayload.data(), kFieldPayload.size()),
                    absl::Cord(absl::string_view(field.data(), field.size())));
  return status;
}

std::optional<std::string> FieldOf(const Status& status) {
  auto payload = status.GetPayload(absl::string_view(kFieldPayload.data(), kFieldPayload.size()));
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

}  // namespace vigil
