#include "similar/similar_case_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace vigil {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;

using Vector = std::vector<float>;

CaseRecord Record(const std::string& decision_id, const std::string& subject_id = "",
                  int64_t at = 0) {
  return {.decision_id = decision_id,
          .subject_id = subject_id.empty() ? "ORD-" + decision_id : subject_id,
          .at = at,
          .risk_score = 0.5f,
          .action = "allow"};
}

std::unique_ptr<SimilarCaseIndex> MakeIndex(size_t dimension, size_t capacity = 10'000) {
  auto index = SimilarCaseIndex::Create({.dimension = dimension, .capacity = capacity});
  EXPECT_TRUE(index.ok()) << index.status();
  return std::move(index).value();
}

std::vector<std::string> DecisionIds(const std::vector<SimilarCase>& cases) {
  std::vector<std::string> ids;
  for (const SimilarCase& c : cases) ids.push_back(c.record.decision_id);
  return ids;
}

// Random vectors standing in for SHAP vectors: independent normal values, the
// hardest case for an approximate index (no low-dimensional structure).
class RandomVectors {
 public:
  RandomVectors(size_t dimension, uint32_t seed) : dimension_(dimension), rng_(seed) {}
  Vector Next(float scale = 1.0f) {
    Vector v(dimension_);
    for (float& x : v) x = scale * normal_(rng_);
    return v;
  }
  Vector NearCopy(const Vector& v, float noise) {
    Vector copy = v;
    for (float& x : copy) x += noise * normal_(rng_);
    return copy;
  }

 private:
  size_t dimension_;
  std::mt19937 rng_;
  std::normal_distribution<float> normal_{0.0f, 1.0f};
};

float SquaredDistance(const Vector& a, const Vector& b) {
  float sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

// The exact k nearest of `cases` (id → vector) to `query`, leaving out `exclude`.
std::vector<std::string> BruteForceNearest(const std::vector<std::pair<std::string, Vector>>& cases,
                                           const Vector& query, size_t k,
                                           const std::string& exclude) {
  std::vector<std::pair<float, std::string>> by_distance;
  for (const auto& [id, v] : cases) {
    if (id != exclude) by_distance.emplace_back(SquaredDistance(query, v), id);
  }
  std::partial_sort(by_distance.begin(), by_distance.begin() + k, by_distance.end());
  std::vector<std::string> ids;
  for (size_t i = 0; i < k; ++i) ids.push_back(by_distance[i].second);
  return ids;
}

size_t CountCommon(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::count_if(a.begin(), a.end(), [&](const std::string& id) {
    return std::find(b.begin(), b.end(), id) != b.end();
  });
}

TEST(SimilarCaseIndexTest, RejectsZeroDimension) {
  auto index = SimilarCaseIndex::Create({.dimension = 0});
  EXPECT_EQ(index.status(),
            absl::InvalidArgumentError("similar-case index dimension must be 1..65536, got 0"));
}

TEST(SimilarCaseIndexTest, RejectsOutOfRangeCapacityAndM) {
  EXPECT_EQ(SimilarCaseIndex::Create({.dimension = 4, .capacity = 0}).status(),
            absl::InvalidArgumentError("similar-case index capacity must be 1..2147483648, got 0"));
  EXPECT_EQ(SimilarCaseIndex::Create({.dimension = 4, .m = 1}).status(),
            absl::InvalidArgumentError("similar-case index m must be 2..100, got 1"));
}

TEST(SimilarCaseIndexTest, AddRejectsVectorOfAnotherDimension) {
  auto index = MakeIndex(3);
  EXPECT_EQ(index->Add(Record("a"), Vector{1, 2}),
            absl::InvalidArgumentError(
                "vector has 2 values; this similar-case index holds vectors of 3"));
  EXPECT_EQ(index->size(), 0u);
}

TEST(SimilarCaseIndexTest, AddRejectsNonFiniteValueAndMissingDecisionId) {
  auto index = MakeIndex(3);
  EXPECT_EQ(index->Add(Record("a"), Vector{1, NAN, 2}),
            absl::InvalidArgumentError("vector value 1 is nan, not a finite number"));
  EXPECT_EQ(index->Add(Record(""), Vector{1, 2, 3}),
            absl::InvalidArgumentError("a similar case needs a decision id"));
  EXPECT_EQ(index->size(), 0u);
}

TEST(SimilarCaseIndexTest, QueryRejectsZeroKAndVectorOfAnotherDimension) {
  auto index = MakeIndex(2);
  ASSERT_TRUE(index->Add(Record("a"), Vector{0, 0}).ok());
  EXPECT_EQ(index->Query(Vector{0, 0}, 0).status(),
            absl::InvalidArgumentError("k must be at least 1"));
  EXPECT_EQ(index->Query(Vector{0, 0, 0}, 1).status(),
            absl::InvalidArgumentError(
                "vector has 3 values; this similar-case index holds vectors of 2"));
}

TEST(SimilarCaseIndexTest, QueryOnEmptyIndexReturnsNothing) {
  auto index = MakeIndex(2);
  auto cases = index->Query(Vector{0, 0}, 10);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_TRUE(cases->empty());
}

TEST(SimilarCaseIndexTest, QueryReturnsNearestFirstWithRecordsAndEuclideanDistance) {
  auto index = MakeIndex(2);
  const CaseRecord b{.decision_id = "b",
                     .subject_id = "ORD-2",
                     .at = 1'780'000'000,
                     .risk_score = 0.82f,
                     .action = "prepaid_only"};
  ASSERT_TRUE(index->Add(Record("a"), Vector{0, 0}).ok());
  ASSERT_TRUE(index->Add(b, Vector{1, 0}).ok());
  ASSERT_TRUE(index->Add(Record("c"), Vector{3, 4}).ok());
  ASSERT_TRUE(index->Add(Record("d"), Vector{10, 0}).ok());

  auto cases = index->Query(Vector{0.9f, 0}, 3);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(DecisionIds(*cases), ElementsAre("b", "a", "c"));
  EXPECT_EQ((*cases)[0].record, b);
  EXPECT_THAT((*cases)[0].distance, FloatNear(0.1f, 1e-6));
  EXPECT_THAT((*cases)[1].distance, FloatNear(0.9f, 1e-6));
  EXPECT_THAT((*cases)[2].distance, FloatNear(std::sqrt(2.1f * 2.1f + 16), 1e-5));
  EXPECT_EQ((*cases)[0].outcome, CaseOutcome{});
}

TEST(SimilarCaseIndexTest, KLargerThanSizeReturnsEveryCase) {
  auto index = MakeIndex(2);
  ASSERT_TRUE(index->Add(Record("a"), Vector{0, 0}).ok());
  ASSERT_TRUE(index->Add(Record("b"), Vector{2, 0}).ok());
  ASSERT_TRUE(index->Add(Record("c"), Vector{5, 0}).ok());
  auto cases = index->Query(Vector{0, 0}, 1000);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(DecisionIds(*cases), ElementsAre("a", "b", "c"));
  auto others = index->QueryById("c", 1000);
  ASSERT_TRUE(others.ok()) << others.status();
  EXPECT_THAT(DecisionIds(*others), ElementsAre("b", "a"));
}

TEST(SimilarCaseIndexTest, QueryByIdLeavesOutTheCaseItself) {
  auto index = MakeIndex(2);
  ASSERT_TRUE(index->Add(Record("a"), Vector{0, 0}).ok());
  ASSERT_TRUE(index->Add(Record("b"), Vector{1, 0}).ok());
  ASSERT_TRUE(index->Add(Record("c"), Vector{3, 0}).ok());
  auto cases = index->QueryById("b", 1);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(DecisionIds(*cases), ElementsAre("a"));
  EXPECT_THAT((*cases)[0].distance, FloatNear(1.0f, 1e-6));
  auto excluded = index->Query(Vector{0, 0}, 2, "a");
  ASSERT_TRUE(excluded.ok()) << excluded.status();
  EXPECT_THAT(DecisionIds(*excluded), ElementsAre("b", "c"));
}

TEST(SimilarCaseIndexTest, QueryByUnknownIdIsNotFound) {
  auto index = MakeIndex(2);
  EXPECT_EQ(index->QueryById("nope", 5).status(),
            absl::NotFoundError("decision nope is not in the similar-case index"));
  EXPECT_EQ(index->Find("nope").status(),
            absl::NotFoundError("decision nope is not in the similar-case index"));
}

// Why Euclidean distance over SHAP vectors: low-risk cases, whose
// contributions are all near zero, must find each other, not cases that
// merely point the same way with large contributions.
TEST(SimilarCaseIndexTest, LowRiskCasesWithNearZeroContributionsAreNearEachOther) {
  auto index = MakeIndex(3);
  ASSERT_TRUE(index->Add(Record("quiet-1"), Vector{0.01f, -0.02f, 0.0f}).ok());
  ASSERT_TRUE(index->Add(Record("quiet-2"), Vector{-0.02f, 0.01f, 0.01f}).ok());
  ASSERT_TRUE(index->Add(Record("risky"), Vector{2.0f, -4.0f, 0.0f}).ok());
  auto cases = index->QueryById("quiet-1", 2);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(DecisionIds(*cases), ElementsAre("quiet-2", "risky"));
}

TEST(SimilarCaseIndexTest, FindsPlantedNearDuplicatesAsExactSearchDoes) {
  constexpr size_t kDimension = 50;
  constexpr size_t kBackground = 5'000;
  constexpr size_t kPlanted = 50;
  constexpr size_t kK = 10;
  RandomVectors random(kDimension, 7);
  auto index = MakeIndex(kDimension, kBackground + kPlanted);
  std::vector<std::pair<std::string, Vector>> cases;
  for (size_t i = 0; i < kBackground; ++i)
    cases.emplace_back(fmt::format("bg{}", i), random.Next());
  for (size_t i = 0; i < kPlanted; ++i) {
    cases.emplace_back(fmt::format("copy{}", i), random.NearCopy(cases[i * 97].second, 0.05f));
  }
  for (const auto& [id, v] : cases) ASSERT_TRUE(index->Add(Record(id), v).ok());

  size_t copies_found = 0;
  size_t common_with_exact = 0;
  for (size_t i = 0; i < kPlanted; ++i) {
    const auto& [copy_id, copy] = cases[kBackground + i];
    const std::string original_id = cases[i * 97].first;
    const auto exact = BruteForceNearest(cases, copy, kK, copy_id);
    ASSERT_EQ(exact[0], original_id);  // the plant is real
    auto found = index->QueryById(copy_id, kK);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_EQ(found->size(), kK);
    const auto ids = DecisionIds(*found);
    copies_found += ids[0] == original_id;
    common_with_exact += CountCommon(ids, exact);
  }
  const double recall = static_cast<double>(common_with_exact) / (kPlanted * kK);
  RecordProperty("copies_found", static_cast<int>(copies_found));
  RecordProperty("recall_at_10", fmt::format("{:.4f}", recall));
  EXPECT_GE(copies_found, kPlanted * 98 / 100);
  // Recall@10 against brute force over the whole neighbourhood, not only the copy.
  EXPECT_GE(recall, 0.95);
}

TEST(SimilarCaseIndexTest, RecallHoldsAfterTheIndexHasWrappedAroundTwice) {
  constexpr size_t kDimension = 16;
  constexpr size_t kCapacity = 500;
  constexpr size_t kK = 10;
  RandomVectors random(kDimension, 11);
  auto index = MakeIndex(kDimension, kCapacity);
  std::vector<std::pair<std::string, Vector>> live;  // the last kCapacity cases
  for (size_t i = 0; i < 3 * kCapacity; ++i) {
    std::string id = fmt::format("c{}", i);
    Vector v = random.Next();
    ASSERT_TRUE(index->Add(Record(id), v).ok());
    if (i >= 2 * kCapacity) live.emplace_back(std::move(id), std::move(v));
  }
  ASSERT_EQ(index->size(), kCapacity);
  size_t common_with_exact = 0;
  constexpr size_t kQueries = 100;
  for (size_t q = 0; q < kQueries; ++q) {
    const Vector query = random.Next();
    auto found = index->Query(query, kK);
    ASSERT_TRUE(found.ok()) << found.status();
    common_with_exact += CountCommon(DecisionIds(*found), BruteForceNearest(live, query, kK, ""));
  }
  const double recall = static_cast<double>(common_with_exact) / (kQueries * kK);
  RecordProperty("recall_at_10", fmt::format("{:.4f}", recall));
  EXPECT_GE(recall, 0.95);
}

TEST(SimilarCaseIndexTest, OutcomesArrivingLaterAreVisibleInResults) {
  auto index = MakeIndex(2);
  ASSERT_TRUE(index->Add(Record("d1", "ORD-1"), Vector{0, 0}).ok());
  ASSERT_TRUE(index->Add(Record("d2", "ORD-2"), Vector{1, 0}).ok());
  ASSERT_TRUE(index->Add(Record("d3", "ORD-2"), Vector{2, 0}).ok());  // ORD-2 scored twice
  ASSERT_TRUE(index->SetOutcome("d1", {.name = "delivered", .label = 0}).ok());
  auto updated = index->SetOutcomeForSubject("ORD-2", {.name = "rto", .label = 1});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(*updated, 2u);
  EXPECT_EQ(*index->SetOutcomeForSubject("ORD-9", {.name = "rto", .label = 1}), 0u);

  auto cases = index->Query(Vector{0, 0}, 3);
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_THAT(DecisionIds(*cases), ElementsAre("d1", "d2", "d3"));
  EXPECT_EQ((*cases)[0].outcome, (CaseOutcome{.name = "delivered", .label = 0}));
  EXPECT_EQ((*cases)[1].outcome, (CaseOutcome{.name = "rto", .label = 1}));
  EXPECT_EQ((*cases)[2].outcome, (CaseOutcome{.name = "rto", .label = 1}));
}

TEST(SimilarCaseIndexTest, SetOutcomeRejectsUnknownDecisionAndLabelOtherThanZeroOrOne) {
  auto index = MakeIndex(2);
  ASSERT_TRUE(index->Add(Record("d1"), Vector{0, 0}).ok());
  EXPECT_EQ(index->SetOutcome("d9", {.name = "rto", .label = 1}),
            absl::NotFoundError("decision d9 is not in the similar-case index"));
  EXPECT_EQ(index->SetOutcome("d1", {.name = "rto", .label = 2}),
            absl::InvalidArgumentError("outcome label must be 0 or 1, got 2"));
  EXPECT_EQ(index->Find("d1")->outcome, CaseOutcome{});
}

TEST(SimilarCaseIndexTest, FullIndexEvictsTheOldestCaseAndItsOutcome) {
  auto index = MakeIndex(2, /*capacity=*/3);
  ASSERT_TRUE(index->Add(Record("a", "ORD-A"), Vector{0, 0}).ok());
  ASSERT_TRUE(index->SetOutcome("a", {.name = "rto", .label = 1}).ok());
  ASSERT_TRUE(index->Add(Record("b"), Vector{1, 0}).ok());
  ASSERT_TRUE(index->Add(Record("c"), Vector{2, 0}).ok());
  ASSERT_TRUE(index->Add(Record("d"), Vector{0.1f, 0}).ok());  // replaces a

  EXPECT_EQ(index->size(), 3u);
  auto cases = index->Query(Vector{0, 0}, 10);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(DecisionIds(*cases), ElementsAre("d", "b", "c"));
  EXPECT_EQ((*cases)[0].outcome, CaseOutcome{});
  EXPECT_EQ(index->QueryById("a", 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(index->SetOutcome("a", {}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*index->SetOutcomeForSubject("ORD-A", {}), 0u);

  ASSERT_TRUE(index->Add(Record("e"), Vector{5, 0}).ok());  // replaces b, the next oldest
  cases = index->Query(Vector{0, 0}, 10);
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_THAT(DecisionIds(*cases), ElementsAre("d", "c", "e"));
}

TEST(SimilarCaseIndexTest, SizeNeverExceedsCapacityAndEvictedCasesAreNeverReturned) {
  constexpr size_t kCapacity = 200;
  RandomVectors random(8, 3);
  auto index = MakeIndex(8, kCapacity);
  for (size_t i = 0; i < 5 * kCapacity; ++i) {
    ASSERT_TRUE(index->Add(Record(fmt::format("c{}", i)), random.Next()).ok());
    ASSERT_EQ(index->size(), std::min(i + 1, kCapacity));
    if (i % 50 != 49) continue;
    auto cases = index->Query(random.Next(), kCapacity);
    ASSERT_TRUE(cases.ok()) << cases.status();
    for (const SimilarCase& c : *cases) {
      const size_t number = std::stoul(c.record.decision_id.substr(1));
      EXPECT_GT(number + kCapacity, i) << c.record.decision_id << " returned after eviction";
    }
  }
}

TEST(SimilarCaseIndexTest, AddingAKnownDecisionReplacesItInPlaceKeepingItsOutcome) {
  auto index = MakeIndex(2, /*capacity=*/2);
  ASSERT_TRUE(index->Add(Record("a", "ORD-1"), Vector{0, 0}).ok());
  ASSERT_TRUE(index->Add(Record("b"), Vector{5, 5}).ok());
  ASSERT_TRUE(index->SetOutcome("a", {.name = "delivered", .label = 0}).ok());
  CaseRecord rescored = Record("a", "ORD-1");
  rescored.risk_score = 0.9f;
  ASSERT_TRUE(index->Add(rescored, Vector{9, 9}).ok());

  EXPECT_EQ(index->size(), 2u);
  auto cases = index->Query(Vector{9, 9}, 1);
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_THAT(DecisionIds(*cases), ElementsAre("a"));
  EXPECT_EQ((*cases)[0].record, rescored);
  EXPECT_EQ((*cases)[0].outcome, (CaseOutcome{.name = "delivered", .label = 0}));
  EXPECT_THAT((*cases)[0].distance, FloatNear(0, 1e-6));
  EXPECT_EQ(*index->SetOutcomeForSubject("ORD-1", {.name = "rto", .label = 1}), 1u);
  // The re-add did not refresh a's age: the next new case evicts it.
  ASSERT_TRUE(index->Add(Record("c"), Vector{1, 1}).ok());
  EXPECT_EQ(index->Find("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(index->Find("b").ok());
}

TEST(SimilarCaseIndexTest, ConcurrentQueriesWhileAddingSeeConsistentResults) {
  constexpr size_t kDimension = 16;
  RandomVectors seed_vectors(kDimension, 5);
  auto index =
      SimilarCaseIndex::Create({.dimension = kDimension, .capacity = 300, .ef_construction = 40})
          .value();
  for (size_t i = 0; i < 200; ++i) {
    ASSERT_TRUE(index->Add(Record(fmt::format("c{}", i)), seed_vectors.Next()).ok());
  }
  std::atomic<bool> adding{true};
  std::atomic<size_t> bad_results{0};
  std::vector<std::thread> readers;
  for (uint32_t t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      RandomVectors queries(kDimension, 100 + t);
      do {
        auto cases = index->Query(queries.Next(), 10);
        if (!cases.ok() || cases->size() != 10) ++bad_results;
      } while (adding.load());
    });
  }
  RandomVectors writer(kDimension, 9);
  // EXPECT, not ASSERT: returning early would leave the readers running.
  for (size_t i = 200; i < 700; ++i) {
    EXPECT_TRUE(index->Add(Record(fmt::format("c{}", i)), writer.Next()).ok());
    if (i % 10 == 0) {
      EXPECT_TRUE(index->SetOutcome(fmt::format("c{}", i), {.name = "x"}).ok());
    }
  }
  adding = false;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad_results.load(), 0u);
  EXPECT_EQ(index->size(), 300u);
}

class SimilarCaseIndexFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           fmt::format("vigil_similar_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "order.similar").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // 300 cases in an index of capacity 200 (wrapped), with some outcomes.
  std::unique_ptr<SimilarCaseIndex> MakeSavedIndex() {
    auto index = MakeIndex(kDimension, 200);
    RandomVectors random(kDimension, 21);
    for (size_t i = 0; i < 300; ++i) {
      EXPECT_TRUE(index
                      ->Add(Record(fmt::format("c{}", i), fmt::format("ORD-{}", i), 1000 + i),
                            random.Next())
                      .ok());
      if (i % 3 == 0) {
        EXPECT_TRUE(index->SetOutcome(fmt::format("c{}", i), {.name = "rto", .label = 1}).ok());
      }
    }
    EXPECT_EQ(index->Save(path_), absl::OkStatus());
    return index;
  }

  static std::string ReadBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static void WriteBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }

  static constexpr size_t kDimension = 12;
  fs::path dir_;
  std::string path_;
};

void ExpectSameCases(const std::vector<SimilarCase>& a, const std::vector<SimilarCase>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].record, b[i].record);
    EXPECT_EQ(a[i].outcome, b[i].outcome);
    EXPECT_EQ(a[i].distance, b[i].distance);
  }
}

TEST_F(SimilarCaseIndexFileTest, SaveThenLoadGivesIdenticalResultsAndEvictionOrder) {
  auto saved = MakeSavedIndex();
  auto loaded = SimilarCaseIndex::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->size(), 200u);
  EXPECT_EQ((*loaded)->capacity(), 200u);
  EXPECT_EQ((*loaded)->options().dimension, kDimension);

  RandomVectors queries(kDimension, 99);
  for (size_t q = 0; q < 50; ++q) {
    const Vector query = queries.Next();
    auto expected = saved->Query(query, 10);
    auto actual = (*loaded)->Query(query, 10);
    ASSERT_TRUE(expected.ok() && actual.ok());
    ExpectSameCases(*actual, *expected);
  }
  // Both evict c100, the oldest, on the next new case.
  const Vector next = queries.Next();
  ASSERT_TRUE(saved->Add(Record("new"), next).ok());
  ASSERT_TRUE((*loaded)->Add(Record("new"), next).ok());
  EXPECT_EQ((*loaded)->Find("c100").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE((*loaded)->Find("c101").ok());
  ExpectSameCases(*(*loaded)->QueryById("new", 10), *saved->QueryById("new", 10));
  EXPECT_EQ(*(*loaded)->SetOutcomeForSubject("ORD-150", {.name = "delivered", .label = 0}), 1u);
}

TEST_F(SimilarCaseIndexFileTest, SaveReplacesAnEarlierSaveAndLeavesNoTemporaryFiles) {
  auto index = MakeSavedIndex();
  ASSERT_TRUE(index->Add(Record("late"), Vector(kDimension, 0.5f)).ok());
  ASSERT_EQ(index->Save(path_), absl::OkStatus());
  auto loaded = SimilarCaseIndex::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE((*loaded)->Find("late").ok());
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_THAT(files, ElementsAre("order.similar", "order.similar.hnsw"));
}

TEST_F(SimilarCaseIndexFileTest, EmptyIndexRoundTrips) {
  auto index = MakeIndex(kDimension, 10);
  ASSERT_EQ(index->Save(path_), absl::OkStatus());
  auto loaded = SimilarCaseIndex::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->size(), 0u);
  ASSERT_TRUE((*loaded)->Add(Record("a"), Vector(kDimension, 1.0f)).ok());
  EXPECT_THAT(DecisionIds(*(*loaded)->Query(Vector(kDimension, 1.0f), 5)), ElementsAre("a"));
}

TEST_F(SimilarCaseIndexFileTest, LoadOfMissingFileIsNotFound) {
  EXPECT_EQ(SimilarCaseIndex::Load(path_).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SimilarCaseIndexFileTest, LoadOfTruncatedRecordsIsDataLoss) {
  MakeSavedIndex();
  const std::string bytes = ReadBytes(path_);
  for (size_t size :
       {size_t{0}, size_t{5}, size_t{12}, size_t{60}, bytes.size() / 2, bytes.size() - 1}) {
    WriteBytes(path_, bytes.substr(0, size));
    auto loaded = SimilarCaseIndex::Load(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss) << size;
  }
}

TEST_F(SimilarCaseIndexFileTest, LoadOfCorruptRecordsIsDataLossNamingTheFile) {
  MakeSavedIndex();
  std::string bytes = ReadBytes(path_);
  bytes[bytes.size() / 2] ^= 0x20;
  WriteBytes(path_, bytes);
  auto loaded = SimilarCaseIndex::Load(path_);
  EXPECT_EQ(loaded.status(),
            absl::DataLossError(fmt::format(
                "similar-case index {}: checksum mismatch (truncated or corrupt)", path_)));
  WriteBytes(path_, "not an index at all");
  EXPECT_EQ(SimilarCaseIndex::Load(path_).status(),
            absl::DataLossError(
                fmt::format("similar-case index {}: not a similar-case index file", path_)));
}

TEST_F(SimilarCaseIndexFileTest, LoadOfTruncatedOrCorruptGraphIsDataLoss) {
  MakeSavedIndex();
  const std::string graph_path = path_ + ".hnsw";
  const std::string graph = ReadBytes(graph_path);
  WriteBytes(graph_path, graph.substr(0, graph.size() - 100));
  EXPECT_THAT(std::string(SimilarCaseIndex::Load(path_).status().message()),
              HasSubstr("does not match the records"));
  std::string flipped = graph;
  flipped[200] ^= 0x01;
  WriteBytes(graph_path, flipped);
  EXPECT_EQ(SimilarCaseIndex::Load(path_).status().code(), absl::StatusCode::kDataLoss);
  fs::remove(graph_path);
  EXPECT_EQ(SimilarCaseIndex::Load(path_).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(SimilarCaseIndexFileTest, LoadOfRecordsAndGraphFromDifferentSavesIsDataLoss) {
  auto index = MakeSavedIndex();
  const std::string old_graph = ReadBytes(path_ + ".hnsw");
  ASSERT_TRUE(index->Add(Record("late"), Vector(kDimension, 0.5f)).ok());
  ASSERT_EQ(index->Save(path_), absl::OkStatus());
  WriteBytes(path_ + ".hnsw", old_graph);  // as if Save crashed between its two renames
  EXPECT_EQ(SimilarCaseIndex::Load(path_).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(SimilarCaseIndexFileTest, SaveIntoMissingDirectoryIsAnError) {
  auto index = MakeIndex(kDimension, 10);
  ASSERT_TRUE(index->Add(Record("a"), Vector(kDimension, 1.0f)).ok());
  const Status saved = index->Save((dir_ / "missing" / "order.similar").string());
  EXPECT_EQ(saved.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(saved.message()), HasSubstr("missing/order.similar.hnsw"));
}

}  // namespace
}  // namespace vigil
