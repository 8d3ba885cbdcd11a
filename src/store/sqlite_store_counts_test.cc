// The overview's counts and their roll-up (sqlite_store_counts.cc) on a real
// SQLite file: counts through the roll-up equal counting every decision,
// wherever the roll-up stopped; each decision is folded once; the roll-up is
// what a count reads; late, aged-out and renumbered decisions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "store/sqlite_connection.h"
#include "store/sqlite_store.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

constexpr Timestamp kT0 = 1'760'918'400;  // 2025-10-20T00:00:00Z, a whole hour
constexpr int64_t kHour = 3'600;

using Counts = std::map<std::string, int64_t>;

std::string CountName(std::string_view kind, int64_t bucket, std::string_view level,
                      std::string_view action, int bin) {
  return fmt::format("{} {} {} {} {}", kind, bucket, level, action, bin);
}

Counts AsMap(const DashboardCounts& counts) {
  Counts m;
  for (const DecisionCount& c : counts.decisions) {
    m[CountName(c.kind, c.bucket, c.risk_level, c.action, c.score_bin)] += c.count;
  }
  return m;
}

// What CountDecisions should answer, counted here one decision at a time.
Counts Expected(const std::vector<DecisionRecord>& decisions, Timestamp from, Timestamp until,
                int64_t bucket) {
  Counts m;
  for (const DecisionRecord& d : decisions) {
    if (d.at < from || d.at >= until || d.kind == "transaction") continue;
    const int bin = std::clamp(static_cast<int>(d.risk_score * 20), 0, 19);
    ++m[CountName(d.kind, (d.at - from) / bucket, d.risk_level, d.action, bin)];
  }
  return m;
}

class SqliteStoreCountsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_.reset();
    auto opened = OpenSqliteStore(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  DecisionRecord Make(Timestamp at, double score, std::string kind = "order") {
    const std::string id = fmt::format("d{}", next_id_++);
    DecisionRecord d = TestDecision(id, "S_" + id, at);
    d.kind = std::move(kind);
    d.risk_score = score;
    d.risk_level = score >= 0.8 ? "critical" : score >= 0.5 ? "high" : "low";
    d.action = score >= 0.8 ? "block" : score >= 0.5 ? "manual_review" : "allow";
    return d;
  }

  void Put(std::vector<DecisionRecord> decisions) {
    for (const DecisionRecord& d : decisions) written_.push_back(d);
    WriteBatch batch;
    batch.decisions = std::move(decisions);
    ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  }

  Counts Count(Timestamp from, Timestamp until, int64_t bucket) {
    auto counts = store_->CountDecisions(from, until, bucket);
    EXPECT_TRUE(counts.ok()) << counts.status();
    return counts.ok() ? AsMap(*counts) : Counts{};
  }

  int64_t RollUp(int64_t max = 100'000) {
    auto folded = store_->RollUpDecisions(max);
    EXPECT_TRUE(folded.ok()) << folded.status();
    return folded.value_or(-1);
  }

  // Every range the overview asks for, ending at `now`'s bucket, and one
  // that is not aligned to its buckets.
  void ExpectEveryRangeExact(Timestamp now) {
    for (auto [seconds, bucket] : {std::pair<int64_t, int64_t>{kHour, 60},
                                   {24 * kHour, 900},
                                   {7 * 24 * kHour, kHour},
                                   {kHour, 7}}) {
      const Timestamp until = (now / bucket + 1) * bucket;
      const Timestamp from = until - seconds;
      EXPECT_EQ(Count(from, until, bucket), Expected(written_, from, until, bucket))
          << "range of " << seconds << " s by " << bucket << " s ending " << until;
    }
  }

  ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<DecisionRecord> written_;
  int next_id_ = 0;
};

TEST_F(SqliteStoreCountsTest, CountsThroughTheRollUpEqualCountingEveryDecision) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> at(kT0 - 9 * 24 * kHour, kT0);
  std::uniform_real_distribution<double> score(0, 1);
  const char* kinds[] = {"order", "order", "return", "transaction"};
  for (int round = 0; round < 12; ++round) {
    std::vector<DecisionRecord> batch;
    for (int i = 0; i < 150; ++i) batch.push_back(Make(at(rng), score(rng), kinds[i % 4]));
    Put(std::move(batch));
    // Fold some of what is new (a roll-up behind), then compare.
    EXPECT_GT(RollUp(/*max=*/97), 0);
    for (Timestamp now : {kT0, kT0 - 3 * 24 * kHour - 1234, kT0 - 8 * 24 * kHour}) {
      ExpectEveryRangeExact(now);
    }
  }
  while (RollUp(/*max=*/500) > 0) {
  }
  EXPECT_EQ(RollUp(), 0);
  ExpectEveryRangeExact(kT0);
  ExpectEveryRangeExact(kT0 - 3 * 24 * kHour - 1234);  // minutes aged out: counted one by one
}

TEST_F(SqliteStoreCountsTest, ACountReadsTheRollUpAndTheDecisionsAfterIt) {
  Put({Make(kT0 + 10, 0.9), Make(kT0 + 70, 0.1)});
  EXPECT_EQ(RollUp(), 2);
  Put({Make(kT0 + 80, 0.1)});
  // Remove the rolled-up decisions behind the store's back: an aligned count
  // still has them (it read the roll-up), an unaligned one does not.
  {
    auto c = SqliteConnection::Open(dir_.path() + "/vigil.db", {});
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE((*c)->Exec("DELETE FROM decisions WHERE seq <= 2").ok());
  }
  EXPECT_EQ(Count(kT0, kT0 + kHour, 60),
            (Counts{{"order 0 critical block 18", 1}, {"order 1 low allow 2", 2}}));
  EXPECT_EQ(Count(kT0 + 1, kT0 + kHour + 1, 60), (Counts{{"order 1 low allow 2", 1}}));
  EXPECT_EQ(RollUp(), 1);
  EXPECT_EQ(Count(kT0, kT0 + kHour, 60),
            (Counts{{"order 0 critical block 18", 1}, {"order 1 low allow 2", 2}}));
}

TEST_F(SqliteStoreCountsTest, ADecisionForAnEarlierBucketIsCountedThere) {
  Put({Make(kT0 + 3 * kHour, 0.2)});
  EXPECT_EQ(RollUp(), 1);
  Put({Make(kT0 + 5, 0.2)});  // committed after its bucket was rolled up
  EXPECT_EQ(RollUp(), 1);
  EXPECT_EQ(Count(kT0, kT0 + 24 * kHour, 900),
            (Counts{{"order 0 low allow 4", 1}, {"order 12 low allow 4", 1}}));
  ExpectEveryRangeExact(kT0 + 3 * kHour);
}

TEST_F(SqliteStoreCountsTest, TwoThreadsRollingUpCountEachDecisionOnce) {
  for (int round = 0; round < 20; ++round) {
    std::vector<DecisionRecord> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(Make(kT0 - i * 61 - round, 0.05 * (i % 20)));
    Put(std::move(batch));
  }
  std::atomic<int64_t> folded{0};
  auto fold = [&] {
    for (int64_t n = 1; n > 0;) {
      auto r = store_->RollUpDecisions(33);
      ASSERT_TRUE(r.ok()) << r.status();
      n = *r;
      folded += n;
    }
  };
  std::thread a(fold), b(fold);
  a.join();
  b.join();
  EXPECT_EQ(folded.load(), 1000);
  ExpectEveryRangeExact(kT0);
}

TEST_F(SqliteStoreCountsTest, TheRollUpSurvivesARestart) {
  Put({Make(kT0 + 1, 0.3), Make(kT0 + 2, 0.95, "return")});
  EXPECT_EQ(RollUp(), 2);
  Open();
  EXPECT_EQ(RollUp(), 0);
  Put({Make(kT0 + 3, 0.3)});
  ExpectEveryRangeExact(kT0);
  EXPECT_EQ(RollUp(), 1);
  ExpectEveryRangeExact(kT0);
}

TEST_F(SqliteStoreCountsTest, DecisionsNumberedAgainAfterEverythingWasArchivedAreCounted) {
  Put({Make(kT0 - 200 * 24 * kHour, 0.3), Make(kT0 - 200 * 24 * kHour + 1, 0.3)});
  EXPECT_EQ(RollUp(), 2);
  auto archived = store_->ArchiveDecisions(kT0 - 100 * 24 * kHour, dir_.path() + "/archive");
  ASSERT_TRUE(archived.ok()) << archived.status();
  EXPECT_EQ(*archived, 2);
  written_.clear();  // the table is empty: its next row ids start at 1 again
  Put({Make(kT0 + 1, 0.6)});
  ExpectEveryRangeExact(kT0);
  EXPECT_EQ(RollUp(), 1);
  ExpectEveryRangeExact(kT0);
}

TEST_F(SqliteStoreCountsTest, RefusesToFoldNothing) {
  EXPECT_TRUE(absl::IsInvalidArgument(store_->RollUpDecisions(0).status()));
  EXPECT_EQ(RollUp(), 0);  // an empty store
}

}  // namespace
}  // namespace vigil
