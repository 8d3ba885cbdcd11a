#include "service/similar_cases.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "common/thread_name.h"
#include "features/feature_registry.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

size_t Index(DecisionKind kind) { return static_cast<size_t>(kind); }

}  // namespace

SimilarCases::SimilarCases(const SimilarCasesOptions& options, Store* store)
    : options_(options), store_(store) {}

StatusOr<std::unique_ptr<SimilarCases>> SimilarCases::Open(const SimilarCasesOptions& options,
                                                           Store* store) {
  std::unique_ptr<SimilarCases> cases(new SimilarCases(options, store));
  for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
    SimilarCaseIndex::Options index;
    index.dimension = FeatureSpecs(kind).size();
    index.capacity = options.capacity;
    // Fewer candidates while inserting than hnswlib's usual 200: inserts are
    // the bottleneck here, and recall on SHAP vectors stays high (see
    // docs/similar-cases.md).
    index.ef_construction = 64;
    ASSIGN_OR_RETURN(cases->indexes_[Index(kind)], SimilarCaseIndex::Create(index));
  }
  cases->rebuilding_ = options.rebuild;
  cases->thread_ = std::thread([c = cases.get()] {
    NameThisThread("vigil-similar");
    c->Run();
  });
  return cases;
}

SimilarCases::~SimilarCases() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void SimilarCases::Offer(DecisionKind kind, CaseRecord record, std::vector<float> vector) {
  absl::MutexLock lock(&mu_);
  if (queue_.size() >= options_.queue_capacity) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back({kind, std::move(record), std::move(vector)});
}

void SimilarCases::AddCase(DecisionKind kind, const CaseRecord& record,
                           std::span<const float> vector) {
  // A vector that does not fit (a model of another feature set) is skipped:
  // the index is a help for investigators, never a reason to fail.
  if (indexes_[Index(kind)]->Add(record, vector).ok()) {
    added_.fetch_add(1, std::memory_order_relaxed);
  }
}

namespace {

std::chrono::nanoseconds ThreadCpuTime() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

void SimilarCases::Run() {
  // Indexing is a help, never a competitor for the cores that score: this
  // thread runs only when a core is otherwise idle (under sustained full
  // load the queue fills and cases are dropped, which stats() counts).
  sched_param idle{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  if (rebuilding_) Rebuild();
  rebuilding_ = false;
  while (true) {
    Pending next;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    const std::chrono::nanoseconds started = ThreadCpuTime();
    AddCase(next.kind, next.record, next.vector);
    if (options_.cpu_share < 1) {
      // Busy for b (on a CPU: preemption does not count), asleep for
      // b (1 - s) / s: a duty cycle of s.
      const auto busy = ThreadCpuTime() - started;
      const double share = std::max(options_.cpu_share, 0.01);
      std::this_thread::sleep_for(
          std::chrono::duration_cast<std::chrono::nanoseconds>(busy * ((1 - share) / share)));
    }
  }
}

void SimilarCases::Rebuild() {
  for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
    Status status = store_->ScanDecisions(
        DecisionKindName(kind), 0, [&](int64_t, const DecisionRecord& d) -> Status {
          {
            absl::MutexLock lock(&mu_);
            if (stopping_) return absl::CancelledError("stopping");
          }
          auto vector = VectorOfDecision(kind, d);
          if (!vector.ok()) return absl::OkStatus();  // e.g. an archived-format record
          AddCase(kind,
                  {d.decision_id, d.subject_id, d.at, static_cast<float>(d.risk_score), d.action},
                  *vector);
          rebuilt_.fetch_add(1, std::memory_order_relaxed);
          return absl::OkStatus();
        });
    if (absl::IsCancelled(status)) return;
  }
}

StatusOr<std::vector<SimilarCase>> SimilarCases::Similar(DecisionKind kind,
                                                         std::string_view decision_id,
                                                         std::span<const float> vector,
                                                         size_t k) const {
  const SimilarCaseIndex& index = *indexes_[Index(kind)];
  auto by_id = index.QueryById(decision_id, k);
  if (!absl::IsNotFound(by_id.status())) return by_id;
  return index.Query(vector, k, decision_id);
}

SimilarCasesStats SimilarCases::stats() const {
  SimilarCasesStats s;
  s.added = added_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.rebuilt = rebuilt_.load(std::memory_order_relaxed);
  s.rebuilding = rebuilding_.load(std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mu_);
    s.queue_depth = static_cast<int64_t>(queue_.size());
  }
  for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
    s.size[Index(kind)] = static_cast<int64_t>(indexes_[Index(kind)]->size());
  }
  return s;
}

StatusOr<std::vector<float>> SimilarCases::VectorOfDecision(DecisionKind kind,
                                                            const DecisionRecord& record) {
  if (record.contributions.size() == FeatureSpecs(kind).size()) {
    return std::vector<float>(record.contributions.begin(), record.contributions.end());
  }
  return VectorOfDocument(kind, record.document);
}

StatusOr<std::vector<float>> SimilarCases::VectorOfDocument(DecisionKind kind,
                                                            std::string_view document) {
  const auto json = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  auto factors = json.is_object() ? json.find("all_factors") : json.end();
  if (!json.is_object() || factors == json.end() || !factors->is_array()) {
    return absl::DataLossError("the decision has no all_factors");
  }
  // Feature name -> position in the kind's vector, built once per kind.
  static const auto* positions = [] {
    auto* maps = new std::array<absl::flat_hash_map<std::string_view, size_t>, 2>;
    for (DecisionKind k : {DecisionKind::kOrder, DecisionKind::kReturn}) {
      const auto specs = FeatureSpecs(k);
      for (size_t i = 0; i < specs.size(); ++i) (*maps)[Index(k)].emplace(specs[i].name, i);
    }
    return maps;
  }();
  const auto& position = (*positions)[Index(kind)];
  std::vector<float> vector(FeatureSpecs(kind).size(), 0.0f);
  for (const auto& factor : *factors) {
    const auto name = factor.find("feature");
    const auto value = factor.find("contribution");
    if (name == factor.end() || value == factor.end() || !name->is_string() ||
        !value->is_number()) {
      return absl::DataLossError("an entry of all_factors lacks feature or contribution");
    }
    if (auto it = position.find(name->get_ref<const std::string&>()); it != position.end()) {
      vector[it->second] = value->get<float>();
    }
  }
  return vector;
}

}  // namespace vigil
