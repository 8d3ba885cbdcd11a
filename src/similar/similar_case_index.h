// SimilarCaseIndex: the k past decisions most similar to a given one, with
// their outcomes once known, for an investigator ("which earlier cases looked
// like this, and how did they end?"). An approximate nearest-neighbour index
// (hnswlib HNSW graph, Euclidean distance) over one fixed-length float vector
// per decision, plus each decision's record and outcome.
//
// Which vector: the decision's SHAP contributions, one per feature in the
// kind's feature order, bias excluded. SHAP puts every feature on one scale
// (log-odds) with no per-feature scaling to fit or keep in sync with a model,
// and near means "risky (or safe) for the same reasons". Euclidean rather
// than cosine: a low-risk case has contributions all near zero and no
// meaningful direction; with Euclidean distance two such cases are near each
// other (cosine would call them arbitrary). And since the contributions sum
// to the score's log-odds minus the bias, |margin(a) - margin(b)| <=
// sqrt(dimension) * distance(a, b): near cases also have similar scores. The
// index itself takes any vector of its dimension; docs/similar-cases.md says
// more.
//
// One index per decision kind (order, return, later transaction), each with
// its own dimension; the index knows nothing of kinds.
//
// Bounded memory: a fixed capacity of cases, all allocated when the index is
// created. When full, Add replaces the oldest case (in insertion order, which
// is time order when cases arrive live or are rebuilt from the store in time
// order): the new case takes the evicted one's node in the graph, whose
// vector and links hnswlib updates in place. That costs several times a
// plain insertion (milliseconds at 100 000 cases): add cases off the request
// path.
//
// Thread-safe: queries and Save run concurrently under a shared lock; Add and
// SetOutcome take it exclusively.
#ifndef VIGIL_SIMILAR_SIMILAR_CASE_INDEX_H_
#define VIGIL_SIMILAR_SIMILAR_CASE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"

namespace hnswlib {
template <typename dist_t>
class HierarchicalNSW;
class L2Space;
}  // namespace hnswlib

namespace vigil {

// What was decided, as the investigator sees it next to the similar case.
struct CaseRecord {
  std::string decision_id;  // unique within the index; never empty
  std::string subject_id;   // the order id or return id the decision was about
  int64_t at = 0;           // when it was decided, unix seconds UTC
  float risk_score = 0;     // calibrated probability
  std::string action;       // recommended action, e.g. "otp_verification"

  friend bool operator==(const CaseRecord&, const CaseRecord&) = default;
};

// How a case ended; arrives after the decision (delivery, RTO, QC result).
struct CaseOutcome {
  std::string name;          // e.g. "delivered", "rto", "abusive_return"; empty while unknown
  std::optional<int> label;  // 1 positive, 0 negative; nullopt while unknown

  friend bool operator==(const CaseOutcome&, const CaseOutcome&) = default;
};

struct SimilarCase {
  CaseRecord record;
  CaseOutcome outcome;
  float distance = 0;  // Euclidean distance between the two vectors
};

class SimilarCaseIndex {
 public:
  struct Options {
    size_t dimension = 0;          // values per vector, 1..65536
    size_t capacity = 100'000;     // cases kept, 1..2^31; memory is allocated for all of them
    size_t m = 16;                 // HNSW links per node, 2..100
    size_t ef_construction = 200;  // HNSW candidate list while inserting, >= 1
    size_t ef_search = 128;        // HNSW candidate list while querying (at least k is used)
  };

  // InvalidArgument when an option is out of range; ResourceExhausted when the
  // graph cannot be allocated.
  [[nodiscard]] static StatusOr<std::unique_ptr<SimilarCaseIndex>> Create(const Options& options);

  // Reads an index written by Save: `path` and `path + ".hnsw"`. NotFound when
  // `path` does not exist; DataLoss when either file is truncated, corrupt,
  // from another format version or does not match the other (a crash between
  // the two renames of Save). On any error, rebuild from the store.
  [[nodiscard]] static StatusOr<std::unique_ptr<SimilarCaseIndex>> Load(const std::string& path);

  ~SimilarCaseIndex();
  SimilarCaseIndex(const SimilarCaseIndex&) = delete;
  SimilarCaseIndex& operator=(const SimilarCaseIndex&) = delete;

  // Adds a case. An unknown decision id takes a free slot, or the oldest
  // case's slot when the index is full. A known decision id replaces that
  // case's record and vector in place, keeping its outcome and its place in
  // the eviction order (re-scoring the same decision is idempotent).
  // InvalidArgument when the decision id is empty, the vector's size is not
  // the dimension, or a value is not finite; Internal if hnswlib fails.
  [[nodiscard]] Status Add(const CaseRecord& record, std::span<const float> vector);

  // Records how the case with this decision id ended, replacing any earlier
  // outcome. NotFound when the decision is not (or no longer) in the index;
  // InvalidArgument when the label is not 0 or 1.
  [[nodiscard]] Status SetOutcome(std::string_view decision_id, const CaseOutcome& outcome);
  // The same for every case about this subject (order or return id), since
  // outcome events name the order, not the decision. Returns how many cases
  // were updated (0 when none is in the index); InvalidArgument as above.
  [[nodiscard]] StatusOr<size_t> SetOutcomeForSubject(std::string_view subject_id,
                                                      const CaseOutcome& outcome);

  // The (approximately) k nearest cases to `vector`, nearest first, leaving
  // out the case `exclude_decision_id` (empty: leave out none). Fewer than k
  // when the index holds fewer. InvalidArgument when k is 0 or the vector is
  // not of the dimension or not finite.
  [[nodiscard]] StatusOr<std::vector<SimilarCase>> Query(
      std::span<const float> vector, size_t k, std::string_view exclude_decision_id = {}) const;
  // The k nearest cases to the stored case `decision_id`, without itself.
  // NotFound when the decision is not in the index.
  [[nodiscard]] StatusOr<std::vector<SimilarCase>> QueryById(std::string_view decision_id,
                                                             size_t k) const;

  // The stored case (distance 0). NotFound when the decision is not in the index.
  [[nodiscard]] StatusOr<SimilarCase> Find(std::string_view decision_id) const;

  // Writes the index to `path` (records, outcomes, eviction order, checksums)
  // and `path + ".hnsw"` (hnswlib's graph file), each through a temporary file
  // renamed into place; the directory must exist. Internal on I/O errors.
  [[nodiscard]] Status Save(const std::string& path) const;

  size_t size() const;
  size_t capacity() const { return options_.capacity; }
  const Options& options() const { return options_; }

 private:
  struct Slot {
    CaseRecord record;
    CaseOutcome outcome;
  };
  using Graph = hnswlib::HierarchicalNSW<float>;

  explicit SimilarCaseIndex(const Options& options);
  static Status ValidateOptions(const Options& options);
  Status ValidateVector(std::span<const float> vector) const;
  static Status ValidateOutcome(const CaseOutcome& outcome);

  // The slot a new decision goes to, evicting its previous case if any.
  uint32_t TakeSlotForNewCase() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexSlot(uint32_t slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnindexSlot(uint32_t slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  StatusOr<std::vector<SimilarCase>> Search(std::span<const float> vector, size_t k,
                                            std::string_view exclude_decision_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::vector<float> VectorOf(uint32_t slot) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  std::string EncodeRecords(uint64_t graph_size, uint32_t graph_crc) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  Status DecodeRecords(std::string_view bytes, uint64_t* graph_size, uint32_t* graph_crc)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status LoadGraph(const std::string& graph_path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const std::unique_ptr<hnswlib::L2Space> space_;

  mutable absl::Mutex mu_;
  // Graph labels are slot numbers: slots_[i] is the case whose vector is
  // graph node label i.
  std::unique_ptr<Graph> graph_ ABSL_GUARDED_BY(mu_);
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);  // grows to capacity, then is reused
  uint32_t next_slot_ ABSL_GUARDED_BY(mu_) = 0;   // the slot the next new case takes
  absl::flat_hash_map<std::string, uint32_t> slot_by_decision_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<uint32_t>> slots_by_subject_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil

#endif  // VIGIL_SIMILAR_SIMILAR_CASE_INDEX_H_
