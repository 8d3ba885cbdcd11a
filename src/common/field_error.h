// Field errors: a request or record that is well-formed but has a missing,
// mistyped or out-of-range field. They travel as an InvalidArgument status
// whose payload (type URL kStatusFieldPayload) is the field's name, so the one
// place that maps statuses to HTTP (http/http_response.h) answers 422 naming
// the field, while an InvalidArgument without a field stays a plain 400.
#ifndef VIGIL_COMMON_FIELD_ERROR_H_
#define VIGIL_COMMON_FIELD_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

inline constexpr std::string_view kStatusFieldPayload = "vigil.field";

// InvalidArgument("<field>: <message>") naming `field`.
Status FieldError(std::string_view field, std::string_view message);
// `status` with its field payload set to `field`.
Status WithField(Status status, std::string_view field);
// The field a status names, if any.
std::optional<std::string> FieldOf(const Status& status);

}  // namespace vigil

#endif  // VIGIL_COMMON_FIELD_ERROR_H_
