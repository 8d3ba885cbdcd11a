#include "http/http_request.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil {
namespace {

TEST(HttpRequestTest, SplitsPathAndDecodesQuery) {
  HttpRequest request = HttpRequest::Make("GET", "/v1/x?a=1&b=hello+w%6Frld&c&a=2&e=%zz");
  EXPECT_EQ(request.method(), "GET");
  EXPECT_EQ(request.path(), "/v1/x");
  EXPECT_EQ(request.query_string(), "a=1&b=hello+w%6Frld&c&a=2&e=%zz");
  EXPECT_EQ(request.Query("a"), "1");
  EXPECT_EQ(request.Query("b"), "hello world");
  EXPECT_EQ(request.Query("c"), "");
  EXPECT_EQ(request.Query("e"), "%zz");
  EXPECT_EQ(request.Query("missing"), std::nullopt);
}

TEST(HttpRequestTest, HeadersAreCaseInsensitive) {
  HttpRequest request =
      HttpRequest::Make("POST", "/", {{"x-api-key", "k1"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(request.Header("X-API-Key"), "k1");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("Authorization"), std::nullopt);
}

TEST(HttpRequestTest, ResetForgetsThePreviousRequest) {
  HttpRequest request = HttpRequest::Make("POST", "/a?x=1", {{"A", "1"}, {"B", "2"}}, "body");
  request.AddParam("id", "7");
  request.Reset("GET", "/b", std::chrono::steady_clock::now());
  request.AddHeader("C", "3");
  EXPECT_EQ(request.path(), "/b");
  EXPECT_EQ(request.Query("x"), std::nullopt);
  EXPECT_EQ(request.Header("A"), std::nullopt);
  EXPECT_EQ(request.Header("C"), "3");
  EXPECT_EQ(request.Param("id"), std::nullopt);
  EXPECT_EQ(request.body(), "");
}

TEST(HttpRequestTest, KeepsValidIncomingRequestId) {
  EXPECT_EQ(HttpRequest::Make("GET", "/", {{"X-Request-Id", "abc-123_x.y:z"}}).request_id(),
            "abc-123_x.y:z");
}

TEST(HttpRequestTest, ReplacesInvalidRequestIds) {
  for (std::string bad : {std::string(""), std::string(65, 'a'), std::string("a b"),
                          std::string("a\"b"), std::string("<x>")}) {
    std::string id(HttpRequest::Make("GET", "/", {{"X-Request-Id", bad}}).request_id());
    EXPECT_NE(id, bad);
    EXPECT_TRUE(HttpRequest::IsValidRequestId(id)) << id;
  }
  EXPECT_TRUE(HttpRequest::IsValidRequestId(std::string(64, 'a')));
}

TEST(HttpRequestTest, GeneratedRequestIdsAreUnique) {
  std::set<std::string> ids;
  std::string id;
  for (int i = 0; i < 1000; ++i) {
    GenerateRequestId(&id);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace vigil
