#include "narrate/narration_config.h"

#include <gtest/gtest.h>

#include "narrate/url.h"

namespace vigil {
namespace {

NarrationConfig ValidBedrockConfig() {
  NarrationConfig config;
  config.provider = NarrationProvider::kBedrock;
  config.model = "anthropic.claude-3-haiku-20240307-v1:0";
  config.access_key_id = "AKIDEXAMPLE";
  config.secret_access_key = "secret";
  return config;
}

TEST(NarrationConfigTest, DefaultIsOffAndValid) {
  const NarrationConfig config;
  EXPECT_EQ(config.provider, NarrationProvider::kNone);
  EXPECT_EQ(config.budget_ms, 300);
  EXPECT_TRUE(ValidateNarrationConfig(config).ok());
}

TEST(NarrationConfigTest, OpenAiNeedsEndpointAndModel) {
  NarrationConfig config;
  config.provider = NarrationProvider::kOpenAi;
  config.endpoint = "http://127.0.0.1:8080";
  EXPECT_EQ(ValidateNarrationConfig(config).message(), "narration.model: is required");
  config.model = "llama3";
  config.endpoint = "";
  EXPECT_EQ(ValidateNarrationConfig(config).message(), "narration.endpoint: is required");
  config.endpoint = "ftp://host";
  EXPECT_EQ(ValidateNarrationConfig(config).message(),
            "narration.endpoint: 'ftp://host' is not an http:// or https:// URL");
  config.endpoint = "http://localhost:11434/v1";
  EXPECT_TRUE(ValidateNarrationConfig(config).ok());
}

TEST(NarrationConfigTest, BedrockNeedsRegionAndKeys) {
  EXPECT_TRUE(ValidateNarrationConfig(ValidBedrockConfig()).ok());
  NarrationConfig config = ValidBedrockConfig();
  config.secret_access_key = "";
  EXPECT_EQ(ValidateNarrationConfig(config).message(),
            "narration.secret_access_key: is required for bedrock");
  config = ValidBedrockConfig();
  config.access_key_id = "";
  EXPECT_EQ(ValidateNarrationConfig(config).message(),
            "narration.access_key_id: is required for bedrock");
  config = ValidBedrockConfig();
  config.region = "us east";
  EXPECT_EQ(ValidateNarrationConfig(config).message(),
            "narration.region: 'us east' is not a region name");
}

TEST(NarrationConfigTest, NumbersAreRangeChecked) {
  NarrationConfig config;
  config.budget_ms = 0;
  EXPECT_EQ(ValidateNarrationConfig(config).message(), "narration.budget_ms: must be 1..60000");
  config = {};
  config.cache_capacity = -1;
  EXPECT_EQ(ValidateNarrationConfig(config).message(), "narration.cache_capacity: must be >= 0");
  config = {};
  config.temperature = 3;
  EXPECT_EQ(ValidateNarrationConfig(config).message(), "narration.temperature: must be 0..2");
  config = {};
  config.max_tokens = 0;
  EXPECT_EQ(ValidateNarrationConfig(config).message(), "narration.max_tokens: must be 1..8192");
}

TEST(NarrationConfigTest, ParsesProviderNames) {
  EXPECT_EQ(*ParseNarrationProvider("bedrock"), NarrationProvider::kBedrock);
  EXPECT_EQ(*ParseNarrationProvider("openai"), NarrationProvider::kOpenAi);
  EXPECT_EQ(*ParseNarrationProvider("none"), NarrationProvider::kNone);
  EXPECT_EQ(ParseNarrationProvider("claude").status().message(),
            "narration.provider: 'claude' is not one of none, openai, bedrock");
  EXPECT_EQ(NarrationProviderName(NarrationProvider::kOpenAi), "openai");
}

TEST(UrlTest, ParsesSchemeHostPortAndPath) {
  const Url url = *ParseUrl("https://bedrock-runtime.us-east-1.amazonaws.com");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "bedrock-runtime.us-east-1.amazonaws.com");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.path, "");
  EXPECT_EQ(url.HostHeader(), "bedrock-runtime.us-east-1.amazonaws.com");

  const Url local = *ParseUrl("http://127.0.0.1:8080/v1");
  EXPECT_FALSE(local.tls);
  EXPECT_EQ(local.port, "8080");
  EXPECT_EQ(local.path, "/v1");
  EXPECT_EQ(local.HostHeader(), "127.0.0.1:8080");

  const Url v6 = *ParseUrl("http://[::1]:9000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.HostHeader(), "[::1]:9000");
}

TEST(UrlTest, RejectsWhatAnEndpointCannotHave) {
  EXPECT_EQ(ParseUrl("http://host:99999").status().message(), "bad port '99999'");
  EXPECT_EQ(ParseUrl("http://:80").status().message(), "the URL has no host");
  EXPECT_EQ(ParseUrl("http://user@host").status().message(),
            "the URL must not have a query, fragment or user info");
}

}  // namespace
}  // namespace vigil
