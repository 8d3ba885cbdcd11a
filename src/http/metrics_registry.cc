#include "http/metrics_registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "fmt/format.h"

namespace vigil {
namespace {

[[noreturn]] void DieBadMetric(std::string_view name, std::string_view why) {
  std::fprintf(stderr, "MetricsRegistry: metric \"%.*s\": %.*s\n", static_cast<int>(name.size()),
               name.data(), static_cast<int>(why.size()), why.data());
  std::abort();
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; labels do not allow ':'.
bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelKey(std::string_view metric, const MetricLabels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) {
    if (!IsValidName(name, false) || name == "le") DieBadMetric(metric, "invalid label name");
    if (!key.empty()) key += ',';
    key += fmt::format("{}=\"{}\"", name, EscapeLabelValue(value));
  }
  return key;
}

// "{k="v"}" or "" for the empty label set.
std::string Braced(const std::string& key) { return key.empty() ? key : "{" + key + "}"; }

std::string_view TypeName(int type) {
  static constexpr std::string_view kNames[] = {"counter", "gauge", "histogram"};
  return kNames[type];
}

void RenderHistogram(std::string_view name, const std::string& key, const Histogram& h,
                     std::string& out) {
  std::string prefix = key.empty() ? "" : key + ",";
  uint64_t cumulative = 0;
  const std::vector<double>& bounds = h.upper_bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += h.bucket_count(i);
    std::string le = i < bounds.size() ? FormatMetricValue(bounds[i]) : "+Inf";
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix, le,
                   cumulative);
  }
  fmt::format_to(std::back_inserter(out), "{}_sum{} {}\n", name, Braced(key),
                 FormatMetricValue(h.sum()));
  fmt::format_to(std::back_inserter(out), "{}_count{} {}\n", name, Braced(key), cumulative);
}

}  // namespace

void Gauge::Add(double delta) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  double current = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
}

std::vector<double> LatencyBucketsSeconds() {
  // 1.5 and 2 ms: the scoring budget (p99 <= 2 ms) is read off these.
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.0025,
          0.005,   0.01,   0.025,   0.05,   0.1,   0.25,   0.5,   1.0};
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

MetricsRegistry::Family& MetricsRegistry::GetFamily(std::string_view name, std::string_view help,
                                                    Type type,
                                                    const std::vector<double>& upper_bounds) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!IsValidName(name, true)) DieBadMetric(name, "invalid metric name");
    if (type == Type::kHistogram &&
        (upper_bounds.empty() || !std::is_sorted(upper_bounds.begin(), upper_bounds.end()) ||
         std::adjacent_find(upper_bounds.begin(), upper_bounds.end()) != upper_bounds.end())) {
      DieBadMetric(name, "histogram buckets must be non-empty and strictly increasing");
    }
    Family family{std::string(help), type, upper_bounds, {}, {}, {}};
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  Family& family = it->second;
  if (family.type != type) DieBadMetric(name, "registered before with another type");
  if (family.upper_bounds != upper_bounds) DieBadMetric(name, "registered with other buckets");
  return family;
}

Counter* MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, Type::kCounter, {}).counters[LabelKey(name, labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, Type::kGauge, {}).gauges[LabelKey(name, labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const std::vector<double>& upper_bounds,
                                         const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot =
      GetFamily(name, help, Type::kHistogram, upper_bounds).histograms[LabelKey(name, labels)];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return slot.get();
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name,
                   EscapeHelp(family.help), name, TypeName(static_cast<int>(family.type)));
    for (const auto& [key, counter] : family.counters) {
      fmt::format_to(std::back_inserter(out), "{}{} {}\n", name, Braced(key), counter->value());
    }
    for (const auto& [key, gauge] : family.gauges) {
      fmt::format_to(std::back_inserter(out), "{}{} {}\n", name, Braced(key),
                     FormatMetricValue(gauge->value()));
    }
    for (const auto& [key, histogram] : family.histograms) {
      RenderHistogram(name, key, *histogram, out);
    }
  }
  return out;
}

}  // namespace vigil
