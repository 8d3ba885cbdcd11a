#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fmt/format.h"

namespace vigil {
namespace {

using Kind = Router::Match::Kind;

Handler Named(std::string name) {
  return [name](HttpRequest&, Responder respond) {
    HttpResponse response;
    response.body = name;
    respond(std::move(response));
  };
}

// Runs the router on an in-memory request and returns the response.
HttpResponse Call(const Router& router, std::string_view method, std::string_view target) {
  HttpRequest request = HttpRequest::Make(method, target);
  HttpResponse result;
  router.Dispatch(request, [&](HttpResponse response) { result = std::move(response); });
  return result;
}

Router DecisionsRouter() {
  Router router;
  router.Add("GET", "/v1/decisions/{id}", Named("decision"));
  router.Add("GET", "/v1/decisions/{id}/similar", Named("similar"));
  router.Add("GET", "/v1/decisions/recent", Named("recent"));
  router.Add("POST", "/v1/orders/score", Named("score"));
  router.Add("GET", "/a/{x}/c", Named("param-then-c"));
  router.Add("GET", "/a/b/d", Named("literal-b-d"));
  router.Add("GET", "/", Named("root"));
  return router;
}

TEST(RouterTest, WrapHandlersSeesEveryRouteAndKeepsMatching) {
  Router router = DecisionsRouter();
  std::vector<std::string> seen;
  router.WrapHandlers([&](std::string_view method, std::string_view pattern, Handler inner) {
    seen.push_back(fmt::format("{} {}", method, pattern));
    if (pattern != "/v1/orders/score") return inner;
    return Handler([inner](HttpRequest& request, Responder respond) {
      inner(request, [respond](HttpResponse response) {
        response.body = "wrapped " + response.body;
        respond(std::move(response));
      });
    });
  });
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre(
                        "GET /v1/decisions/{id}", "GET /v1/decisions/{id}/similar",
                        "GET /v1/decisions/recent", "POST /v1/orders/score", "GET /a/{x}/c",
                        "GET /a/b/d", "GET /"));
  EXPECT_EQ(Call(router, "POST", "/v1/orders/score").body, "wrapped score");
  EXPECT_EQ(Call(router, "GET", "/v1/decisions/d1").body, "decision");
  EXPECT_EQ(Call(router, "GET", "/v1/decisions/recent").body, "recent");
}

TEST(RouterTest, MatchesParameterAndFillsRouteAndParam) {
  Router router = DecisionsRouter();
  HttpRequest request = HttpRequest::Make("GET", "/v1/decisions/ORD%2F7");
  Router::Match match = router.Route(request);
  EXPECT_EQ(match.kind, Kind::kFound);
  EXPECT_EQ(match.pattern, "/v1/decisions/{id}");
  EXPECT_EQ(request.route(), "/v1/decisions/{id}");
  EXPECT_EQ(request.Param("id"), "ORD/7");
  EXPECT_EQ(request.Param("other"), std::nullopt);
}

TEST(RouterTest, LiteralSegmentBeatsParameter) {
  Router router = DecisionsRouter();
  EXPECT_EQ(Call(router, "GET", "/v1/decisions/recent").body, "recent");
  EXPECT_EQ(Call(router, "GET", "/v1/decisions/D1").body, "decision");
  EXPECT_EQ(Call(router, "GET", "/v1/decisions/D1/similar").body, "similar");
}

TEST(RouterTest, BacktracksFromLiteralToParameter) {
  Router router = DecisionsRouter();
  EXPECT_EQ(Call(router, "GET", "/a/b/c").body, "param-then-c");
  EXPECT_EQ(Call(router, "GET", "/a/b/d").body, "literal-b-d");
}

TEST(RouterTest, RootAndQueryDoNotAffectMatching) {
  Router router = DecisionsRouter();
  EXPECT_EQ(Call(router, "GET", "/").body, "root");
  EXPECT_EQ(Call(router, "POST", "/v1/orders/score?dry_run=1").body, "score");
}

TEST(RouterTest, UnknownPathIs404) {
  Router router = DecisionsRouter();
  for (std::string_view path : {"/v1/decisions", "/v1/decisions/", "/v1/orders/score/x", "/zzz",
                                "/v1/decisions/D1/similar/more"}) {
    HttpResponse response = Call(router, "GET", path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(
        response.body,
        fmt::format(R"({{"error":{{"code":"not_found","message":"no route for {}"}}}})", path));
  }
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router = DecisionsRouter();
  HttpResponse response = Call(router, "GET", "/v1/orders/score");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(
      response.body,
      R"({"error":{"code":"method_not_allowed","message":"GET is not allowed on /v1/orders/score"}})");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>("Allow", "POST")));
  EXPECT_EQ(Call(router, "DELETE", "/v1/decisions/x").headers[0].second, "GET, HEAD");
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router = DecisionsRouter();
  EXPECT_EQ(Call(router, "HEAD", "/v1/decisions/D1").body, "decision");
}

TEST(RouterTest, ExceptionInHandlerBecomes500) {
  Router router;
  router.Add("GET", "/boom", [](HttpRequest&, Responder) { throw std::logic_error("bug"); });
  HttpResponse response = Call(router, "GET", "/boom");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, R"({"error":{"code":"internal","message":"internal error"}})");
}

TEST(RouterTest, PatternsHaveDenseIndices) {
  Router router = DecisionsRouter();
  router.Add("PUT", "/v1/orders/score", Named("put"));  // same pattern, no new index
  ASSERT_EQ(router.pattern_count(), 7);
  EXPECT_EQ(router.pattern(0), "/v1/decisions/{id}");
  EXPECT_EQ(router.pattern(3), "/v1/orders/score");
  HttpRequest request = HttpRequest::Make("PUT", "/v1/orders/score");
  EXPECT_EQ(router.Route(request).pattern_index, 3);
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
  Router router;
  router.Add("GET", "/x/{id}", Named("a"));
  EXPECT_DEATH(router.Add("GET", "/x/{id}", Named("b")), "duplicate route");
  EXPECT_DEATH(router.Add("GET", "/x/{name}/y", Named("c")), "parameter name differs");
  EXPECT_DEATH(router.Add("GET", "x", Named("d")), "must start with '/'");
}

}  // namespace
}  // namespace vigil
