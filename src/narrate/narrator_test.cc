#include "narrate/narrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "http/fake_http_server.h"
#include "narrate/bedrock_client.h"
#include "narrate/narration_test_util.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

NarrationConfig OpenAiConfig(const FakeHttpServer& server) {
  NarrationConfig config;
  config.provider = NarrationProvider::kOpenAi;
  config.endpoint = server.endpoint();
  config.model = "llama-3-8b";
  config.api_key = "test-key";
  config.budget_ms = 2000;  // generous: the failing cases end long before
  return config;
}

NarrationConfig BedrockConfig(const FakeHttpServer& server) {
  NarrationConfig config;
  config.provider = NarrationProvider::kBedrock;
  config.endpoint = server.endpoint();
  config.region = "ap-south-1";
  config.model = "anthropic.claude-3-haiku-20240307-v1:0";
  config.access_key_id = "AKIDEXAMPLE";
  config.secret_access_key = kSecret;
  config.session_token = "token-1";
  config.budget_ms = 2000;
  return config;
}

std::unique_ptr<Narrator> MustMake(const NarrationConfig& config) {
  StatusOr<std::unique_ptr<Narrator>> narrator = MakeNarrator(config);
  EXPECT_TRUE(narrator.ok()) << narrator.status();
  return std::move(*narrator);
}

FakeHttpServer::Reply ChatAnswer(const std::string& text) {
  return {200, {}, nlohmann::json{{"choices", {{{"message", {{"content", text}}}}}}}.dump()};
}

FakeHttpServer::Reply Fixed(int status, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {status, std::move(headers), std::move(body)};
}

// What the fake OpenAI server saw last.
struct Seen {
  absl::Mutex mutex;
  std::string target ABSL_GUARDED_BY(mutex);
  std::string authorization ABSL_GUARDED_BY(mutex);
  std::string body ABSL_GUARDED_BY(mutex);
};

TEST(NarratorOpenAiTest, ReturnsTheModelTextAndSendsThePrompt) {
  Seen seen;
  FakeHttpServer server([&seen](const FakeHttpServer::Request& request) {
    absl::MutexLock lock(&seen.mutex);
    seen.target = std::string(request.target());
    seen.authorization = std::string(request[boost::beast::http::field::authorization]);
    seen.body = request.body();
    return ChatAnswer("  Verify this order with an OTP: most past orders came back. ");
  });
  const auto narrator = MustMake(OpenAiConfig(server));
  const Narration n = narrator->Narrate(SampleNarrationRequest());

  EXPECT_EQ(n.text, "Verify this order with an OTP: most past orders came back.");
  EXPECT_EQ(n.source, NarrationSource::kLlm);
  EXPECT_EQ(NarrationSourceName(n.source), "llm");
  EXPECT_FALSE(n.cached);
  EXPECT_EQ(n.fallback_reason, "");
  EXPECT_EQ(server.requests(), 1);
  absl::MutexLock lock(&seen.mutex);
  EXPECT_EQ(seen.target, "/v1/chat/completions");
  EXPECT_EQ(seen.authorization, "Bearer test-key");
  const nlohmann::json body = nlohmann::json::parse(seen.body);
  const NarrationPrompt prompt = BuildNarrationPrompt(SampleNarrationRequest());
  EXPECT_EQ(body["model"], "llama-3-8b");
  EXPECT_EQ(body["messages"][0]["content"], prompt.system);
  EXPECT_EQ(body["messages"][1]["content"], prompt.user);
  EXPECT_EQ(body["max_tokens"], 200);
}

// Verifies SigV4 on what arrived, recomputing it by hand; 403 when it does
// not match, as AWS would.
FakeHttpServer::Reply VerifyingBedrock(const FakeHttpServer::Request& request,
                                       const std::string& host) {
  namespace http = boost::beast::http;
  const std::string amz_date(request["x-amz-date"]);
  std::string canonical_uri;  // the wire path, encoded once more
  for (char c : std::string(request.target()))
    canonical_uri += c == '%' ? "%25" : std::string(1, c);
  const std::string expected =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + amz_date.substr(0, 8) +
      "/ap-south-1/bedrock/aws4_request, "
      "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=" +
      BedrockSignatureByHand(
          canonical_uri,
          {{"accept", std::string(request[http::field::accept])},
           {"content-type", std::string(request[http::field::content_type])},
           {"host", host},
           {"x-amz-date", amz_date},
           {"x-amz-security-token", std::string(request["x-amz-security-token"])}},
          request.body(), amz_date, "ap-south-1", kSecret);
  if (std::string(request[http::field::host]) != host ||
      std::string(request[http::field::authorization]) != expected ||
      request.target() != "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse") {
    return Fixed(403, R"({"message":"The request signature we calculated does not match"})",
                 {{"x-amzn-ErrorType", "InvalidSignatureException"}});
  }
  const nlohmann::json body = nlohmann::json::parse(request.body());
  if (body["messages"][0]["content"][0]["text"] !=
      BuildNarrationPrompt(SampleNarrationRequest()).user) {
    return Fixed(400, R"({"message":"unexpected prompt"})");
  }
  return Fixed(
      200, R"({"output":{"message":{"role":"assistant","content":[{"text":"Ask for an OTP."}]}},)"
           R"("stopReason":"end_turn","usage":{"inputTokens":90,"outputTokens":6}})");
}

TEST(NarratorOpenAiTest, ResolvesAHostName) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return ChatAnswer("Resolved."); });
  NarrationConfig config = OpenAiConfig(server);
  config.endpoint = "http://localhost:" + std::to_string(server.port());
  const Narration n = MustMake(config)->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.fallback_reason, "");
  EXPECT_EQ(n.text, "Resolved.");
}

TEST(NarratorBedrockTest, ReturnsTheModelTextWhenTheSignatureVerifies) {
  std::string host;
  FakeHttpServer server(
      [&host](const FakeHttpServer::Request& request) { return VerifyingBedrock(request, host); });
  host = "127.0.0.1:" + std::to_string(server.port());
  const Narration n = MustMake(BedrockConfig(server))->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.fallback_reason, "");
  EXPECT_EQ(n.text, "Ask for an OTP.");
  EXPECT_EQ(n.source, NarrationSource::kLlm);
  EXPECT_EQ(server.requests(), 1);
}

TEST(NarratorBedrockTest, AWrongSecretIsRejectedByTheServerAndTheTemplateStands) {
  std::string host;
  FakeHttpServer server(
      [&host](const FakeHttpServer::Request& request) { return VerifyingBedrock(request, host); });
  host = "127.0.0.1:" + std::to_string(server.port());
  NarrationConfig config = BedrockConfig(server);
  config.secret_access_key = "not-the-secret";
  const Narration n = MustMake(config)->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_EQ(n.text, TemplateText(SampleNarrationRequest().explanation));
  EXPECT_THAT(n.fallback_reason, StartsWith("UNAVAILABLE: HTTP 403"));
}

TEST(NarratorBedrockTest, ThrottlingExceptionFallsBackAndIsCounted) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    return Fixed(429, R"({"message":"Too many requests, please wait before trying again."})",
                 {{"x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/"}});
  });
  const auto narrator = MustMake(BedrockConfig(server));
  const Narration n = narrator->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_THAT(n.fallback_reason, StartsWith("RESOURCE_EXHAUSTED: throttled (HTTP 429)"));
  EXPECT_EQ(narrator->stats().throttled, 1u);
  EXPECT_EQ(narrator->stats().fallback, 1u);
}

TEST(NarratorFallbackTest, ServerErrorLeavesTheTemplate) {
  FakeHttpServer server(
      [](const FakeHttpServer::Request&) { return Fixed(500, R"({"error":"boom"})"); });
  const Narration n = MustMake(OpenAiConfig(server))->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_EQ(NarrationSourceName(n.source), "template");
  EXPECT_EQ(n.text, TemplateText(SampleNarrationRequest().explanation));
  EXPECT_EQ(n.fallback_reason, R"(UNAVAILABLE: HTTP 500: {"error":"boom"})");
}

TEST(NarratorFallbackTest, Http429IsThrottling) {
  FakeHttpServer server(
      [](const FakeHttpServer::Request&) { return Fixed(429, R"({"error":"rate limited"})"); });
  const auto narrator = MustMake(OpenAiConfig(server));
  const Narration n = narrator->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_EQ(n.fallback_reason,
            R"(RESOURCE_EXHAUSTED: throttled (HTTP 429): {"error":"rate limited"})");
  EXPECT_EQ(narrator->stats().throttled, 1u);
}

TEST(NarratorFallbackTest, MalformedJsonLeavesTheTemplate) {
  FakeHttpServer server(
      [](const FakeHttpServer::Request&) { return Fixed(200, "{\"choices\": ["); });
  const Narration n = MustMake(OpenAiConfig(server))->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_EQ(n.fallback_reason, "INTERNAL: the answer is not JSON");
}

TEST(NarratorFallbackTest, AServerThatNeverAnswersMeetsTheBudget) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    FakeHttpServer::Reply reply;
    reply.never_answer = true;
    return reply;
  });
  NarrationConfig config = OpenAiConfig(server);
  config.budget_ms = 150;
  const auto narrator = MustMake(config);
  const Narration n = narrator->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_THAT(n.fallback_reason, HasSubstr("DEADLINE_EXCEEDED"));
  EXPECT_GE(n.latency, std::chrono::milliseconds(150));
  EXPECT_LT(n.latency, std::chrono::seconds(5));
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(narrator->stats().timed_out, 1u);
}

TEST(NarratorFallbackTest, ConnectionRefusedLeavesTheTemplate) {
  NarrationConfig config;
  config.provider = NarrationProvider::kOpenAi;
  config.endpoint = "http://127.0.0.1:" + std::to_string(FakeHttpServer::UnusedPort());
  config.model = "m";
  const Narration n = MustMake(config)->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_THAT(n.fallback_reason, StartsWith("UNAVAILABLE: 127.0.0.1:"));
  EXPECT_THAT(n.fallback_reason, HasSubstr("refused"));
}

TEST(NarratorFallbackTest, HttpsToAServerWithoutTlsFailsTheHandshake) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return ChatAnswer("never read"); });
  NarrationConfig config = OpenAiConfig(server);
  config.endpoint = "https://127.0.0.1:" + std::to_string(server.port());
  const Narration n = MustMake(config)->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_THAT(n.fallback_reason, StartsWith("UNAVAILABLE: 127.0.0.1:"));
}

TEST(NarratorCacheTest, ARepeatedPatternDoesNotCallTheModelAgain) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return ChatAnswer("Narrated."); });
  const auto narrator = MustMake(OpenAiConfig(server));
  ASSERT_EQ(narrator->Narrate(SampleNarrationRequest()).source, NarrationSource::kLlm);
  NarrationRequest similar = SampleNarrationRequest();
  similar.factors[0].value = 0.669f;  // rounds to the same 0.67
  const Narration n = narrator->Narrate(similar);
  EXPECT_EQ(n.text, "Narrated.");
  EXPECT_EQ(n.source, NarrationSource::kLlm);
  EXPECT_TRUE(n.cached);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(narrator->stats().llm, 1u);
  EXPECT_EQ(narrator->stats().cached, 1u);
}

TEST(NarratorCacheTest, HoldsAtMostItsCapacity) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return ChatAnswer("Narrated."); });
  NarrationConfig config = OpenAiConfig(server);
  config.cache_capacity = 2;
  const auto narrator = MustMake(config);
  NarrationRequest request = SampleNarrationRequest();
  for (const char* version : {"v1", "v2", "v3"}) {
    request.model_version = version;
    EXPECT_FALSE(narrator->Narrate(request).cached);
  }
  EXPECT_EQ(narrator->cache_size(), 2u);
  request.model_version = "v1";  // evicted first
  EXPECT_FALSE(narrator->Narrate(request).cached);
  EXPECT_EQ(server.requests(), 4);
  request.model_version = "v3";
  EXPECT_TRUE(narrator->Narrate(request).cached);
  EXPECT_EQ(server.requests(), 4);
}

TEST(NarratorCacheTest, FailuresAreNotCached) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return Fixed(503, "busy"); });
  const auto narrator = MustMake(OpenAiConfig(server));
  narrator->Narrate(SampleNarrationRequest());
  narrator->Narrate(SampleNarrationRequest());
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(narrator->cache_size(), 0u);
}

TEST(NarratorAsyncTest, DeliversTheNarrationThroughTheCallback) {
  FakeHttpServer server([](const FakeHttpServer::Request&) { return ChatAnswer("Later."); });
  const auto narrator = MustMake(OpenAiConfig(server));
  absl::Notification done;
  Narration result;
  narrator->NarrateAsync(SampleNarrationRequest(), [&](Narration n) {
    result = std::move(n);
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_EQ(result.text, "Later.");
  EXPECT_EQ(result.source, NarrationSource::kLlm);
}

TEST(NarratorAsyncTest, AFullQueueAnswersWithTheTemplateAtOnce) {
  FakeHttpServer server([](const FakeHttpServer::Request&) {
    FakeHttpServer::Reply reply;
    reply.never_answer = true;
    return reply;
  });
  NarrationConfig config = OpenAiConfig(server);
  config.async_workers = 1;
  config.async_queue_capacity = 0;
  config.async_budget_ms = 100;
  const auto narrator = MustMake(config);
  absl::Notification first_done;
  Narration first;
  narrator->NarrateAsync(SampleNarrationRequest(), [&](Narration n) {
    first = std::move(n);
    first_done.Notify();
  });
  bool second_called = false;
  Narration second;
  narrator->NarrateAsync(SampleNarrationRequest(), [&](Narration n) {
    second = std::move(n);
    second_called = true;
  });
  EXPECT_TRUE(second_called);  // on this thread, before NarrateAsync returned
  EXPECT_EQ(second.source, NarrationSource::kTemplate);
  EXPECT_EQ(second.fallback_reason, "queue full");
  EXPECT_EQ(narrator->stats().dropped, 1u);
  first_done.WaitForNotification();
  EXPECT_EQ(first.source, NarrationSource::kTemplate);
  EXPECT_THAT(first.fallback_reason, HasSubstr("DEADLINE_EXCEEDED"));
}

TEST(NarratorNoneTest, AlwaysAnswersWithTheTemplate) {
  const auto narrator = MustMake(NarrationConfig{});
  EXPECT_FALSE(narrator->enabled());
  const Narration n = narrator->Narrate(SampleNarrationRequest());
  EXPECT_EQ(n.source, NarrationSource::kTemplate);
  EXPECT_EQ(n.text, TemplateText(SampleNarrationRequest().explanation));
  EXPECT_EQ(n.fallback_reason, "narration is off");
  bool called = false;
  narrator->NarrateAsync(SampleNarrationRequest(), [&](Narration async) {
    called = true;
    EXPECT_EQ(async.source, NarrationSource::kTemplate);
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(narrator->stats().fallback, 0u);
}

TEST(MakeNarratorTest, RejectsAnInvalidConfigNamingTheField) {
  NarrationConfig config;
  config.provider = NarrationProvider::kBedrock;
  config.model = "m";
  EXPECT_EQ(MakeNarrator(config).status().message(),
            "narration.access_key_id: is required for bedrock");
}

}  // namespace
}  // namespace vigil
