#include "narrate/bedrock_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "narrate/narration_test_util.h"
#include "narrate/openai_client.h"

namespace vigil {
namespace {

const auto kFixedTime = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));

NarrationConfig BedrockConfig() {
  NarrationConfig config;
  config.provider = NarrationProvider::kBedrock;
  config.region = "us-west-2";
  config.model = "anthropic.claude-3-haiku-20240307-v1:0";
  config.access_key_id = "AKIDEXAMPLE";
  config.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  config.session_token = "session-token-example";
  config.max_tokens = 150;
  config.temperature = 0.5;
  return config;
}

std::unique_ptr<BedrockClient> MakeClient(const NarrationConfig& config) {
  return std::move(
      *BedrockClient::Create(config, std::move(*HttpClient::Create()), [] { return kFixedTime; }));
}

TEST(BedrockClientTest, TargetsConverseWithTheModelIdEncoded) {
  EXPECT_EQ(MakeClient(BedrockConfig())->target(),
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
}

TEST(BedrockClientTest, SignsTheConverseRequestAsRecomputedByHand) {
  const auto client = MakeClient(BedrockConfig());
  const std::string body = client->RequestBody(BuildNarrationPrompt(SampleNarrationRequest()));
  const HttpHeaders headers = client->SignedHeaders(body, kFixedTime);

  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>("Content-Type", "application/json")));
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>("Accept", "application/json")));
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>("X-Amz-Date", "20150830T123600Z")));
  EXPECT_EQ(headers[3],
            (std::pair<std::string, std::string>("X-Amz-Security-Token", "session-token-example")));
  EXPECT_EQ(headers[4].first, "Authorization");

  // The path is signed double-encoded (':' -> %3A on the wire -> %253A).
  const std::string signature = BedrockSignatureByHand(
      "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse",
      {{"accept", "application/json"},
       {"content-type", "application/json"},
       {"host", "bedrock-runtime.us-west-2.amazonaws.com"},
       {"x-amz-date", "20150830T123600Z"},
       {"x-amz-security-token", "session-token-example"}},
      body, "20150830T123600Z", "us-west-2", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(headers[4].second,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/bedrock/aws4_request, "
            "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, "
            "Signature=" +
                signature);
}

TEST(BedrockClientTest, WithoutSessionTokenSendsNoTokenHeader) {
  NarrationConfig config = BedrockConfig();
  config.session_token = "";
  const HttpHeaders headers = MakeClient(config)->SignedHeaders("{}", kFixedTime);
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_NE(headers[3].second.find("SignedHeaders=accept;content-type;host;x-amz-date, "),
            std::string::npos);
}

TEST(BedrockClientTest, RequestBodyHasMessagesSystemAndInferenceConfig) {
  const NarrationPrompt prompt{"SYSTEM", "USER"};
  const nlohmann::json body =
      nlohmann::json::parse(MakeClient(BedrockConfig())->RequestBody(prompt));
  EXPECT_EQ(body, nlohmann::json::parse(R"({
    "messages": [{"role": "user", "content": [{"text": "USER"}]}],
    "system": [{"text": "SYSTEM"}],
    "inferenceConfig": {"maxTokens": 150, "temperature": 0.5}})"));
}

TEST(BedrockClientTest, ParsesConverseAnswers) {
  EXPECT_EQ(*ParseConverseResponse(
                R"({"output":{"message":{"role":"assistant","content":[{"text":" Hi. "}]}},)"
                R"("stopReason":"end_turn"})"),
            "Hi.");
  EXPECT_EQ(ParseConverseResponse(R"({"output":{}})").status().message(),
            "the answer has no output.message.content array");
  EXPECT_EQ(ParseConverseResponse("not json").status().message(), "the answer is not JSON");
  EXPECT_EQ(ParseConverseResponse(R"({"output":{"message":{"content":[{"text":"  "}]}}})")
                .status()
                .message(),
            "the model's answer is empty");
}

TEST(OpenAiClientTest, ParsesChatCompletions) {
  EXPECT_EQ(
      *ParseChatCompletion(R"({"choices":[{"message":{"role":"assistant","content":"Ok."}}]})"),
      "Ok.");
  EXPECT_EQ(ParseChatCompletion(R"({"choices":[]})").status().message(),
            "the answer has no choices[0].message.content string");
  EXPECT_EQ(ParseChatCompletion(R"([1,2])").status().message(),
            "the answer has no choices[0].message.content string");
}

TEST(OpenAiClientTest, AppendsTheChatCompletionsPath) {
  NarrationConfig config;
  config.provider = NarrationProvider::kOpenAi;
  config.model = "m";
  auto http = std::shared_ptr<const HttpClient>(std::move(*HttpClient::Create()));
  config.endpoint = "http://127.0.0.1:8080";
  EXPECT_EQ((*OpenAiClient::Create(config, http))->target(), "/v1/chat/completions");
  config.endpoint = "http://localhost:11434/v1/";
  EXPECT_EQ((*OpenAiClient::Create(config, http))->target(), "/v1/chat/completions");
  config.endpoint = "http://host/api/chat/completions";
  EXPECT_EQ((*OpenAiClient::Create(config, http))->target(), "/api/chat/completions");
}

}  // namespace
}  // namespace vigil
