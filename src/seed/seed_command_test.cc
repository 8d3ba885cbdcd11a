// `vigil seed`'s checks of its flags: each mistake is a clear message naming
// the flag, and nothing is written.
#include "seed/seed_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <utility>

#include "seed/seed_test_dir.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

using vigil::testing::kNow;

Status Seed(const SeedRequest& request) { return RunSeed(request, kNow).status(); }

SeedRequest ToServer() {
  SeedRequest r;
  r.url = "http://127.0.0.1:1";
  r.api_key = "vk_x";
  return r;
}

TEST(SeedCommandTest, WantsExactlyOneTarget) {
  SeedRequest neither;
  EXPECT_EQ(Seed(neither),
            absl::InvalidArgumentError(
                "where to? give --url http://HOST:PORT (a running vigil serve) or --data-dir "
                "STORE (its store directory)"));
  SeedRequest both = ToServer();
  both.data_dir = "/tmp";
  EXPECT_EQ(Seed(both),
            absl::InvalidArgumentError(
                "give --url (a running vigil serve) or --data-dir (its store), not both"));
}

TEST(SeedCommandTest, RejectsAnUnknownWhat) {
  SeedRequest r = ToServer();
  r.what = "payments";
  EXPECT_EQ(Seed(r),
            absl::InvalidArgumentError("--what payments: want accounts, transactions or all"));
}

TEST(SeedCommandTest, RejectsABadUrl) {
  SeedRequest r = ToServer();
  r.url = "127.0.0.1:8080";
  const Status status = Seed(r);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--url 127.0.0.1:8080: '127.0.0.1:8080' is not an "
                                          "http:// or https:// URL (want e.g. "
                                          "http://127.0.0.1:8080)"));
}

TEST(SeedCommandTest, SaysWhichKeyIsMissing) {
  SeedRequest r = ToServer();
  r.api_key.clear();
  EXPECT_THAT(Seed(r).message(),
              HasSubstr("accounts need an API key with the admin role: give --admin-key or "
                        "--api-key"));
  r.what = "transactions";
  EXPECT_THAT(Seed(r).message(),
              HasSubstr("payments need an API key with the scorer (or admin) role"));
  r.scorer_key = "vk_scorer";
  r.what = "all";
  EXPECT_THAT(Seed(r).message(), HasSubstr("accounts need an API key with the admin role"));
}

TEST(SeedCommandTest, RejectsANegativeRateAndARateWithoutAServer) {
  SeedRequest r = ToServer();
  r.rate = -1;
  EXPECT_THAT(Seed(r).message(), HasSubstr("--rate -1: want payments per second"));
  SeedRequest embedded;
  embedded.data_dir = "/tmp";
  embedded.rate = 5;
  EXPECT_EQ(Seed(embedded),
            absl::InvalidArgumentError("--rate paces requests to a server: use it with --url"));
}

TEST(SeedCommandTest, ChecksThePlanOptionsBeforeWritingAnything) {
  testing::TestDir dir;
  SeedRequest r;
  r.data_dir = dir.path();
  r.plan.accounts = 0;
  EXPECT_EQ(Seed(r), absl::InvalidArgumentError("--accounts 0: want 1 to 99999"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // no store was opened
}

// Runs the real binary; returns its exit code and merged output.
std::pair<int, std::string> RunVigil(const std::string& args) {
  const std::string command = std::string(VIGIL_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(SeedCommandTest, TheBinaryExitsWithAMessageOnBadFlags) {
  auto [code, output] = RunVigil("seed --data-dir /tmp --fraud-share 2");
  EXPECT_EQ(code, 2);
  EXPECT_EQ(output, "vigil: --fraud-share 2: want a share from 0 to 1, such as 0.05\n");
  std::tie(code, output) = RunVigil("seed");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("where to? give --url"));
  std::tie(code, output) = RunVigil("seed --url http://127.0.0.1:8080 --what accounts");
  EXPECT_EQ(code, 2);
  EXPECT_THAT(output, HasSubstr("accounts need an API key with the admin role"));
  std::tie(code, output) = RunVigil("seed --data-dir /nonexistent/vigil-store");
  EXPECT_EQ(code, 1);
  EXPECT_THAT(output, HasSubstr("--data-dir /nonexistent/vigil-store: no such directory"));
}

TEST(SeedCommandTest, TheBinarySeedsAStoreAndPrintsASummary) {
  testing::TestDir dir;
  auto [code, output] =
      RunVigil(fmt::format("seed --data-dir {} --accounts 5 --transactions 30", dir.path()));
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("accounts:     5 created, 0 updated, 0 unchanged"));
  EXPECT_THAT(output, HasSubstr("transactions: 30 (30 new, 0 already there); 2 fraud-like"));
  std::tie(code, output) =
      RunVigil(fmt::format("seed --data-dir {} --accounts 5 --transactions 30", dir.path()));
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("accounts:     0 created, 0 updated, 5 unchanged"));
  EXPECT_THAT(output, HasSubstr("transactions: 30 (0 new, 30 already there)"));
}

}  // namespace
}  // namespace vigil
