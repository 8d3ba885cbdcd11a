#include "similar/similar_case_index.h"

#include <fmt/format.h>
#include <hnswlib/hnswlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <exception>
#include <queue>
#include <utility>

#include "common/atomic_file.h"
#include "similar/byte_codec.h"

namespace vigil {
namespace {

constexpr std::string_view kMagic = "VIGILSIM";
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kMaxDimension = 65536;
constexpr size_t kMaxCapacity = size_t{1} << 31;
constexpr size_t kMinM = 2;
constexpr size_t kMaxM = 100;
constexpr size_t kRandomSeed = 100;  // hnswlib's default: the same cases build the same graph
constexpr int8_t kNoLabel = -1;

absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string GraphPath(const std::string& path) { return path + ".hnsw"; }

// The size of hnswlib 0.6.2's saveIndex output for `graph`: a 96-byte header,
// every node's level-0 block, and each node's upper-level links with a 4-byte
// size. Save compares it with what was written, since saveIndex reports no
// errors (a full disk would otherwise leave a short file).
uint64_t ExpectedGraphFileSize(const hnswlib::HierarchicalNSW<float>& graph) {
  uint64_t size = 10 * sizeof(size_t) + sizeof(int) + sizeof(hnswlib::tableint) + sizeof(double) +
                  graph.cur_element_count * graph.size_data_per_element_;
  for (size_t i = 0; i < graph.cur_element_count; ++i) {
    const int level = graph.element_levels_[i];
    size += sizeof(unsigned int) + (level > 0 ? graph.size_links_per_element_ * level : 0);
  }
  return size;
}

Status DataLoss(const std::string& path, std::string_view what) {
  return absl::DataLossError(fmt::format("similar-case index {}: {}", path, what));
}

Status DataLoss(const std::string& path, const Status& cause) {
  return absl::DataLossError(fmt::format("similar-case index {}: {}", path, cause.message()));
}

}  // namespace

SimilarCaseIndex::SimilarCaseIndex(const Options& options)
    : options_(options), space_(std::make_unique<hnswlib::L2Space>(options.dimension)) {}

SimilarCaseIndex::~SimilarCaseIndex() = default;

Status SimilarCaseIndex::ValidateOptions(const Options& options) {
  if (options.dimension < 1 || options.dimension > kMaxDimension) {
    return absl::InvalidArgumentError(fmt::format(
        "similar-case index dimension must be 1..{}, got {}", kMaxDimension, options.dimension));
  }
  if (options.capacity < 1 || options.capacity > kMaxCapacity) {
    return absl::InvalidArgumentError(fmt::format(
        "similar-case index capacity must be 1..{}, got {}", kMaxCapacity, options.capacity));
  }
  if (options.m < kMinM || options.m > kMaxM) {
    return absl::InvalidArgumentError(
        fmt::format("similar-case index m must be {}..{}, got {}", kMinM, kMaxM, options.m));
  }
  if (options.ef_construction < 1 || options.ef_search < 1) {
    return absl::InvalidArgumentError(
        fmt::format("similar-case index ef_construction and ef_search must be at least 1, got {} "
                    "and {}",
                    options.ef_construction, options.ef_search));
  }
  return absl::OkStatus();
}

StatusOr<std::unique_ptr<SimilarCaseIndex>> SimilarCaseIndex::Create(const Options& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<SimilarCaseIndex> index(new SimilarCaseIndex(options));
  absl::MutexLock lock(&index->mu_);
  try {
    index->graph_ = std::make_unique<Graph>(index->space_.get(), options.capacity, options.m,
                                            options.ef_construction, kRandomSeed);
  } catch (const std::exception& e) {
    return absl::ResourceExhaustedError(fmt::format(
        "cannot allocate a similar-case index for {} cases: {}", options.capacity, e.what()));
  }
  index->graph_->setEf(options.ef_search);
  return index;
}

Status SimilarCaseIndex::ValidateVector(std::span<const float> vector) const {
  if (vector.size() != options_.dimension) {
    return absl::InvalidArgumentError(
        fmt::format("vector has {} values; this similar-case index holds vectors of {}",
                    vector.size(), options_.dimension));
  }
  for (size_t i = 0; i < vector.size(); ++i) {
    if (!std::isfinite(vector[i])) {
      return absl::InvalidArgumentError(
          fmt::format("vector value {} is {}, not a finite number", i, vector[i]));
    }
  }
  return absl::OkStatus();
}

Status SimilarCaseIndex::ValidateOutcome(const CaseOutcome& outcome) {
  if (outcome.label.has_value() && *outcome.label != 0 && *outcome.label != 1) {
    return absl::InvalidArgumentError(
        fmt::format("outcome label must be 0 or 1, got {}", *outcome.label));
  }
  return absl::OkStatus();
}

Status SimilarCaseIndex::Add(const CaseRecord& record, std::span<const float> vector) {
  if (record.decision_id.empty()) {
    return absl::InvalidArgumentError("a similar case needs a decision id");
  }
  RETURN_IF_ERROR(ValidateVector(vector));
  absl::MutexLock lock(&mu_);
  const auto known = slot_by_decision_.find(Key(record.decision_id));
  const bool is_new = known == slot_by_decision_.end();
  const uint32_t slot = is_new ? next_slot_ : known->second;
  try {
    // An existing label (a known decision, or the oldest case's slot once the
    // index is full) makes hnswlib move that node to the new vector and
    // repair its links instead of adding a node.
    graph_->addPoint(vector.data(), slot);
  } catch (const std::exception& e) {
    return absl::InternalError(fmt::format("cannot add case {} to the similar-case index: {}",
                                           record.decision_id, e.what()));
  }
  if (slot == slots_.size()) {
    slots_.emplace_back();
  } else {
    UnindexSlot(slot);
    if (is_new) slots_[slot].outcome = {};  // the evicted case's outcome
  }
  slots_[slot].record = record;
  IndexSlot(slot);
  if (is_new) next_slot_ = static_cast<uint32_t>((slot + 1) % options_.capacity);
  return absl::OkStatus();
}

void SimilarCaseIndex::IndexSlot(uint32_t slot) {
  const CaseRecord& record = slots_[slot].record;
  slot_by_decision_[record.decision_id] = slot;
  slots_by_subject_[record.subject_id].push_back(slot);
}

void SimilarCaseIndex::UnindexSlot(uint32_t slot) {
  const CaseRecord& record = slots_[slot].record;
  slot_by_decision_.erase(record.decision_id);
  const auto subject = slots_by_subject_.find(record.subject_id);
  if (subject == slots_by_subject_.end()) return;
  std::vector<uint32_t>& slots = subject->second;
  slots.erase(std::remove(slots.begin(), slots.end(), slot), slots.end());
  if (slots.empty()) slots_by_subject_.erase(subject);
}

Status SimilarCaseIndex::SetOutcome(std::string_view decision_id, const CaseOutcome& outcome) {
  RETURN_IF_ERROR(ValidateOutcome(outcome));
  absl::MutexLock lock(&mu_);
  const auto found = slot_by_decision_.find(Key(decision_id));
  if (found == slot_by_decision_.end()) {
    return absl::NotFoundError(
        fmt::format("decision {} is not in the similar-case index", decision_id));
  }
  slots_[found->second].outcome = outcome;
  return absl::OkStatus();
}

StatusOr<size_t> SimilarCaseIndex::SetOutcomeForSubject(std::string_view subject_id,
                                                        const CaseOutcome& outcome) {
  RETURN_IF_ERROR(ValidateOutcome(outcome));
  absl::MutexLock lock(&mu_);
  const auto found = slots_by_subject_.find(Key(subject_id));
  if (found == slots_by_subject_.end()) return 0;
  for (uint32_t slot : found->second) slots_[slot].outcome = outcome;
  return found->second.size();
}

StatusOr<std::vector<SimilarCase>> SimilarCaseIndex::Query(
    std::span<const float> vector, size_t k, std::string_view exclude_decision_id) const {
  RETURN_IF_ERROR(ValidateVector(vector));
  absl::ReaderMutexLock lock(&mu_);
  return Search(vector, k, exclude_decision_id);
}

StatusOr<std::vector<SimilarCase>> SimilarCaseIndex::QueryById(std::string_view decision_id,
                                                               size_t k) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto found = slot_by_decision_.find(Key(decision_id));
  if (found == slot_by_decision_.end()) {
    return absl::NotFoundError(
        fmt::format("decision {} is not in the similar-case index", decision_id));
  }
  const std::vector<float> vector = VectorOf(found->second);
  return Search(vector, k, decision_id);
}

StatusOr<SimilarCase> SimilarCaseIndex::Find(std::string_view decision_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto found = slot_by_decision_.find(Key(decision_id));
  if (found == slot_by_decision_.end()) {
    return absl::NotFoundError(
        fmt::format("decision {} is not in the similar-case index", decision_id));
  }
  const Slot& slot = slots_[found->second];
  return SimilarCase{.record = slot.record, .outcome = slot.outcome, .distance = 0};
}

std::vector<float> SimilarCaseIndex::VectorOf(uint32_t slot) const {
  const auto* data =
      reinterpret_cast<const float*>(graph_->getDataByInternalId(graph_->label_lookup_.at(slot)));
  return std::vector<float>(data, data + options_.dimension);
}

StatusOr<std::vector<SimilarCase>> SimilarCaseIndex::Search(
    std::span<const float> vector, size_t k, std::string_view exclude_decision_id) const {
  if (k == 0) return absl::InvalidArgumentError("k must be at least 1");
  std::optional<uint32_t> excluded;
  if (const auto found = slot_by_decision_.find(Key(exclude_decision_id));
      !exclude_decision_id.empty() && found != slot_by_decision_.end()) {
    excluded = found->second;
  }
  const size_t wanted = std::min(slots_.size(), excluded ? k + 1 : k);
  if (wanted == 0) return std::vector<SimilarCase>();
  std::priority_queue<std::pair<float, hnswlib::labeltype>> farthest_first;
  try {
    farthest_first = graph_->searchKnn(vector.data(), wanted);
  } catch (const std::exception& e) {
    return absl::InternalError(fmt::format("similar-case search failed: {}", e.what()));
  }
  std::vector<SimilarCase> cases;
  cases.reserve(farthest_first.size());
  for (; !farthest_first.empty(); farthest_first.pop()) {
    const auto [squared_distance, label] = farthest_first.top();
    if (excluded == label) continue;
    const Slot& slot = slots_[label];
    cases.push_back({.record = slot.record,
                     .outcome = slot.outcome,
                     .distance = std::sqrt(std::max(0.0f, squared_distance))});
  }
  std::reverse(cases.begin(), cases.end());
  if (cases.size() > k) cases.resize(k);
  return cases;
}

size_t SimilarCaseIndex::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return slots_.size();
}

// The records file: magic, format version, options, eviction position, the
// graph file's size and CRC, one entry per slot, then the CRC of all of it.
std::string SimilarCaseIndex::EncodeRecords(uint64_t graph_size, uint32_t graph_crc) const {
  ByteWriter out;
  out.WriteRaw(kMagic);
  out.Write(kFormatVersion);
  for (size_t option : {options_.dimension, options_.capacity, options_.m, options_.ef_construction,
                        options_.ef_search}) {
    out.Write(static_cast<uint64_t>(option));
  }
  out.Write(next_slot_);
  out.Write(graph_size);
  out.Write(graph_crc);
  out.Write(static_cast<uint64_t>(slots_.size()));
  for (const Slot& slot : slots_) {
    out.WriteString(slot.record.decision_id);
    out.WriteString(slot.record.subject_id);
    out.Write(slot.record.at);
    out.Write(slot.record.risk_score);
    out.WriteString(slot.record.action);
    out.WriteString(slot.outcome.name);
    out.Write(static_cast<int8_t>(slot.outcome.label.value_or(kNoLabel)));
  }
  out.Write(Crc32(out.bytes()));
  return out.Take();
}

Status SimilarCaseIndex::Save(const std::string& path) const {
  absl::ReaderMutexLock lock(&mu_);
  const std::string graph_path = GraphPath(path);
  const std::string graph_temp = TemporaryPathNear(graph_path);
  try {
    graph_->saveIndex(graph_temp);
  } catch (const std::exception& e) {
    return absl::InternalError(fmt::format("cannot write {}: {}", graph_temp, e.what()));
  }
  StatusOr<std::string> graph = ReadFileToString(graph_temp);
  if (!graph.ok() || graph->size() != ExpectedGraphFileSize(*graph_)) {
    ::unlink(graph_temp.c_str());
    return absl::InternalError(
        fmt::format("cannot write {} (directory missing or disk full?)", graph_path));
  }
  RETURN_IF_ERROR(SyncAndRename(graph_temp, graph_path));
  return WriteFileAtomically(path, EncodeRecords(graph->size(), Crc32(*graph)));
}

StatusOr<std::unique_ptr<SimilarCaseIndex>> SimilarCaseIndex::Load(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string bytes, ReadFileToString(path));
  const size_t header_size = kMagic.size() + sizeof(uint32_t);
  if (bytes.size() < header_size + sizeof(uint32_t) ||
      std::string_view(bytes).substr(0, kMagic.size()) != kMagic) {
    return DataLoss(path, "not a similar-case index file");
  }
  const std::string_view body = std::string_view(bytes).substr(0, bytes.size() - sizeof(uint32_t));
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + body.size(), sizeof(stored_crc));
  if (Crc32(body) != stored_crc) return DataLoss(path, "checksum mismatch (truncated or corrupt)");

  ByteReader in(body.substr(kMagic.size()));
  uint32_t version = 0;
  std::array<uint64_t, 5> raw_options{};
  bool read = in.Read(&version);
  for (uint64_t& option : raw_options) read = read && in.Read(&option);
  if (!read) return DataLoss(path, "header is truncated");
  if (version != kFormatVersion) {
    return DataLoss(path,
                    fmt::format("format version {}, this build reads {}", version, kFormatVersion));
  }
  const Options options{.dimension = raw_options[0],
                        .capacity = raw_options[1],
                        .m = raw_options[2],
                        .ef_construction = raw_options[3],
                        .ef_search = raw_options[4]};
  if (Status valid = ValidateOptions(options); !valid.ok()) {
    return DataLoss(path, valid);
  }
  std::unique_ptr<SimilarCaseIndex> index(new SimilarCaseIndex(options));
  absl::MutexLock lock(&index->mu_);
  uint64_t graph_size = 0;
  uint32_t graph_crc = 0;
  if (Status decoded = index->DecodeRecords(body.substr(header_size + sizeof(raw_options)),
                                            &graph_size, &graph_crc);
      !decoded.ok()) {
    return DataLoss(path, decoded);
  }
  const std::string graph_path = GraphPath(path);
  StatusOr<std::string> graph = ReadFileToString(graph_path);
  if (!graph.ok()) return DataLoss(path, graph.status());
  if (graph->size() != graph_size || Crc32(*graph) != graph_crc) {
    return DataLoss(path,
                    fmt::format("{} does not match the records (interrupted Save?)", graph_path));
  }
  if (Status loaded = index->LoadGraph(graph_path); !loaded.ok()) {
    return DataLoss(path, loaded);
  }
  return index;
}

Status SimilarCaseIndex::DecodeRecords(std::string_view bytes, uint64_t* graph_size,
                                       uint32_t* graph_crc) {
  ByteReader in(bytes);
  uint64_t count = 0;
  if (!in.Read(&next_slot_) || !in.Read(graph_size) || !in.Read(graph_crc) || !in.Read(&count)) {
    return absl::DataLossError("records header is truncated");
  }
  if (count > options_.capacity || next_slot_ >= options_.capacity ||
      (count < options_.capacity && next_slot_ != count)) {
    return absl::DataLossError(fmt::format("{} cases, next slot {} and capacity {} disagree", count,
                                           next_slot_, options_.capacity));
  }
  for (uint64_t i = 0; i < count; ++i) {
    Slot slot;
    int8_t label = kNoLabel;
    if (!in.ReadString(&slot.record.decision_id) || !in.ReadString(&slot.record.subject_id) ||
        !in.Read(&slot.record.at) || !in.Read(&slot.record.risk_score) ||
        !in.ReadString(&slot.record.action) || !in.ReadString(&slot.outcome.name) ||
        !in.Read(&label)) {
      return absl::DataLossError(fmt::format("case {} of {} is truncated", i, count));
    }
    if (label != kNoLabel && label != 0 && label != 1) {
      return absl::DataLossError(fmt::format("case {} has label {}", i, label));
    }
    if (label != kNoLabel) slot.outcome.label = label;
    if (slot.record.decision_id.empty() || slot_by_decision_.contains(slot.record.decision_id)) {
      return absl::DataLossError(fmt::format("case {} has an empty or repeated decision id '{}'", i,
                                             slot.record.decision_id));
    }
    slots_.push_back(std::move(slot));
    IndexSlot(static_cast<uint32_t>(slots_.size() - 1));
  }
  if (in.remaining() != 0) return absl::DataLossError("unexpected bytes after the last case");
  return absl::OkStatus();
}

Status SimilarCaseIndex::LoadGraph(const std::string& graph_path) {
  try {
    graph_ = std::make_unique<Graph>(space_.get(), graph_path, false, options_.capacity);
  } catch (const std::exception& e) {
    return absl::DataLossError(fmt::format("cannot load {}: {}", graph_path, e.what()));
  }
  // hnswlib's loading constructor leaves the deleted-node count unset; this
  // index never deletes nodes (it moves them), so it is zero.
  graph_->num_deleted_ = 0;
  graph_->metric_hops = 0;
  graph_->metric_distance_computations = 0;
  const size_t vector_bytes = options_.dimension * sizeof(float);
  const size_t cases = slots_.size();
  const bool consistent =
      graph_->cur_element_count == cases && graph_->max_elements_ == options_.capacity &&
      graph_->M_ == options_.m && graph_->label_offset_ == graph_->offsetData_ + vector_bytes &&
      graph_->size_data_per_element_ == graph_->label_offset_ + sizeof(hnswlib::labeltype) &&
      graph_->label_lookup_.size() == cases &&
      std::all_of(graph_->label_lookup_.begin(), graph_->label_lookup_.end(),
                  [cases](const auto& entry) { return entry.first < cases; });
  if (!consistent) {
    graph_.reset();
    return absl::DataLossError(
        fmt::format("{} does not fit the records (other dimension, capacity or M)", graph_path));
  }
  graph_->setEf(options_.ef_search);
  return absl::OkStatus();
}

}  // namespace vigil
