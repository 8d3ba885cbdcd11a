// SimilarCaseIndex on 100 000 cases of dimension 50 (about the size of an
// order's SHAP vector), default options (M 16, ef_construction 200,
// ef_search 128), random normal vectors:
//   BM_Add: one new case into a full index (replacing the oldest);
//   BM_Query: the 10 nearest cases to a random vector;
//   BM_QueryById: the 10 nearest to a stored case, as the HTTP route asks.
// Building the index takes a while before timing starts.
//
//   build/src/similar/similar_case_index_benchmark --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "similar/similar_case_index.h"

namespace vigil {
namespace {

constexpr size_t kCases = 100'000;
constexpr size_t kDimension = 50;

std::vector<float> RandomVectors(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(count * kDimension);
  for (float& x : values) x = normal(rng);
  return values;
}

std::span<const float> Row(const std::vector<float>& values, size_t i) {
  return std::span<const float>(values).subspan((i % (values.size() / kDimension)) * kDimension,
                                                kDimension);
}

void OrDie(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", status.ToString().c_str());
    std::exit(1);
  }
}

// Built once, shared by the benchmarks.
SimilarCaseIndex& FullIndex() {
  static SimilarCaseIndex* index = [] {
    auto created = SimilarCaseIndex::Create({.dimension = kDimension, .capacity = kCases});
    OrDie(created.status());
    const std::vector<float> vectors = RandomVectors(kCases, 1);
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < kCases; ++i) {
      OrDie((*created)->Add({.decision_id = fmt::format("d{}", i), .subject_id = "s"},
                            Row(vectors, i)));
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::fprintf(stderr, "built %zu cases in %.1f s (%.1f us per Add); peak RSS %.0f MiB\n", kCases,
                 took.count(), took.count() * 1e6 / kCases, usage.ru_maxrss / 1024.0);
    return created->release();
  }();
  return *index;
}

void BM_Add(benchmark::State& state) {
  SimilarCaseIndex& index = FullIndex();
  const std::vector<float> vectors = RandomVectors(4096, 2);
  size_t i = 0;
  for (auto _ : state) {
    OrDie(index.Add({.decision_id = fmt::format("new{}", i), .subject_id = "s"}, Row(vectors, i)));
    ++i;
  }
}
BENCHMARK(BM_Add)->Unit(benchmark::kMicrosecond);

void BM_Query(benchmark::State& state) {
  SimilarCaseIndex& index = FullIndex();
  const std::vector<float> queries = RandomVectors(4096, 3);
  size_t i = 0;
  for (auto _ : state) {
    auto cases = index.Query(Row(queries, i++), 10);
    benchmark::DoNotOptimize(cases);
  }
}
BENCHMARK(BM_Query)->Unit(benchmark::kMicrosecond);

void BM_QueryById(benchmark::State& state) {
  SimilarCaseIndex& index = FullIndex();
  size_t i = 0;
  for (auto _ : state) {
    auto cases = index.QueryById(fmt::format("d{}", (i++ * 7919) % kCases), 10);
    benchmark::DoNotOptimize(cases);
  }
}
BENCHMARK(BM_QueryById)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
