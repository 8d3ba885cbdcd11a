#include "service/serve_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace vigil {
namespace {

using ::testing::HasSubstr;

// Writes `text` to a TOML file of its own and loads it.
StatusOr<ServeConfig> Load(const std::string& text) {
  static int n = 0;
  const std::string path =
      fmt::format("{}/vigil_config_{}_{}.toml", ::testing::TempDir(), getpid(), n++);
  std::ofstream(path) << text;
  auto config = LoadServeConfig(path);
  std::remove(path.c_str());
  return config;
}

TEST(ServeConfig, ReadsEverySection) {
  auto c = Load(R"(
[server]
port = 9000
worker_threads = 8
access_log = false
[store]
retention_days = 30
wal_checkpoint_pages = 1000
rollup_interval_seconds = 60
[models]
dir = "m"
challenger_order = "v2"
challenger_share = 0.25
[policy.order]
medium = 0.3
high = 0.6
critical = 0.8
[rate_limits]
analyst = { per_second = 5, burst = 10 }
[similar]
capacity = 0
cpu_share = 0.5
[narration]
provider = "openai"
endpoint = "http://127.0.0.1:1"
model = "m"
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->worker_threads, 8);
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(c->retention_days, 30);
  EXPECT_EQ(c->wal_checkpoint_pages, 1000);
  EXPECT_EQ(c->rollup_interval_seconds, 60);
  EXPECT_EQ(c->models_dir, "m");
  EXPECT_EQ(c->challenger_order, "v2");
  EXPECT_DOUBLE_EQ(c->challenger_share, 0.25);
  EXPECT_DOUBLE_EQ(c->policy.thresholds(DecisionKind::kOrder).high, 0.6);
  EXPECT_DOUBLE_EQ(c->rate_limits.at("analyst").burst, 10);
  EXPECT_EQ(c->similar_capacity, 0);
  EXPECT_DOUBLE_EQ(c->similar_cpu_share, 0.5);
  EXPECT_EQ(c->narration.provider, NarrationProvider::kOpenAi);
  EXPECT_TRUE(Validate(*c).ok());
}

TEST(ServeConfig, RejectsUnknownKeysAndTablesNamingThem) {
  EXPECT_THAT(Load("[server]\nprot = 1\n").status().message(), HasSubstr("prot"));
  EXPECT_THAT(Load("[policy.orders]\nhigh = 0.5\n").status().message(), HasSubstr("orders"));
  EXPECT_THAT(Load("server = 5\n").status().message(), HasSubstr("server"));
  EXPECT_THAT(Load("[narration]\nprovider = \"gpt\"\n").status().message(), HasSubstr("provider"));
}

TEST(ServeConfig, RejectsIntegersThatDoNotFit) {
  EXPECT_THAT(Load("[server]\nport = 4294985376\n").status().message(), HasSubstr("out of range"));
}

TEST(ServeConfig, ValidateRefusesABurstOfZeroAndFallingThresholds) {
  ServeConfig c;
  c.rate_limits["analyst"] = {.tokens_per_second = 5, .burst = 0};
  EXPECT_THAT(Validate(c).message(), HasSubstr("burst"));
  ServeConfig d;
  d.policy = Policy({.medium = 0.5, .high = 0.4, .critical = 0.9}, {});
  EXPECT_THAT(Validate(d).message(), HasSubstr("policy.order"));
  ServeConfig e;
  e.similar_cpu_share = 0;
  EXPECT_THAT(Validate(e).message(), HasSubstr("similar.cpu_share"));
  ServeConfig f;
  f.worker_threads = 0;
  EXPECT_THAT(Validate(f).message(), HasSubstr("worker_threads must be between 1 and 256"));
  ServeConfig g;
  g.rollup_interval_seconds = 0;
  EXPECT_THAT(Validate(g).message(), HasSubstr("rollup_interval_seconds must be 1..3600"));
}

TEST(ServeConfig, EnvironmentOverridesAndIsRangeChecked) {
  ServeConfig c;
  setenv("VIGIL_PORT", "9100", 1);
  ASSERT_TRUE(ApplyEnvironment(&c).ok());
  EXPECT_EQ(c.port, 9100);
  setenv("VIGIL_PORT", "4294985377", 1);
  EXPECT_FALSE(ApplyEnvironment(&c).ok());
  unsetenv("VIGIL_PORT");
}

TEST(ServeConfig, ReadsThePaymentFlowAndFraudThresholdFromTheEnvironment) {
  auto c = Load(R"(
[payment]
fraud_threshold = 0.7
verification_ttl_seconds = 600
expired_status = "manual_review"
no_sms_status = "declined"
sms_shows_amount = false
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->fraud_threshold, 0.7);
  EXPECT_EQ(c->verification_ttl_seconds, 600);
  EXPECT_EQ(c->expired_status, "manual_review");
  EXPECT_EQ(c->no_sms_status, "declined");
  EXPECT_FALSE(c->sms_shows_amount);
  EXPECT_TRUE(Validate(*c).ok());

  // The second seed's variable wins over the file.
  setenv("FRAUD_THRESHOLD", "0.35", 1);
  ASSERT_TRUE(ApplyEnvironment(&*c).ok());
  EXPECT_DOUBLE_EQ(c->fraud_threshold, 0.35);
  setenv("FRAUD_THRESHOLD", "high", 1);
  EXPECT_THAT(ApplyEnvironment(&*c).message(), HasSubstr("FRAUD_THRESHOLD='high'"));
  unsetenv("FRAUD_THRESHOLD");

  c->expired_status = "approved";
  EXPECT_THAT(Validate(*c).message(), HasSubstr("payment.expired_status"));
  auto unknown = Load("[payment]\nthreshold = 0.5\n");
  EXPECT_FALSE(unknown.ok());
}

}  // namespace
}  // namespace vigil
