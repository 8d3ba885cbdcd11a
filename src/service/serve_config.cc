#include "service/serve_config.h"

#include <cstdlib>
#include <limits>
#include <set>

#include "absl/strings/numbers.h"
// parse_result carries errors as values instead of exceptions.
#define TOML_EXCEPTIONS 0
// Debian's compiled libtomlplusplus is built with exceptions; compile our own.
#define TOML_HEADER_ONLY 1
#include "toml++/toml.h"

namespace vigil {
namespace {

// Reads the keys of one TOML table into settings, rejecting unknown ones.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, std::string file)
      : table_(table), path_(std::move(path)), file_(std::move(file)) {}

  template <typename T>
  Status Read(std::string_view key, T* out) {
    known_.insert(std::string(key));
    const toml::node* node = table_.get(key);
    if (node == nullptr) return absl::OkStatus();
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) return *out = *v, absl::OkStatus();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value<bool>()) return *out = *v, absl::OkStatus();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node->value<double>()) return *out = static_cast<T>(*v), absl::OkStatus();
    } else {
      if (node->is_integer()) {
        const int64_t v = node->as_integer()->get();
        if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
            static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
          return Error(key, "is out of range");
        }
        return *out = static_cast<T>(v), absl::OkStatus();
      }
    }
    return Error(key, "has the wrong type");
  }

  // Unknown keys are typos until proven otherwise.
  Status RejectUnknown() const {
    for (const auto& [key, node] : table_) {
      if (!known_.contains(std::string(key.str())))
        return Error(key.str(), "is not a known setting");
    }
    return absl::OkStatus();
  }

  Status Error(std::string_view key, std::string_view what) const {
    return absl::InvalidArgumentError(fmt::format("{}: [{}] {} {}", file_, path_, key, what));
  }

 private:
  const toml::table& table_;
  std::string path_, file_;
  std::set<std::string> known_;
};

const toml::table* Sub(const toml::table& t, std::string_view key) {
  const toml::node* node = t.get(key);
  return node != nullptr ? node->as_table() : nullptr;
}

// [policy] holds only [policy.order] and [policy.return].
Status CheckPolicyTables(const toml::table& root, const std::string& file) {
  const toml::node* policy = root.get("policy");
  if (policy == nullptr) return absl::OkStatus();
  if (!policy->is_table()) {
    return absl::InvalidArgumentError(fmt::format("{}: [policy] must be a table", file));
  }
  for (const auto& [key, node] : *policy->as_table()) {
    if ((key.str() != "order" && key.str() != "return") || !node.is_table()) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: [policy] {} is not known; use [policy.order] or [policy.return]", file, key.str()));
    }
  }
  return absl::OkStatus();
}

Status ReadThresholds(const toml::table& root, std::string_view kind, const std::string& file,
                      RiskThresholds* t) {
  const toml::table* policy = Sub(root, "policy");
  if (policy == nullptr) return absl::OkStatus();
  const toml::table* table = Sub(*policy, kind);
  if (table == nullptr) return absl::OkStatus();
  TableReader r(*table, fmt::format("policy.{}", kind), file);
  RETURN_IF_ERROR(r.Read("medium", &t->medium));
  RETURN_IF_ERROR(r.Read("high", &t->high));
  RETURN_IF_ERROR(r.Read("critical", &t->critical));
  return r.RejectUnknown();
}

StatusOr<int64_t> EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  int64_t out = 0;
  if (!absl::SimpleAtoi(v, &out)) {
    return absl::InvalidArgumentError(fmt::format("{}='{}' is not a number", name, v));
  }
  return out;
}

}  // namespace

StatusOr<ServeConfig> LoadServeConfig(const std::string& path) {
  ServeConfig config;
  toml::parse_result parsed = toml::parse_file(path);
  if (!parsed) {
    const auto& err = parsed.error();
    return absl::InvalidArgumentError(fmt::format("{}:{}:{}: {}", path, err.source().begin.line,
                                                  err.source().begin.column,
                                                  std::string_view(err.description())));
  }
  const toml::table& root = parsed.table();
  for (const auto& [key, node] : root) {
    static const std::set<std::string> kSections = {
        "server", "store", "models", "policy", "rate_limits", "similar", "narration", "payment"};
    if (!kSections.contains(std::string(key.str())) || !node.is_table()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: [{}] is not a known section", path, key.str()));
    }
  }
  if (const toml::table* t = Sub(root, "server")) {
    TableReader r(*t, "server", path);
    RETURN_IF_ERROR(r.Read("bind", &config.bind));
    RETURN_IF_ERROR(r.Read("port", &config.port));
    RETURN_IF_ERROR(r.Read("io_threads", &config.io_threads));
    RETURN_IF_ERROR(r.Read("worker_threads", &config.worker_threads));
    RETURN_IF_ERROR(r.Read("max_body_bytes", &config.max_body_bytes));
    RETURN_IF_ERROR(r.Read("max_header_bytes", &config.max_header_bytes));
    RETURN_IF_ERROR(r.Read("read_timeout_ms", &config.read_timeout_ms));
    RETURN_IF_ERROR(r.Read("idle_timeout_ms", &config.idle_timeout_ms));
    RETURN_IF_ERROR(r.Read("max_connections", &config.max_connections));
    RETURN_IF_ERROR(r.Read("shutdown_drain_ms", &config.shutdown_drain_ms));
    RETURN_IF_ERROR(r.Read("metrics_require_key", &config.metrics_require_key));
    RETURN_IF_ERROR(r.Read("access_log", &config.access_log));
    RETURN_IF_ERROR(r.Read("web_dir", &config.web_dir));
    RETURN_IF_ERROR(r.Read("secure_cookies", &config.secure_cookies));
    RETURN_IF_ERROR(r.RejectUnknown());
  }
  if (const toml::table* t = Sub(root, "store")) {
    TableReader r(*t, "store", path);
    RETURN_IF_ERROR(r.Read("data_dir", &config.data_dir));
    RETURN_IF_ERROR(r.Read("retention_days", &config.retention_days));
    RETURN_IF_ERROR(r.Read("wal_checkpoint_pages", &config.wal_checkpoint_pages));
    RETURN_IF_ERROR(r.Read("archive_interval_minutes", &config.archive_interval_minutes));
    RETURN_IF_ERROR(r.Read("rollup_interval_seconds", &config.rollup_interval_seconds));
    RETURN_IF_ERROR(r.RejectUnknown());
  }
  if (const toml::table* t = Sub(root, "models")) {
    TableReader r(*t, "models", path);
    RETURN_IF_ERROR(r.Read("dir", &config.models_dir));
    RETURN_IF_ERROR(r.Read("top_factors", &config.top_factors));
    RETURN_IF_ERROR(r.Read("challenger_order", &config.challenger_order));
    RETURN_IF_ERROR(r.Read("challenger_return", &config.challenger_return));
    RETURN_IF_ERROR(r.Read("challenger_share", &config.challenger_share));
    RETURN_IF_ERROR(r.RejectUnknown());
  }
  RETURN_IF_ERROR(CheckPolicyTables(root, path));
  RiskThresholds order = config.policy.thresholds(DecisionKind::kOrder);
  RiskThresholds ret = config.policy.thresholds(DecisionKind::kReturn);
  RETURN_IF_ERROR(ReadThresholds(root, "order", path, &order));
  RETURN_IF_ERROR(ReadThresholds(root, "return", path, &ret));
  config.policy = Policy(order, ret);
  if (const toml::table* t = Sub(root, "rate_limits")) {
    for (const auto& [role, node] : *t) {
      const std::string name(role.str());
      if (!config.rate_limits.contains(name)) {
        return absl::InvalidArgumentError(
            fmt::format("{}: [rate_limits] {} is not a role (scorer, analyst, admin)", path, name));
      }
      const toml::table* limit = node.as_table();
      if (limit == nullptr) {
        return absl::InvalidArgumentError(fmt::format(
            "{}: [rate_limits] {} must be a table like {{ per_second = 100, burst = 200 }}", path,
            name));
      }
      TableReader r(*limit, "rate_limits." + name, path);
      RETURN_IF_ERROR(r.Read("per_second", &config.rate_limits[name].tokens_per_second));
      RETURN_IF_ERROR(r.Read("burst", &config.rate_limits[name].burst));
      RETURN_IF_ERROR(r.RejectUnknown());
    }
  }
  if (const toml::table* t = Sub(root, "narration")) {
    TableReader r(*t, "narration", path);
    NarrationConfig& n = config.narration;
    std::string provider = std::string(NarrationProviderName(n.provider));
    RETURN_IF_ERROR(r.Read("provider", &provider));
    auto parsed = ParseNarrationProvider(provider);
    if (!parsed.ok()) return r.Error("provider", "must be none, openai or bedrock");
    n.provider = *parsed;
    RETURN_IF_ERROR(r.Read("endpoint", &n.endpoint));
    RETURN_IF_ERROR(r.Read("model", &n.model));
    RETURN_IF_ERROR(r.Read("api_key", &n.api_key));
    RETURN_IF_ERROR(r.Read("region", &n.region));
    RETURN_IF_ERROR(r.Read("budget_ms", &n.async_budget_ms));
    RETURN_IF_ERROR(r.Read("cache_capacity", &n.cache_capacity));
    RETURN_IF_ERROR(r.Read("max_tokens", &n.max_tokens));
    RETURN_IF_ERROR(r.Read("temperature", &n.temperature));
    RETURN_IF_ERROR(r.Read("workers", &n.async_workers));
    RETURN_IF_ERROR(r.Read("queue_capacity", &n.async_queue_capacity));
    RETURN_IF_ERROR(r.RejectUnknown());
  }
  if (const toml::table* t = Sub(root, "payment")) {
    TableReader r(*t, "payment", path);
    RETURN_IF_ERROR(r.Read("fraud_threshold", &config.fraud_threshold));
    RETURN_IF_ERROR(r.Read("verification_ttl_seconds", &config.verification_ttl_seconds));
    RETURN_IF_ERROR(r.Read("expired_status", &config.expired_status));
    RETURN_IF_ERROR(r.Read("no_sms_status", &config.no_sms_status));
    RETURN_IF_ERROR(r.Read("sms_shows_amount", &config.sms_shows_amount));
    RETURN_IF_ERROR(r.RejectUnknown());
  }
  if (const toml::table* t = Sub(root, "similar")) {
    TableReader r(*t, "similar", path);
    RETURN_IF_ERROR(r.Read("capacity", &config.similar_capacity));
    RETURN_IF_ERROR(r.Read("cpu_share", &config.similar_cpu_share));
    RETURN_IF_ERROR(r.RejectUnknown());
  }
  return config;
}

Status ApplyEnvironment(ServeConfig* config) {
  if (const char* v = std::getenv("VIGIL_BIND"); v != nullptr && *v != '\0') config->bind = v;
  if (const char* v = std::getenv("VIGIL_DATA_DIR"); v != nullptr && *v != '\0') {
    config->data_dir = v;
  }
  if (const char* v = std::getenv("VIGIL_MODELS"); v != nullptr && *v != '\0') {
    config->models_dir = v;
  }
  // docs/dashboard.md: [server] web_dir, else VIGIL_WEB_DIR.
  if (const char* v = std::getenv("VIGIL_WEB_DIR"); v != nullptr && *v != '\0') {
    if (config->web_dir.empty()) config->web_dir = v;
  }
  auto secret = [](const char* name, std::string* out) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') *out = v;
  };
  secret("VIGIL_LLM_API_KEY", &config->narration.api_key);
  secret("AWS_ACCESS_KEY_ID", &config->narration.access_key_id);
  secret("AWS_SECRET_ACCESS_KEY", &config->narration.secret_access_key);
  secret("AWS_SESSION_TOKEN", &config->narration.session_token);
  secret("TWILIO_AUTH_TOKEN", &config->twilio_auth_token);
  secret("PUBLIC_BASE_URL", &config->public_base_url);
  if (const char* v = std::getenv("FRAUD_THRESHOLD"); v != nullptr && *v != '\0') {
    double threshold = 0;
    if (!absl::SimpleAtod(v, &threshold) || !(threshold > 0 && threshold < 1)) {
      return absl::InvalidArgumentError(
          fmt::format("FRAUD_THRESHOLD='{}' must be a number between 0 and 1", v));
    }
    config->fraud_threshold = threshold;
  }
  ASSIGN_OR_RETURN(const int64_t port, EnvInt("VIGIL_PORT", config->port));
  ASSIGN_OR_RETURN(const int64_t threads, EnvInt("VIGIL_IO_THREADS", config->io_threads));
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError("VIGIL_PORT must be between 0 and 65535");
  }
  if (threads < 1 || threads > 256) {
    return absl::InvalidArgumentError("VIGIL_IO_THREADS must be between 1 and 256");
  }
  config->port = static_cast<int>(port);
  config->io_threads = static_cast<int>(threads);
  return absl::OkStatus();
}

Status Validate(const ServeConfig& c) {
  auto bad = [](std::string_view what) { return absl::InvalidArgumentError(std::string(what)); };
  if (c.port < 0 || c.port > 65535) return bad("port must be between 0 and 65535");
  if (c.io_threads < 1 || c.io_threads > 256) return bad("io_threads must be between 1 and 256");
  if (c.worker_threads < 1 || c.worker_threads > 256) {
    return bad("worker_threads must be between 1 and 256");
  }
  if (c.max_body_bytes < 1024) return bad("max_body_bytes must be at least 1024");
  if (c.max_header_bytes < 1024) return bad("max_header_bytes must be at least 1024");
  if (c.read_timeout_ms < 1 || c.idle_timeout_ms < 1) return bad("timeouts must be positive");
  if (c.max_connections < 1) return bad("max_connections must be positive");
  if (c.retention_days < 1) return bad("retention_days must be at least 1");
  if (c.wal_checkpoint_pages < 1) return bad("wal_checkpoint_pages must be at least 1");
  if (!(c.challenger_share >= 0 && c.challenger_share <= 1)) {
    return bad("challenger_share must be between 0 and 1");
  }
  if (c.archive_interval_minutes < 0) return bad("archive_interval_minutes must not be negative");
  if (c.rollup_interval_seconds < 1 || c.rollup_interval_seconds > 3'600) {
    return bad("rollup_interval_seconds must be 1..3600");
  }
  if (c.top_factors < 1 || c.top_factors > 100) return bad("top_factors must be 1..100");
  for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
    const RiskThresholds& t = c.policy.thresholds(kind);
    if (!(0 < t.medium && t.medium < t.high && t.high < t.critical && t.critical < 1)) {
      return bad(
          fmt::format("policy.{}: thresholds must rise within (0, 1): medium < high < "
                      "critical",
                      DecisionKindName(kind)));
    }
  }
  for (const auto& [role, limit] : c.rate_limits) {
    if (limit.tokens_per_second < 0 || limit.burst < 0) {
      return bad(fmt::format("rate_limits.{}: per_second and burst must not be negative", role));
    }
    if (limit.tokens_per_second > 0 && limit.burst < 1) {
      return bad(fmt::format("rate_limits.{}: burst must be at least 1 (one request)", role));
    }
  }
  if (c.similar_capacity < 0) return bad("similar.capacity must not be negative");
  if (!(c.similar_cpu_share > 0 && c.similar_cpu_share <= 1)) {
    return bad("similar.cpu_share must be above 0 and at most 1");
  }
  if (!(c.fraud_threshold > 0 && c.fraud_threshold < 1)) {
    return bad("payment.fraud_threshold must be between 0 and 1");
  }
  if (c.verification_ttl_seconds < 1) return bad("payment.verification_ttl_seconds must be >= 1");
  for (auto [name, value] : {std::pair{"expired_status", &c.expired_status},
                             std::pair{"no_sms_status", &c.no_sms_status}}) {
    if (*value != "declined" && *value != "manual_review") {
      return bad(fmt::format("payment.{} must be declined or manual_review", name));
    }
  }
  RETURN_IF_ERROR(ValidateNarrationConfig(c.narration));
  return absl::OkStatus();
}

}  // namespace vigil
