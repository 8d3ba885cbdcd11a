#include "http/http_response.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(HttpResponseTest, ErrorResponseHasDesignShape) {
  HttpResponse response = ErrorResponse(400, "invalid_argument", "amount must be > 0", "amount");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(
      response.body,
      R"({"error":{"code":"invalid_argument","message":"amount must be > 0","field":"amount"}})");
}

TEST(HttpResponseTest, ErrorResponseOmitsEmptyFieldAndEscapes) {
  EXPECT_EQ(ErrorResponse(404, "not_found", "no \"x\"\n").body,
            R"({"error":{"code":"not_found","message":"no \"x\"\n"}})");
}

TEST(HttpResponseTest, ErrorResponseReplacesInvalidUtf8) {
  EXPECT_EQ(ErrorResponse(400, "bad", "a\xff").body,
            "{\"error\":{\"code\":\"bad\",\"message\":\"a\xEF\xBF\xBD\"}}");
}

TEST(HttpResponseTest, MapsStatusCodes) {
  struct Case {
    Status status;
    int http;
    std::string code;
  };
  std::vector<Case> cases = {
      {absl::InvalidArgumentError("m"), 400, "invalid_argument"},
      {absl::OutOfRangeError("m"), 400, "out_of_range"},
      {absl::FailedPreconditionError("m"), 422, "failed_precondition"},
      {absl::UnauthenticatedError("m"), 401, "unauthenticated"},
      {absl::PermissionDeniedError("m"), 403, "permission_denied"},
      {absl::NotFoundError("m"), 404, "not_found"},
      {absl::AlreadyExistsError("m"), 409, "already_exists"},
      {absl::AbortedError("m"), 409, "aborted"},
      {absl::ResourceExhaustedError("m"), 429, "resource_exhausted"},
      {absl::CancelledError("m"), 503, "cancelled"},
      {absl::UnavailableError("m"), 503, "unavailable"},
      {absl::UnimplementedError("m"), 501, "unimplemented"},
      {absl::DeadlineExceededError("m"), 504, "deadline_exceeded"},
  };
  for (const Case& c : cases) {
    HttpResponse response = ResponseFromStatus(c.status);
    EXPECT_EQ(response.status, c.http) << c.status;
    EXPECT_EQ(response.body, fmt::format(R"({{"error":{{"code":"{}","message":"m"}}}})", c.code));
  }
}

TEST(HttpResponseTest, InternalErrorsHideTheirMessage) {
  for (const Status& status : {absl::InternalError("db at /secret/path"), absl::UnknownError("x"),
                               absl::DataLossError("x"), absl::OkStatus()}) {
    HttpResponse response = ResponseFromStatus(status);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body, R"({"error":{"code":"internal","message":"internal error"}})");
  }
}

TEST(HttpResponseTest, CarriesFieldFromPayload) {
  Status status = WithField(absl::InvalidArgumentError("must be a pincode"), "shipping_pincode");
  EXPECT_EQ(StatusField(status), "shipping_pincode");
  EXPECT_EQ(StatusField(absl::InvalidArgumentError("x")), "");
  EXPECT_EQ(
      ResponseFromStatus(status).body,
      R"({"error":{"code":"invalid_field","message":"must be a pincode","field":"shipping_pincode"}})");
}

TEST(HttpResponseTest, AnInvalidFieldIsUnprocessableAndAMalformedRequestIsBad) {
  EXPECT_EQ(ResponseFromStatus(WithField(absl::InvalidArgumentError("m"), "amount")).status, 422);
  EXPECT_EQ(ResponseFromStatus(absl::InvalidArgumentError("not JSON")).status, 400);
}

TEST(HttpResponseTest, TooManyRequestsSetsRetryAfter) {
  HttpResponse response = TooManyRequestsResponse(3);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(
      response.body,
      R"({"error":{"code":"rate_limited","message":"too many requests; retry after 3 seconds"}})");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>("Retry-After", "3")));
}

}  // namespace
}  // namespace vigil
