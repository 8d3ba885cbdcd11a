// SimilarCases: the service's similar-case indexes (similar/), one per
// decision kind, over each decision's SHAP vector, kept off the request path.
//
// Adding a case to an HNSW graph costs about a millisecond, far more than a
// score, so the scoring path only offers the case to a bounded queue that one
// background thread drains; when the queue is full the case is dropped and
// counted. The thread runs at SCHED_IDLE priority, so under sustained full
// load the index samples the decisions instead of slowing the scoring.
// A case that is not in the index can still be the query: its vector is
// rebuilt from the stored decision, so GET /v1/decisions/{id}/similar answers
// for every stored decision.
//
// At start the indexes are empty and the same thread rebuilds them from the
// store's decisions (oldest first, so with more decisions than the capacity
// the most recent are kept), before taking live cases; queries meanwhile see
// what has been added so far. Nothing is persisted: the store is the source.
//
// Thread-safe.
#ifndef VIGIL_SERVICE_SIMILAR_CASES_H_
#define VIGIL_SERVICE_SIMILAR_CASES_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "decision/policy.h"
#include "similar/similar_case_index.h"
#include "store/store.h"

namespace vigil {

struct SimilarCasesOptions {
  size_t capacity = 200'000;       // cases kept per kind; memory is allocated up front
  size_t queue_capacity = 10'000;  // cases waiting to be added; more are dropped
  bool rebuild = true;             // rebuild from the store at start
  // The most of one core the indexing thread may use (it sleeps in
  // proportion after each case). Besides running at SCHED_IDLE: an idle
  // priority thread still takes every idle moment of a busy server, and its
  // inserts (~60 µs each, over a graph of megabytes) cost the scoring
  // threads their caches: unbounded, it cut peak throughput by 17 %.
  double cpu_share = 0.2;
};

struct SimilarCasesStats {
  int64_t added = 0;
  int64_t dropped = 0;  // offered while the queue was full
  int64_t rebuilt = 0;  // added from the store at start
  int64_t queue_depth = 0;
  bool rebuilding = false;
  std::array<int64_t, 2> size{};  // by DecisionKind
};

class SimilarCases {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<SimilarCases>> Open(
      const SimilarCasesOptions& options, Store* store);
  ~SimilarCases();  // stops the thread; queued cases are dropped

  // Queues a decided case for the index of `kind`; never blocks.
  void Offer(DecisionKind kind, CaseRecord record, std::vector<float> vector);

  // The k cases most similar to `decision_id`, whose SHAP vector is `vector`
  // (used when the case itself is not in the index).
  [[nodiscard]] StatusOr<std::vector<SimilarCase>> Similar(DecisionKind kind,
                                                           std::string_view decision_id,
                                                           std::span<const float> vector,
                                                           size_t k) const;

  SimilarCasesStats stats() const;

  // The SHAP vector of a stored decision, in the kind's feature order: its
  // packed contributions, or for a record from before they were kept apart,
  // its document's "all_factors" by feature name. DataLoss when it has
  // neither.
  [[nodiscard]] static StatusOr<std::vector<float>> VectorOfDecision(DecisionKind kind,
                                                                     const DecisionRecord& record);
  [[nodiscard]] static StatusOr<std::vector<float>> VectorOfDocument(DecisionKind kind,
                                                                     std::string_view document);

 private:
  struct Pending {
    DecisionKind kind;
    CaseRecord record;
    std::vector<float> vector;
  };

  SimilarCases(const SimilarCasesOptions& options, Store* store);
  void Run();
  void Rebuild();
  void AddCase(DecisionKind kind, const CaseRecord& record, std::span<const float> vector);

  const SimilarCasesOptions options_;
  Store* const store_;
  std::array<std::unique_ptr<SimilarCaseIndex>, 2> indexes_;  // by DecisionKind; thread-safe

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<int64_t> added_{0}, dropped_{0}, rebuilt_{0};
  std::atomic<bool> rebuilding_{false};
  std::thread thread_;
};

}  // namespace vigil

#endif  // VIGIL_SERVICE_SIMILAR_CASES_H_
