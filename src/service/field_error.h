// Field errors: a request that is well-formed JSON but has a missing,
// mistyped or out-of-range field. They travel as an InvalidArgument status
// carrying the field's name as a payload, so the one place that maps
// statuses to HTTP (http/status_response) answers 422 naming the field,
// while an InvalidArgument without a field stays a plain 400.
#ifndef VIGIL_SERVICE_FIELD_ERROR_H_
#define VIGIL_SERVICE_FIELD_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

inline constexpr std::string_view kFieldPayload = "vigil.field";

// InvalidArgument("<field>: <message>") naming `field`.
Status FieldError(std::string_view field, std::string_view message);
// The field a status names, if any.
std::optional<std::string> FieldOf(const Status& status);

}  // namespace vigil

#endif  // VIGIL_SERVICE_FIELD_ERROR_H_
