#include "http/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "http/test_http_client.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using namespace std::chrono_literals;

HttpResponse Json(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

// /echo answers the body; /items/{id} answers the id and query "q".
Router EchoRouter() {
  Router router;
  router.Add("POST", "/echo",
             [](HttpRequest& request, Responder respond) { respond(Json(request.body())); });
  router.Add("GET", "/items/{id}", [](HttpRequest& request, Responder respond) {
    respond(Json(
        fmt::format("{}|{}", request.Param("id").value_or("-"), request.Query("q").value_or("-"))));
  });
  router.Add("DELETE", "/items/{id}",
             [](HttpRequest&, Responder respond) { respond(Json("deleted")); });
  router.Add("GET", "/throw",
             [](HttpRequest&, Responder) -> void { throw std::runtime_error("handler bug"); });
  return router;
}

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, Router router,
                                        MetricsRegistry* metrics = nullptr) {
  options.port = 0;
  options.io_threads = 2;
  auto server = HttpServer::Start(std::move(options), std::move(router), metrics);
  EXPECT_TRUE(server.ok()) << server.status();
  return std::move(server).value();
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  std::set<std::string> request_ids;
  for (int i = 0; i < 100; ++i) {
    auto response = client.Request("POST", "/echo", fmt::format("{{\"n\":{}}}", i));
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, fmt::format("{{\"n\":{}}}", i));
    EXPECT_EQ(response->Header("Content-Type"), "application/json");
    EXPECT_EQ(response->Header("Connection"), std::nullopt);
    request_ids.insert(response->Header("X-Request-Id").value_or(""));
  }
  EXPECT_EQ(request_ids.size(), 100u);
  EXPECT_EQ(request_ids.count(""), 0u);
}

TEST(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\naPOST /echo HTTP/1.1\r\n"
                  "Content-Length: 1\r\n\r\nb"));
  EXPECT_EQ(client.Read()->body, "a");
  EXPECT_EQ(client.Read()->body, "b");
}

TEST(HttpServerTest, HonoursConnectionClose) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  auto response = client.Request("POST", "/echo", "x", "Connection: close\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "x");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient keep(server->port());
  ASSERT_TRUE(keep.Send("GET /items/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto first = keep.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "1|-");
  EXPECT_EQ(first->Header("Connection"), "keep-alive");
  ASSERT_TRUE(keep.Send("GET /items/2 HTTP/1.0\r\n\r\n"));
  auto second = keep.Read();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "2|-");
  EXPECT_EQ(second->Header("Connection"), "close");
  EXPECT_TRUE(keep.WaitForClose());
}

TEST(HttpServerTest, RoutesPathParametersAndDecodedQuery) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  auto response = client.Request("GET", "/items/a%20b?q=x+y%21&z=1");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "a b|x y!");
}

TEST(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  auto missing = client.Request("GET", "/nope");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, R"({"error":{"code":"not_found","message":"no route for /nope"}})");
  auto wrong = client.Request("PUT", "/items/7", "{}");
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->Header("Allow"), "DELETE, GET, HEAD");
  EXPECT_THAT(wrong->body, HasSubstr(R"("code":"method_not_allowed")"));
}

TEST(HttpServerTest, HeadAnswersGetHeadersWithoutBody) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  auto head = client.Request("HEAD", "/items/42");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "4");
  EXPECT_EQ(head->body, "");
  // The connection is still in step: the next response parses.
  EXPECT_EQ(client.Request("GET", "/items/43")->body, "43|-");
}

TEST(HttpServerTest, EchoesValidRequestIdAndReplacesInvalidOne) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  auto valid = client.Request("GET", "/items/1", "", "X-Request-Id: trace-42.a_b:c\r\n");
  EXPECT_EQ(valid->Header("X-Request-Id"), "trace-42.a_b:c");
  auto invalid = client.Request("GET", "/items/1", "", "X-Request-Id: bad id<script>\r\n");
  ASSERT_TRUE(invalid->Header("X-Request-Id").has_value());
  EXPECT_NE(invalid->Header("X-Request-Id"), "bad id<script>");
  EXPECT_TRUE(HttpRequest::IsValidRequestId(*invalid->Header("X-Request-Id")));
  auto error = client.Request("GET", "/nope", "", "X-Request-Id: err-1\r\n");
  EXPECT_EQ(error->Header("X-Request-Id"), "err-1");
}

TEST(HttpServerTest, BodyOverLimitIs413BeforeTheBodyArrives) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  // Only the head is sent: the answer cannot wait for the megabyte.
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(
      response->body,
      R"({"error":{"code":"payload_too_large","message":"request body exceeds 1024 bytes"}})");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(response->Header("X-Request-Id").has_value());
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerTest, BodyAtLimitIsAccepted) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  auto response = client.Request("POST", "/echo", std::string(1024, 'x'));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 1024u);
}

TEST(HttpServerTest, ChunkedBodyOverLimitIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  std::string chunk(600, 'x');
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" +
                          chunk + "\r\n258\r\n" + chunk + "\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerTest, ChunkedBodyWithinLimitIsDecoded) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "abcde");
}

TEST(HttpServerTest, HeadOverLimitIs431) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  ASSERT_TRUE(
      client.Send("GET /items/1 HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_THAT(response->body, HasSubstr(R"("code":"headers_too_large")"));
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerTest, MalformedRequestLineIs400AndClosed) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body,
            R"({"error":{"code":"bad_request","message":"malformed HTTP request"}})");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerTest, AnswersExpectContinueBeforeTheBody) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("ok"));
  EXPECT_EQ(client.Read()->body, "ok");
}

TEST(HttpServerTest, SlowRequestIsCutOffAtReadTimeout) {
  HttpServerOptions options;
  options.read_timeout = 200ms;
  options.idle_timeout = 60s;  // so only the read timeout can close it
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  // A slow-loris client: part of the head, then nothing more.
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nContent-Le"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(HttpServerTest, TricklingClientIsCutOffAtReadTimeout) {
  HttpServerOptions options;
  options.read_timeout = 200ms;
  options.idle_timeout = 60s;
  auto server = StartServer(options, EchoRouter());
  // A byte every 50 ms: each read makes progress, but the whole head does not
  // arrive within read_timeout. The client's 50 ms receive timeout paces it.
  TestHttpClient client(server->port(), 50ms);
  std::string head = "POST /echo HTTP/1.1\r\nX-Slow: " + std::string(1000, 'a');
  size_t sent = 0;
  bool closed = false;
  while (!closed && sent < head.size()) {
    closed = !client.Send(head.substr(sent++, 1)) || client.WaitForClose();
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(sent, 3u);
  EXPECT_LT(sent, 200u);
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosedAtIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  ASSERT_EQ(client.Request("POST", "/echo", "x")->status, 200);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServerTest, RefusesConnectionsBeyondMaxConnections) {
  HttpServerOptions options;
  options.max_connections = 1;
  MetricsRegistry metrics;
  auto server = StartServer(options, EchoRouter(), &metrics);
  TestHttpClient first(server->port());
  ASSERT_EQ(first.Request("POST", "/echo", "x")->status, 200);
  TestHttpClient second(server->port());
  auto refused = second.Read();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->body,
            R"({"error":{"code":"unavailable","message":"too many open connections"}})");
  EXPECT_TRUE(second.WaitForClose());
  EXPECT_EQ(first.Request("POST", "/echo", "y")->body, "y");
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("vigil_http_connections_rejected_total 1\n"));
}

TEST(HttpServerTest, HandlerMayRespondFromAnotherThread) {
  Router router;
  router.Add("POST", "/later", [](HttpRequest& request, Responder respond) {
    std::thread([body = request.body(), respond = std::move(respond)] {
      respond(Json("later:" + body));
    }).detach();
  });
  auto server = StartServer({}, std::move(router));
  TestHttpClient client(server->port());
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(client.Request("POST", "/later", std::to_string(i))->body,
              fmt::format("later:{}", i));
  }
}

TEST(HttpServerTest, ThrowingHandlerGets500AndServerKeepsServing) {
  auto server = StartServer({}, EchoRouter());
  TestHttpClient client(server->port());
  auto response = client.Request("GET", "/throw");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, R"({"error":{"code":"internal","message":"internal error"}})");
  EXPECT_EQ(client.Request("POST", "/echo", "still")->body, "still");
}

TEST(HttpServerTest, SecondCallOfResponderIsIgnored) {
  Router router;
  router.Add("GET", "/twice", [](HttpRequest&, Responder respond) {
    respond(Json("first"));
    respond(Json("second"));
  });
  auto server = StartServer({}, std::move(router));
  TestHttpClient client(server->port());
  EXPECT_EQ(client.Request("GET", "/twice")->body, "first");
  EXPECT_EQ(client.Request("GET", "/twice")->body, "first");
}

// A handler that parks its responder until the test releases it.
struct ParkedResponders {
  absl::Mutex mu;
  std::vector<Responder> responders;
  absl::Notification arrived;

  Handler MakeHandler() {
    return [this](HttpRequest&, Responder respond) {
      absl::MutexLock lock(&mu);
      responders.push_back(std::move(respond));
      if (!arrived.HasBeenNotified()) arrived.Notify();
    };
  }
};

TEST(HttpServerTest, ShutdownLetsInFlightRequestFinish) {
  ParkedResponders parked;
  Router router = EchoRouter();
  router.Add("GET", "/slow", parked.MakeHandler());
  auto server = StartServer({}, std::move(router));
  TestHttpClient idle(server->port());
  ASSERT_EQ(idle.Request("POST", "/echo", "x")->status, 200);
  TestHttpClient busy(server->port());
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\n\r\n"));
  parked.arrived.WaitForNotification();

  std::thread shutdown([&] { server->Shutdown(10s); });
  // Shutdown closes idle keep-alive connections first: once this one is
  // closed, the drain has begun.
  EXPECT_TRUE(idle.WaitForClose());
  {
    absl::MutexLock lock(&parked.mu);
    parked.responders[0](Json("drained"));
  }
  auto response = busy.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "drained");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(busy.WaitForClose());
  shutdown.join();
  parked.responders.clear();  // or the server's destructor would wait for them
}

// A server whose one route, GET /parked, parks its Responder in `parked`.
std::unique_ptr<HttpServer> StartParkingServer(ParkedResponders& parked) {
  Router router;
  router.Add("GET", "/parked", parked.MakeHandler());
  return StartServer({}, std::move(router));
}

// Sends GET /parked and returns once its handler has parked the Responder.
void ParkOneRequest(TestHttpClient& client, ParkedResponders& parked) {
  ASSERT_TRUE(client.Send("GET /parked HTTP/1.1\r\n\r\n"));
  parked.arrived.WaitForNotification();
}

TEST(HttpServerTest, ShutdownGivesUpOnHandlerThatNeverResponds) {
  ParkedResponders parked;
  auto server = StartParkingServer(parked);
  TestHttpClient client(server->port());
  ParkOneRequest(client, parked);
  server->Shutdown(100ms);
  EXPECT_TRUE(client.WaitForClose());
  // Too late: ignored, and the connection is released.
  parked.responders[0](Json("late"));
  parked.responders.clear();
}

TEST(HttpServerTest, DestroyingTheServerWaitsForAResponderHeldElsewhere) {
  ParkedResponders parked;
  auto server = StartParkingServer(parked);
  TestHttpClient client(server->port());
  ParkOneRequest(client, parked);
  absl::Notification destroying;
  std::atomic<bool> released{false};
  std::thread holder([&] {
    destroying.WaitForNotification();
    std::this_thread::sleep_for(50ms);
    absl::MutexLock lock(&parked.mu);
    parked.responders[0](Json("late"));
    parked.responders.clear();
    released.store(true);
  });
  destroying.Notify();
  server.reset();
  EXPECT_TRUE(released.load());
  holder.join();
}

TEST(HttpServerTest, RecordsMetricsByRouteAndStatus) {
  MetricsRegistry metrics;
  auto server = StartServer({}, EchoRouter(), &metrics);
  {
    TestHttpClient client(server->port());
    for (int i = 0; i < 3; ++i) client.Request("POST", "/echo", "x");
    client.Request("GET", "/items/9");
    client.Request("GET", "/nope");
    client.Request("GET", "/throw");
  }
  server->Shutdown(1s);
  std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("vigil_http_requests_total{route=\"/echo\",status=\"200\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("vigil_http_requests_total{route=\"/items/{id}\",status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vigil_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vigil_http_requests_total{route=\"/throw\",status=\"500\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("vigil_http_request_duration_seconds_count{route=\"/echo\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr("vigil_http_request_duration_seconds_bucket{route=\"/echo\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("vigil_http_connections_accepted_total 1\n"));
  EXPECT_THAT(text, HasSubstr("vigil_http_connections_open 0\n"));
}

TEST(HttpServerTest, AccessLogHasOneLinePerRequestAndNoSecrets) {
  absl::Mutex mu;
  std::vector<std::string> lines;
  HttpServerOptions options;
  options.access_log = [&](std::string_view line) {
    absl::MutexLock lock(&mu);
    lines.emplace_back(line);
  };
  auto server = StartServer(options, EchoRouter());
  TestHttpClient client(server->port());
  auto response = client.Request("POST", "/echo?api_key=secret-query", "secret-body",
                                 "X-API-Key: secret-key-123\r\nAuthorization: Bearer secret-tok\r\n"
                                 "X-Request-Id: log-1\r\n");
  ASSERT_EQ(response->status, 200);
  absl::MutexLock lock(&mu);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"("request_id":"log-1","method":"POST","route":"/echo",)"
                                  R"("status":200,"duration_us":)"));
  EXPECT_THAT(lines[0], HasSubstr(R"("bytes":11})"));
  EXPECT_THAT(lines[0], Not(HasSubstr("secret")));
}

TEST(HttpServerTest, StartFailsOnBadBindAddress) {
  HttpServerOptions options;
  options.bind = "not-an-address";
  options.port = 0;
  auto server = HttpServer::Start(options, Router(), nullptr);
  EXPECT_EQ(server.status(), absl::InvalidArgumentError("bad bind address 'not-an-address'"));
}

TEST(HttpServerTest, StartFailsWhenPortIsTaken) {
  auto first = StartServer({}, EchoRouter());
  HttpServerOptions options;
  options.port = first->port();
  auto second = HttpServer::Start(options, Router(), nullptr);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr(fmt::format("cannot listen on 127.0.0.1:{}", first->port())));
}

}  // namespace
}  // namespace vigil
