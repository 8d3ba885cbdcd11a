// HttpResponse and the one place where errors become HTTP: ErrorResponse
// builds DESIGN.md's error body, ResponseFromStatus maps an absl::Status to a
// status code and error code. Thread-safe (pure functions and values).
#ifndef VIGIL_HTTP_HTTP_RESPONSE_H_
#define VIGIL_HTTP_HTTP_RESPONSE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/field_error.h"
#include "common/status.h"

namespace vigil {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. The server sets Content-Type, Content-Length, Connection,
  // Date and X-Request-Id itself; headers with CR or LF are dropped.
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error":{"code":"...","message":"...","field":"..."}}, "field" omitted
// when empty. Invalid UTF-8 in the strings is replaced, never thrown on.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view field = "");

// The field payload of `status` (common/field_error.h), empty if none.
std::string StatusField(const Status& status);

// Maps `status` to an error response. The table (code -> HTTP status, error code):
//   InvalidArgument    -> 400 invalid_argument
//   OutOfRange         -> 400 out_of_range
//   FailedPrecondition -> 422 failed_precondition
//   Unauthenticated    -> 401 unauthenticated
//   PermissionDenied   -> 403 permission_denied
//   NotFound           -> 404 not_found
//   AlreadyExists      -> 409 already_exists
//   Aborted            -> 409 aborted
//   ResourceExhausted  -> 429 resource_exhausted
//   Cancelled          -> 503 cancelled
//   Unavailable        -> 503 unavailable
//   Unimplemented      -> 501 unimplemented
//   DeadlineExceeded   -> 504 deadline_exceeded
//   Internal, Unknown, DataLoss, and OK (a caller bug) -> 500 internal
// The message is the status message, except for 500, whose message is the
// fixed "internal error" so that internals never reach clients (log the
// status yourself). The field comes from the kStatusFieldPayload payload;
// an InvalidArgument that names a field is 422 invalid_field (the request
// parsed, one of its fields is wrong).
HttpResponse ResponseFromStatus(const Status& status);

// 429 rate_limited with a Retry-After header of `retry_after_seconds`.
HttpResponse TooManyRequestsResponse(int retry_after_seconds);

}  // namespace vigil

#endif  // VIGIL_HTTP_HTTP_RESPONSE_H_
