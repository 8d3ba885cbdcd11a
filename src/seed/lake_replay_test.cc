// `vigil replay` against a real `vigil serve` in this process: the shared
// generated marketplace's last days held back by `vigil ingest --until`, then
// sent through the API with the real HTTP client.
#include "seed/lake_replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "seed/seed_test_dir.h"
#include "service/ingest_command.h"
#include "service/service_fixture_for_test.h"
#include "service/vigil_server.h"

namespace vigil {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// The shared lake runs from 2025-07-15 for 90 days: its last four days.
constexpr char kCut[] = "2025-10-09";
// orders.csv's ordered_at and returns.csv's requested_at are written with
// +05:30, so the cut compares as text.
constexpr char kCutText[] = "2025-10-09T00:00:00+05:30";

// The ids in `file` whose time column (0-based `column`) is at or after the cut.
std::vector<std::string> IdsFromTheCut(const std::string& file, size_t column) {
  std::ifstream in(testing::SharedMarketplace().data_dir + "/" + file);
  std::vector<std::string> ids;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() > column && cells[column] >= kCutText) ids.push_back(cells[0]);
  }
  return ids;
}

class LakeReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_dir_ = dir_.path() + "/store";
    std::filesystem::create_directories(store_dir_);
    cut_ = *ParseTimestamp(kCut);
  }

  StatusOr<IngestSummary> Ingest(std::optional<Timestamp> until) {
    IngestRequest request{
        .data_dir = testing::SharedMarketplace().data_dir, .store_dir = store_dir_, .until = until};
    FILE* quiet = std::fopen("/dev/null", "w");
    auto summary = RunIngest(request, quiet);
    std::fclose(quiet);
    return summary;
  }

  void StartServer() {
    scorer_ = testing::CreateKey(store_dir_, "scorer");
    analyst_ = testing::CreateKey(store_dir_, "analyst");
    ServeConfig config;
    config.data_dir = store_dir_;
    config.models_dir = testing::SharedMarketplace().models_dir;
    config.port = 0;
    config.access_log = false;
    config.archive_interval_minutes = 0;
    auto server = VigilServer::Start(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  StatusOr<ReplaySummary> Replay(const std::string& key) {
    ReplayRequest request{.data_dir = testing::SharedMarketplace().data_dir,
                          .from = cut_,
                          .url = fmt::format("http://127.0.0.1:{}", server_->port()),
                          .api_key = key};
    FILE* quiet = std::fopen("/dev/null", "w");
    auto summary = ReplayLake(request, quiet);
    std::fclose(quiet);
    return summary;
  }

  json Get(const std::string& target) {
    TestHttpClient client(server_->port());
    auto r = client.Request("GET", target, "", fmt::format("X-API-Key: {}\r\n", analyst_));
    if (!r.has_value()) return nullptr;
    EXPECT_EQ(r->status, 200) << target << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }

  testing::TestDir dir_;
  std::string store_dir_;
  Timestamp cut_ = 0;
  std::string scorer_, analyst_;
  std::unique_ptr<VigilServer> server_;
};

TEST_F(LakeReplayTest, TheHeldBackDaysArriveAsAFullIngestWouldHaveThemWithADecisionEach) {
  const std::vector<std::string> orders = IdsFromTheCut("orders.csv", 4);
  const std::vector<std::string> returns = IdsFromTheCut("returns.csv", 2);
  ASSERT_GT(orders.size(), 100u);
  ASSERT_GT(returns.size(), 5u);

  auto held = Ingest(cut_);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_GT(held->held_back, static_cast<int64_t>(orders.size() + returns.size()));
  StartServer();
  // Before the replay the server knows none of the held-back orders.
  {
    TestHttpClient client(server_->port());
    auto r = client.Request("GET", "/v1/decisions/" + orders.front(), "",
                            fmt::format("X-API-Key: {}\r\n", analyst_));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 404);
  }

  auto replayed = Replay(scorer_);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->orders.scored, static_cast<int64_t>(orders.size()));
  EXPECT_EQ(replayed->returns.scored, static_cast<int64_t>(returns.size()));
  EXPECT_EQ(replayed->orders.scored + replayed->returns.scored + replayed->events_new,
            held->held_back);
  EXPECT_EQ(replayed->rejected, 0) << FormatReplaySummary(*replayed);
  EXPECT_EQ(replayed->without_decision, 0);
  int64_t by_action = 0;
  for (const auto& [action, n] : replayed->orders.by_action) by_action += n;
  EXPECT_EQ(by_action, replayed->orders.scored);

  // Each held-back order has its decision, scored as of its own time.
  for (const std::string& id : {orders.front(), orders.back()}) {
    const json decision = Get("/v1/decisions/" + id);
    EXPECT_EQ(decision["kind"], "order") << decision.dump();
    EXPECT_TRUE(decision["response"]["risk_score"].is_number()) << decision.dump();
    const auto ordered_at = ParseTimestamp(decision["request"]["ordered_at"].get<std::string>());
    ASSERT_TRUE(ordered_at.ok()) << decision.dump();
    EXPECT_GE(*ordered_at, cut_);
  }
  EXPECT_EQ(Get("/v1/decisions/" + returns.back())["kind"], "return");

  // Again: the stored decisions, no new event.
  auto again = Replay(scorer_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->orders.scored, replayed->orders.scored);
  EXPECT_EQ(again->orders.by_action, replayed->orders.by_action);
  EXPECT_EQ(again->events_new, 0);
  EXPECT_EQ(again->events_duplicate, replayed->events_new);
  server_->Shutdown();
  server_.reset();

  // The store now holds every event a full ingest would write, under the same ids.
  auto full = Ingest(std::nullopt);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->new_events, 0);
  EXPECT_EQ(full->duplicates, full->events);
}

TEST_F(LakeReplayTest, OrdersIngestedAlreadyAreSkippedNotScoredAgain) {
  ASSERT_TRUE(Ingest(std::nullopt).ok());
  StartServer();
  auto replayed = Replay(scorer_);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->orders.scored, 0);
  EXPECT_EQ(replayed->returns.scored, 0);
  EXPECT_EQ(replayed->events_new, 0);
  EXPECT_EQ(replayed->without_decision,
            static_cast<int64_t>(IdsFromTheCut("orders.csv", 4).size() +
                                 IdsFromTheCut("returns.csv", 2).size()));
  EXPECT_THAT(FormatReplaySummary(*replayed), HasSubstr("ingested without --until?"));
}

TEST_F(LakeReplayTest, AKeyWithoutTheScorerRoleStopsTheReplayAndSaysWhichToGive) {
  ASSERT_TRUE(Ingest(cut_).ok());
  StartServer();
  auto replayed = Replay(analyst_);
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(replayed.status().message(), HasSubstr("403"));
  EXPECT_THAT(replayed.status().message(), HasSubstr("scorer or admin role: --key"));
}

TEST(LakeReplay, BadRequestsNameTheFlag) {
  ReplayRequest request{.data_dir = testing::SharedMarketplace().data_dir,
                        .from = 1'760'000'000,
                        .url = "http://127.0.0.1:9",
                        .api_key = "vk_x"};
  ReplayRequest later = request;
  later.until = request.from;
  EXPECT_THAT(ReplayLake(later, stderr).status().message(), HasSubstr("--until"));
  ReplayRequest keyless = request;
  keyless.api_key.clear();
  EXPECT_THAT(ReplayLake(keyless, stderr).status().message(), HasSubstr("--key"));
  ReplayRequest bad_url = request;
  bad_url.url = "ftp://x";
  EXPECT_THAT(ReplayLake(bad_url, stderr).status().message(), HasSubstr("--url ftp://x"));
  // Nothing listens on port 9: the first request says so, and where.
  FILE* quiet = std::fopen("/dev/null", "w");
  auto unreachable = ReplayLake(request, quiet);
  std::fclose(quiet);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unreachable.status().message(), HasSubstr("http://127.0.0.1:9"));
}

}  // namespace
}  // namespace vigil
