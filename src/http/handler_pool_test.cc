#include "http/handler_pool.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "http/http_server.h"
#include "http/test_http_client.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;

HttpResponse Text(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

// A handler that blocks (as a slow store query would) until `release`, for
// at most 10 s, and says which came first.
Handler BlockingHandler(absl::Notification* started, absl::Notification* release) {
  return [started, release](HttpRequest&, Responder respond) {
    if (started != nullptr && !started->HasBeenNotified()) started->Notify();
    const bool released = release->WaitForNotificationWithTimeout(absl::Seconds(10));
    respond(Text(released ? "released" : "timed out"));
  };
}

std::unique_ptr<HttpServer> StartOneIoThread(Router router) {
  auto server = HttpServer::Start({.port = 0, .io_threads = 1}, std::move(router), nullptr);
  EXPECT_TRUE(server.ok()) << server.status();
  return std::move(server).value();
}

TEST(HandlerPoolTest, ABlockingHandlerDoesNotHoldUpTheIoThread) {
  absl::Notification release;
  HandlerPool pool({.threads = 2});
  Router router;
  router.Add("GET", "/slow", pool.Offload(BlockingHandler(nullptr, &release)));
  router.Add("GET", "/fast", [](HttpRequest&, Responder respond) { respond(Text("fast")); });
  auto server = StartOneIoThread(std::move(router));

  std::optional<TestHttpResponse> slow;
  std::thread slow_client([&] { slow = TestHttpClient(server->port()).Request("GET", "/slow"); });
  // With the slow handler on the only I/O thread this would wait for its
  // 10 s timeout, and /slow would answer "timed out".
  TestHttpClient fast_client(server->port());
  auto fast = fast_client.Request("GET", "/fast");
  release.Notify();
  slow_client.join();
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->body, "fast");
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(slow->body, "released");
  server->Shutdown(0ms);
}

TEST(HandlerPoolTest, AFullQueueAnswers503WithRetryAfter) {
  absl::Notification started;
  absl::Notification release;
  HandlerPool pool({.threads = 1, .max_queued = 1});
  Router router;
  router.Add("GET", "/slow", pool.Offload(BlockingHandler(&started, &release)));
  auto server = StartOneIoThread(std::move(router));

  std::optional<TestHttpResponse> running, waiting;
  std::thread first([&] { running = TestHttpClient(server->port()).Request("GET", "/slow"); });
  started.WaitForNotification();  // the only worker is busy
  std::thread second([&] { waiting = TestHttpClient(server->port()).Request("GET", "/slow"); });
  while (pool.queued() < 1) std::this_thread::sleep_for(1ms);  // the queue is full

  auto refused = TestHttpClient(server->port()).Request("GET", "/slow");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("Retry-After"), "1");
  EXPECT_NE(refused->body.find("\"overloaded\""), std::string::npos) << refused->body;
  EXPECT_EQ(pool.rejected(), 1);

  release.Notify();
  first.join();
  second.join();
  ASSERT_TRUE(running.has_value() && waiting.has_value());
  EXPECT_EQ(running->body, "released");
  EXPECT_EQ(waiting->body, "released");  // nothing accepted was lost
  EXPECT_EQ(pool.queued(), 0);
  server->Shutdown(0ms);
}

TEST(HandlerPoolTest, AnExceptionInAnOffloadedHandlerAnswers500) {
  HandlerPool pool({.threads = 1});
  Router router;
  router.Add("GET", "/throw", pool.Offload([](HttpRequest&, Responder) -> void {
    throw std::runtime_error("handler bug");
  }));
  auto server = StartOneIoThread(std::move(router));
  auto response = TestHttpClient(server->port()).Request("GET", "/throw");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  server->Shutdown(0ms);
}

TEST(HandlerPoolTest, StopFinishesTheRunningHandlerAndAnswersTheQueuedOnes503) {
  absl::Notification started;
  absl::Notification release;
  HandlerPool pool({.threads = 1});
  Router router;
  router.Add("GET", "/slow", pool.Offload(BlockingHandler(&started, &release)));
  auto server = StartOneIoThread(std::move(router));
  std::optional<TestHttpResponse> running, waiting;
  std::thread first([&] { running = TestHttpClient(server->port()).Request("GET", "/slow"); });
  started.WaitForNotification();
  std::thread second([&] { waiting = TestHttpClient(server->port()).Request("GET", "/slow"); });
  while (pool.queued() < 1) std::this_thread::sleep_for(1ms);
  std::thread stopper([&] { pool.Stop(); });
  while (!pool.stopped()) std::this_thread::sleep_for(1ms);
  release.Notify();
  stopper.join();
  first.join();
  second.join();
  ASSERT_TRUE(running.has_value() && waiting.has_value());
  EXPECT_EQ(running->body, "released");
  EXPECT_EQ(waiting->status, 503);
  EXPECT_NE(waiting->body.find("\"shutting_down\""), std::string::npos) << waiting->body;
  auto after = TestHttpClient(server->port()).Request("GET", "/slow");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 503);
  server->Shutdown(0ms);
}

TEST(HandlerPoolTest, APostedTaskRunsOnAWorkerAndAQueuedOneStillRunsAtStop) {
  HandlerPool pool({.threads = 1, .max_queued = 1});
  absl::Notification started, release, ran_queued;
  std::thread::id ran_on;
  ASSERT_TRUE(pool.Post([&] {
    ran_on = std::this_thread::get_id();
    started.Notify();
    release.WaitForNotificationWithTimeout(absl::Seconds(10));
  }));
  started.WaitForNotification();
  EXPECT_NE(ran_on, std::this_thread::get_id());
  ASSERT_TRUE(pool.Post([&] { ran_queued.Notify(); }));  // waits for the worker
  EXPECT_FALSE(pool.Post([] {}));                        // the queue is full: do it yourself
  std::thread stopper([&] { pool.Stop(); });
  while (!pool.stopped()) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(pool.Post([] {}));  // stopping
  release.Notify();
  stopper.join();
  EXPECT_TRUE(ran_queued.HasBeenNotified());  // whatever it answers is answered
}

}  // namespace
}  // namespace vigil
