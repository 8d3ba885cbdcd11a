// FlatForest and TreeShap against XGBoost's own predictor, in one run, on a
// model trained in-process: 300 trees of depth 6 on 20 000 random rows of 40
// features with missing values (training takes 10-30 s before timing starts).
// Each kernel has its row: the unsuffixed ones are the fastest this CPU has,
// *Avx2 and *Portable the code CPUs without AVX-512 (or without AVX2) run.
// Prints the speed-ups at the end.
//
//   OMP_WAIT_POLICY=passive build/src/model/flat_forest_benchmark --benchmark_repetitions=5
//   (add --benchmark_report_aggregates_only=true for medians only)
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/flat_forest.h"
#include "model/forest_oracle_for_test.h"
#include "model/tree_shap.h"

namespace vigil {
namespace {

using testing::MakeRandomRows;
using testing::OracleBooster;
using testing::OracleMatrix;
using testing::RandomRows;

constexpr size_t kTrainRows = 20'000;
constexpr size_t kFeatures = 40;
constexpr int kTrees = 300;
constexpr int kDepth = 6;
constexpr size_t kScoredRows = 1024;

struct Setup {
  OracleBooster booster;
  FlatForest forest;
  FlatForest portable_forest;  // ForestKernel::kPortable: what CPUs without AVX-512 run
  TreeShap shap;
  TreeShap avx2_shap;
  TreeShap portable_shap;
  RandomRows rows;  // rows to score, 10% missing
};

void OrDie(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", status.ToString().c_str());
    std::exit(1);
  }
}

template <typename T>
T OrDie(StatusOr<T> value) {
  if (!value.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", value.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(value).value();
}

const Setup& TheSetup() {
  static const Setup* setup = [] {
    const RandomRows train = MakeRandomRows(kTrainRows, kFeatures, 0.1, 1);
    OracleMatrix dtrain = OrDie(OracleMatrix::FromRows(train, /*with_labels=*/true));
    OracleBooster booster = OrDie(OracleBooster::Train(dtrain,
                                                       {{"objective", "binary:logistic"},
                                                        {"tree_method", "hist"},
                                                        {"max_depth", std::to_string(kDepth)},
                                                        {"nthread", "2"}},
                                                       kTrees));
    // Single-threaded from here on, as one request would be served.
    OrDie(booster.SetParam("nthread", "1"));
    const std::string json = OrDie(booster.ModelJson());
    FlatForest forest = OrDie(FlatForest::FromModelJson(json));
    FlatForest portable_forest = OrDie(FlatForest::FromModelJson(json, ForestKernel::kPortable));
    TreeShap shap(forest);
    TreeShap avx2_shap(forest, ForestKernel::kAvx2);
    TreeShap portable_shap(forest, ForestKernel::kPortable);
    return new Setup{std::move(booster),
                     std::move(forest),
                     std::move(portable_forest),
                     std::move(shap),
                     std::move(avx2_shap),
                     std::move(portable_shap),
                     MakeRandomRows(kScoredRows, kFeatures, 0.1, 2)};
  }();
  return *setup;
}

void PredictMargins(benchmark::State& state, const FlatForest& forest) {
  const Setup& s = TheSetup();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(forest.PredictMargin(s.rows.row(i)));
    i = (i + 1) % kScoredRows;
  }
}

void BM_FlatForestPredictMargin(benchmark::State& state) {
  PredictMargins(state, TheSetup().forest);
}
BENCHMARK(BM_FlatForestPredictMargin);

void BM_FlatForestPredictMarginPortable(benchmark::State& state) {
  PredictMargins(state, TheSetup().portable_forest);
}
BENCHMARK(BM_FlatForestPredictMarginPortable);

void BM_XgboostInPlacePredictOneRow(benchmark::State& state) {
  const Setup& s = TheSetup();
  size_t i = 0;
  for (auto _ : state) {
    auto margins = s.booster.InPlaceMargins(s.rows.row(i), 1, kFeatures);
    if (!margins.ok()) state.SkipWithError(margins.status().ToString().c_str());
    benchmark::DoNotOptimize(margins);
    i = (i + 1) % kScoredRows;
  }
}
BENCHMARK(BM_XgboostInPlacePredictOneRow);

void Explain(benchmark::State& state, const TreeShap& shap, ForestKernel wanted) {
  const Setup& s = TheSetup();
  if (shap.kernel() != ResolveForestKernel(wanted)) {
    state.SkipWithError("this CPU lacks the kernel");
    return;
  }
  std::vector<double> phi(kFeatures + 1);
  size_t i = 0;
  for (auto _ : state) {
    shap.Explain(s.rows.row(i), phi.data());
    benchmark::DoNotOptimize(phi.data());
    benchmark::ClobberMemory();
    i = (i + 1) % kScoredRows;
  }
  state.SetLabel(fmt::format("{} kernel, {} of {} trees lane-parallel", ForestKernelName(wanted),
                             shap.vectorized_trees(), kTrees));
}

void BM_TreeShapExplain(benchmark::State& state) {
  Explain(state, TheSetup().shap, ForestKernel::kFastest);
}
BENCHMARK(BM_TreeShapExplain);

void BM_TreeShapExplainAvx2(benchmark::State& state) {
  Explain(state, TheSetup().avx2_shap, ForestKernel::kAvx2);
}
BENCHMARK(BM_TreeShapExplainAvx2);

void BM_TreeShapExplainPortable(benchmark::State& state) {
  Explain(state, TheSetup().portable_shap, ForestKernel::kPortable);
}
BENCHMARK(BM_TreeShapExplainPortable);

// What a caller of XGBoost does to explain one row: a 1-row DMatrix, then
// pred_contribs.
void BM_XgboostPredContribsOneRow(benchmark::State& state) {
  const Setup& s = TheSetup();
  size_t i = 0;
  for (auto _ : state) {
    auto matrix = OracleMatrix::FromDense(s.rows.row(i), 1, kFeatures);
    auto contributions = matrix.ok() ? s.booster.Contributions(*matrix)
                                     : StatusOr<std::vector<float>>(matrix.status());
    if (!contributions.ok()) state.SkipWithError(contributions.status().ToString().c_str());
    benchmark::DoNotOptimize(contributions);
    i = (i + 1) % kScoredRows;
  }
}
BENCHMARK(BM_XgboostPredContribsOneRow);

// The console reporter, remembering each benchmark's time per iteration (the
// median when repeated) to print the speed-ups at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      nanoseconds_[name] = run.GetAdjustedRealTime() * Scale(run.time_unit);
    }
  }

  void PrintRatios() const {
    const std::string fastest = ForestKernelName(ForestKernel::kFastest);
    PrintRatio("BM_XgboostInPlacePredictOneRow", "BM_FlatForestPredictMargin",
               "prediction, " + fastest + " (budget: >= 20x, <= 2 us)");
    PrintRatio("BM_XgboostInPlacePredictOneRow", "BM_FlatForestPredictMarginPortable",
               "prediction, portable");
    PrintRatio("BM_XgboostPredContribsOneRow", "BM_TreeShapExplain",
               "TreeSHAP,   " + fastest + " (budget: >= 50x, <= 50 us)");
    PrintRatio("BM_XgboostPredContribsOneRow", "BM_TreeShapExplainAvx2", "TreeSHAP,   AVX2");
    PrintRatio("BM_XgboostPredContribsOneRow", "BM_TreeShapExplainPortable",
               "TreeSHAP,   portable");
  }

 private:
  static double Scale(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1;
      case benchmark::kMicrosecond:
        return 1e3;
      case benchmark::kMillisecond:
        return 1e6;
      default:
        return 1e9;
    }
  }

  void PrintRatio(const std::string& xgboost, const std::string& ours,
                  const std::string& what) const {
    auto x = nanoseconds_.find(xgboost), o = nanoseconds_.find(ours);
    if (x == nanoseconds_.end() || o == nanoseconds_.end()) return;
    std::printf("%s: ours %.3f us, XGBoost %.3f us, %.1fx faster\n", what.c_str(), o->second / 1e3,
                x->second / 1e3, x->second / o->second);
  }

  std::map<std::string, double> nanoseconds_;
};

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  vigil::TheSetup();  // train before timing starts
  vigil::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
