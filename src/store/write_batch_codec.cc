#include "store/write_batch_codec.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "fmt/format.h"

namespace vigil {
namespace {

static_assert(std::endian::native == std::endian::little, "journal records are little-endian");

constexpr uint8_t kVersion = 1;

template <typename T>
void PutFixed(T value, std::string* out) {
  static_assert(std::is_trivially_copyable_v<T>);
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void PutString(std::string_view s, std::string* out) {
  PutFixed(static_cast<uint32_t>(s.size()), out);
  out->append(s);
}

template <typename Float>
void PutFloats(const std::vector<Float>& values, std::string* out) {
  PutFixed(static_cast<uint32_t>(values.size()), out);
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Float));
}

// Reads fields in order; the first shortfall is remembered and every later
// read yields zero values, so decoding checks once at the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  template <typename T>
  T Fixed(std::string_view what) {
    T value{};
    if (Take(sizeof(T), what)) std::memcpy(&value, taken_.data(), sizeof(T));
    return value;
  }

  std::string String(std::string_view what) {
    const auto size = Fixed<uint32_t>(what);
    return Take(size, what) ? std::string(taken_) : std::string();
  }

  template <typename Float>
  std::vector<Float> Floats(std::string_view what) {
    const auto count = Fixed<uint32_t>(what);
    std::vector<Float> values;
    if (!Take(static_cast<size_t>(count) * sizeof(Float), what)) return values;
    values.resize(count);
    if (count > 0) std::memcpy(values.data(), taken_.data(), taken_.size());
    return values;
  }

  // A count of items of at least `min_bytes` each; a count the rest of the
  // record cannot hold is an error (no allocation from a corrupt count).
  size_t Count(size_t min_bytes, std::string_view what) {
    const auto count = Fixed<uint32_t>(what);
    if (error_.empty() && static_cast<size_t>(count) * min_bytes > rest_.size()) {
      error_ = fmt::format("a journal record claims {} for {} but holds {} bytes", count, what,
                           rest_.size());
      return 0;
    }
    return count;
  }

  Status Finish() const {
    if (!error_.empty()) return absl::DataLossError(error_);
    if (!rest_.empty()) {
      return absl::DataLossError(
          fmt::format("a journal record has {} bytes after its batch", rest_.size()));
    }
    return absl::OkStatus();
  }

 private:
  bool Take(size_t size, std::string_view what) {
    if (!error_.empty()) return false;
    if (rest_.size() < size) {
      error_ = fmt::format("a journal record ends inside {} ({} bytes needed, {} left)", what, size,
                           rest_.size());
      return false;
    }
    taken_ = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }

  std::string_view rest_;
  std::string_view taken_;
  std::string error_;
};

}  // namespace

void EncodeWriteBatch(const WriteBatch& batch, std::string* out) {
  PutFixed(kVersion, out);
  PutFixed(static_cast<uint32_t>(batch.events.size()), out);
  for (const EventRecord& e : batch.events) {
    PutString(e.event_id, out);
    PutString(e.type, out);
    PutFixed(static_cast<int64_t>(e.at), out);
    PutString(e.payload, out);
  }
  PutFixed(static_cast<uint32_t>(batch.decisions.size()), out);
  for (const DecisionRecord& d : batch.decisions) {
    PutString(d.decision_id, out);
    PutString(d.subject_id, out);
    PutString(d.kind, out);
    PutFixed(static_cast<int64_t>(d.at), out);
    PutString(d.customer_id, out);
    PutString(d.model_version, out);
    PutFixed(d.risk_score, out);
    PutString(d.risk_level, out);
    PutString(d.action, out);
    PutString(d.request_id, out);
    PutString(d.document, out);
    PutFloats(d.features, out);
    PutFloats(d.contributions, out);
  }
}

StatusOr<WriteBatch> DecodeWriteBatch(std::string_view bytes) {
  Reader in(bytes);
  const auto version = in.Fixed<uint8_t>("the version");
  if (!bytes.empty() && version != kVersion) {
    return absl::DataLossError(fmt::format(
        "a journal record of version {}; this binary reads version {}", version, kVersion));
  }
  // An event is at least three lengths and a time; a decision more.
  WriteBatch batch;
  batch.events.resize(in.Count(20, "the event count"));
  for (EventRecord& e : batch.events) {
    e.event_id = in.String("an event id");
    e.type = in.String("an event type");
    e.at = in.Fixed<int64_t>("an event time");
    e.payload = in.String("an event payload");
  }
  batch.decisions.resize(in.Count(64, "the decision count"));
  for (DecisionRecord& d : batch.decisions) {
    d.decision_id = in.String("a decision id");
    d.subject_id = in.String("a subject id");
    d.kind = in.String("a decision kind");
    d.at = in.Fixed<int64_t>("a decision time");
    d.customer_id = in.String("a customer id");
    d.model_version = in.String("a model version");
    d.risk_score = in.Fixed<double>("a risk score");
    d.risk_level = in.String("a risk level");
    d.action = in.String("an action");
    d.request_id = in.String("a request id");
    d.document = in.String("a decision document");
    d.features = in.Floats<float>("a feature vector");
    d.contributions = in.Floats<double>("SHAP values");
  }
  RETURN_IF_ERROR(in.Finish());
  return batch;
}

}  // namespace vigil
