#include "http/http_response.h"

#include "nlohmann/json.hpp"

namespace vigil {
namespace {

struct StatusMapping {
  int http_status;
  std::string_view code;
};

StatusMapping MapStatusCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return {400, "invalid_argument"};
    case absl::StatusCode::kOutOfRange:
      return {400, "out_of_range"};
    case absl::StatusCode::kFailedPrecondition:
      return {422, "failed_precondition"};
    case absl::StatusCode::kUnauthenticated:
      return {401, "unauthenticated"};
    case absl::StatusCode::kPermissionDenied:
      return {403, "permission_denied"};
    case absl::StatusCode::kNotFound:
      return {404, "not_found"};
    case absl::StatusCode::kAlreadyExists:
      return {409, "already_exists"};
    case absl::StatusCode::kAborted:
      return {409, "aborted"};
    case absl::StatusCode::kResourceExhausted:
      return {429, "resource_exhausted"};
    case absl::StatusCode::kCancelled:
      return {503, "cancelled"};
    case absl::StatusCode::kUnavailable:
      return {503, "unavailable"};
    case absl::StatusCode::kUnimplemented:
      return {501, "unimplemented"};
    case absl::StatusCode::kDeadlineExceeded:
      return {504, "deadline_exceeded"};
    default:
      return {500, "internal"};
  }
}

}  // namespace

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view field) {
  nlohmann::ordered_json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  HttpResponse response;
  response.status = status;
  response.body = nlohmann::ordered_json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

std::string StatusField(const Status& status) { return FieldOf(status).value_or(""); }

HttpResponse ResponseFromStatus(const Status& status) {
  StatusMapping mapping = MapStatusCode(status.code());
  if (mapping.http_status == 500) return ErrorResponse(500, "internal", "internal error");
  std::string_view message(status.message().data(), status.message().size());
  const std::string field = StatusField(status);
  // A request that parsed but has a missing, mistyped or out-of-range field
  // is unprocessable (422); without a field the request itself is bad (400).
  if (status.code() == absl::StatusCode::kInvalidArgument && !field.empty()) {
    mapping = {422, "invalid_field"};
  }
  return ErrorResponse(mapping.http_status, mapping.code, message, field);
}

HttpResponse TooManyRequestsResponse(int retry_after_seconds) {
  HttpResponse response =
      ErrorResponse(429, "rate_limited",
                    fmt::format("too many requests; retry after {} seconds", retry_after_seconds));
  response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

}  // namespace vigil
