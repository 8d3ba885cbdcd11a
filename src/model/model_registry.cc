#include "model/model_registry.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>

#include "common/atomic_file.h"
#include "model/checksum.h"
#include "model/report.h"
#include "model/version_files.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr char kRegistryFile[] = "registry.json";

Timestamp SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status CheckKind(const std::string& kind) {
  for (const char* known : kModelKinds) {
    if (kind == known) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      fmt::format("unknown model kind '{}'; expected order, return or transaction", kind));
}

// "v12" -> 12; -1 for anything else.
int VersionNumber(const std::string& version) {
  if (version.size() < 2 || version[0] != 'v' || version.size() > 10) return -1;
  int n = 0;
  for (size_t i = 1; i < version.size(); ++i) {
    if (version[i] < '0' || version[i] > '9') return -1;
    n = n * 10 + (version[i] - '0');
  }
  return version[1] == '0' ? -1 : n;
}

// Accepts "v3" and "order-v3".
StatusOr<std::string> NormaliseVersion(const std::string& kind, const std::string& version) {
  std::string v = version.rfind(kind + "-", 0) == 0 ? version.substr(kind.size() + 1) : version;
  if (VersionNumber(v) < 0) {
    return absl::InvalidArgumentError(
        fmt::format("version must look like v<N> or {}-v<N>, got '{}'", kind, version));
  }
  return v;
}

Status FsError(const std::string& what, const std::error_code& error) {
  return absl::InternalError(fmt::format("{}: {}", what, error.message()));
}

// A published version must hold all four files and a matching checksum.
Status VerifyVersionDir(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return absl::NotFoundError(fmt::format("{} does not exist", dir));
  }
  RETURN_IF_ERROR(ReadVersionFiles(dir).status());
  for (const char* file : {kMetricsFile, kReportFile}) {
    if (!fs::exists(fs::path(dir) / file, error)) {
      return absl::NotFoundError(fmt::format("{}/{} is missing; republish this model", dir, file));
    }
  }
  return absl::OkStatus();
}

double JsonNumber(const Json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_number()) return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>();
}

}  // namespace

struct ModelRegistry::State {
  std::string production;            // "" when none
  std::vector<std::string> lineage;  // production versions in order; back() == production
  Json history = Json::array();      // [{action, version, previous, at}]

  void Record(const std::string& action, const std::string& version, Timestamp at) {
    history.push_back({{"action", action},
                       {"version", version},
                       {"previous", production.empty() ? Json(nullptr) : Json(production)},
                       {"at", FormatTimestamp(at)}});
    production = version;
  }
};

ModelRegistry::ModelRegistry(std::string models_dir, Clock clock)
    : models_dir_(std::move(models_dir)), clock_(clock ? std::move(clock) : Clock(SystemNow)) {}

std::string ModelRegistry::KindDir(const std::string& kind) const {
  return (fs::path(models_dir_) / kind).string();
}

std::string ModelRegistry::VersionDir(const std::string& kind, const std::string& version) const {
  return (fs::path(models_dir_) / kind / version).string();
}

StatusOr<ModelRegistry::State> ModelRegistry::ReadState(const std::string& kind) const {
  const std::string path = (fs::path(KindDir(kind)) / kRegistryFile).string();
  auto text = ReadFileToString(path);
  if (absl::IsNotFound(text.status())) return State();
  if (!text.ok()) return text.status();
  Json json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  State state;
  const auto production = json.is_object() ? json.find("production") : json.end();
  const auto lineage = json.is_object() ? json.find("lineage") : json.end();
  if (production == json.end() || !(production->is_string() || production->is_null()) ||
      lineage == json.end() || !lineage->is_array()) {
    return absl::DataLossError(fmt::format(
        "{} is corrupt (needs \"production\" and \"lineage\"); restore it or promote a version "
        "again after removing it",
        path));
  }
  if (production->is_string()) state.production = production->get<std::string>();
  for (const Json& v : *lineage) {
    if (v.is_string()) state.lineage.push_back(v.get<std::string>());
  }
  if (auto history = json.find("history"); history != json.end() && history->is_array()) {
    state.history = *history;
  }
  return state;
}

Status ModelRegistry::WriteState(const std::string& kind, const State& state) const {
  Json json = {{"kind", kind},
               {"production", state.production.empty() ? Json(nullptr) : Json(state.production)},
               {"lineage", state.lineage},
               {"history", state.history}};
  return WriteFileAtomically((fs::path(KindDir(kind)) / kRegistryFile).string(),
                             json.dump(2) + "\n");
}

StatusOr<std::vector<int>> ModelRegistry::VersionNumbers(const std::string& kind) const {
  std::vector<int> numbers;
  std::error_code error;
  if (!fs::is_directory(KindDir(kind), error)) return numbers;
  for (const auto& entry : fs::directory_iterator(KindDir(kind), error)) {
    const int n = VersionNumber(entry.path().filename().string());
    if (n > 0 && entry.is_directory()) numbers.push_back(n);
  }
  if (error) return FsError(fmt::format("cannot list {}", KindDir(kind)), error);
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

StatusOr<std::string> ModelRegistry::WriteVersion(const std::string& kind,
                                                  const ModelArtifacts& artifacts) {
  ASSIGN_OR_RETURN(std::vector<int> numbers, VersionNumbers(kind));
  const std::string version = fmt::format("v{}", numbers.empty() ? 1 : numbers.back() + 1);
  ModelManifest manifest = artifacts.manifest;
  manifest.kind = kind;
  manifest.version = version;
  manifest.model_version = ModelVersionName(kind, version);
  manifest.checksum = ArtifactChecksum(artifacts.model_json);
  manifest.created_at = FormatTimestamp(clock_());
  if (manifest.vigil_version.empty()) manifest.vigil_version = kVigilVersion;

  const fs::path temp = fs::path(KindDir(kind)) / fmt::format(".publish-{}-{}", version, getpid());
  std::error_code error;
  fs::remove_all(temp, error);
  if (!fs::create_directories(temp, error)) {
    return FsError(fmt::format("cannot create {}", temp.string()), error);
  }
  const Json metrics = MetricsJson(manifest, artifacts.validation, artifacts.importance_gain);
  const std::string report =
      RenderReport(manifest, artifacts.validation, artifacts.importance_gain);
  RETURN_IF_ERROR(WriteFileAtomically((temp / kModelFile).string(), artifacts.model_json));
  RETURN_IF_ERROR(WriteFileAtomically((temp / kManifestFile).string(), manifest.ToJson().dump(2)));
  RETURN_IF_ERROR(WriteFileAtomically((temp / kMetricsFile).string(), metrics.dump(2)));
  RETURN_IF_ERROR(WriteFileAtomically((temp / kReportFile).string(), report));
  fs::rename(temp, VersionDir(kind, version), error);
  if (error) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    return FsError(fmt::format("cannot publish {}", VersionDir(kind, version)), error);
  }
  return version;
}

StatusOr<std::string> ModelRegistry::Publish(const std::string& kind,
                                             const ModelArtifacts& artifacts, bool promote) {
  RETURN_IF_ERROR(CheckKind(kind));
  ModelManifest unchecked = artifacts.manifest;
  unchecked.checksum.clear();
  auto loadable = ScoringModel::FromParts(artifacts.model_json, std::move(unchecked));
  if (!loadable.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("cannot publish a {} model: {}", kind, loadable.status().message()));
  }
  absl::MutexLock lock(&mutex_);
  ASSIGN_OR_RETURN(State state, ReadState(kind));
  ASSIGN_OR_RETURN(std::string version, WriteVersion(kind, artifacts));
  if (promote || state.production.empty()) RETURN_IF_ERROR(PromoteLocked(kind, version));
  return version;
}

Status ModelRegistry::PromoteLocked(const std::string& kind, const std::string& version) {
  RETURN_IF_ERROR(VerifyVersionDir(VersionDir(kind, version)));
  ASSIGN_OR_RETURN(State state, ReadState(kind));
  if (state.production == version) return absl::OkStatus();
  state.lineage.push_back(version);
  state.Record("promote", version, clock_());
  return WriteState(kind, state);
}

Status ModelRegistry::Promote(const std::string& kind, const std::string& version) {
  RETURN_IF_ERROR(CheckKind(kind));
  ASSIGN_OR_RETURN(std::string v, NormaliseVersion(kind, version));
  absl::MutexLock lock(&mutex_);
  std::error_code error;
  if (!fs::is_directory(VersionDir(kind, v), error)) {
    return absl::NotFoundError(fmt::format(
        "no version {} of the {} model in {} (see `vigil models list`)", v, kind, KindDir(kind)));
  }
  return PromoteLocked(kind, v);
}

StatusOr<std::string> ModelRegistry::Rollback(const std::string& kind) {
  RETURN_IF_ERROR(CheckKind(kind));
  absl::MutexLock lock(&mutex_);
  ASSIGN_OR_RETURN(State state, ReadState(kind));
  if (state.lineage.size() < 2) {
    return absl::FailedPreconditionError(
        fmt::format("the {} model has no earlier production version to roll back to", kind));
  }
  const std::string target = state.lineage[state.lineage.size() - 2];
  RETURN_IF_ERROR(VerifyVersionDir(VersionDir(kind, target)));
  state.lineage.pop_back();
  state.Record("rollback", target, clock_());
  RETURN_IF_ERROR(WriteState(kind, state));
  return target;
}

StatusOr<std::optional<std::string>> ModelRegistry::RollbackTarget(const std::string& kind) const {
  RETURN_IF_ERROR(CheckKind(kind));
  absl::ReaderMutexLock lock(&mutex_);
  ASSIGN_OR_RETURN(State state, ReadState(kind));
  if (state.lineage.size() < 2) return std::optional<std::string>();
  return std::optional(state.lineage[state.lineage.size() - 2]);
}

StatusOr<std::string> ModelRegistry::Production(const std::string& kind) const {
  RETURN_IF_ERROR(CheckKind(kind));
  absl::ReaderMutexLock lock(&mutex_);
  ASSIGN_OR_RETURN(State state, ReadState(kind));
  if (state.production.empty()) {
    return absl::NotFoundError(
        fmt::format("no production {} model in {}; train one with `vigil train --kind {}`", kind,
                    KindDir(kind), kind));
  }
  return state.production;
}

StatusOr<std::shared_ptr<const ScoringModel>> ModelRegistry::LoadProduction(
    const std::string& kind) const {
  ASSIGN_OR_RETURN(std::string version, Production(kind));
  return ScoringModel::Load(VersionDir(kind, version));
}

ModelVersionInfo ModelRegistry::Describe(const std::string& kind, const std::string& version,
                                         const std::string& production) const {
  ModelVersionInfo info;
  info.kind = kind;
  info.version = version;
  info.model_version = ModelVersionName(kind, version);
  info.production = version == production;
  info.roc_auc = info.pr_auc = std::numeric_limits<double>::quiet_NaN();
  const std::string dir = VersionDir(kind, version);
  if (Status status = VerifyVersionDir(dir); !status.ok()) {
    info.problem = std::string(status.message());
  }
  if (auto manifest = ReadManifest(dir); manifest.ok()) {
    info.created_at = manifest->created_at;
    info.train_rows = manifest->train_rows;
    info.valid_rows = manifest->valid_rows;
  }
  if (auto text = ReadFileToString((fs::path(dir) / kMetricsFile).string()); text.ok()) {
    Json metrics = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (metrics.is_object()) {
      info.roc_auc = JsonNumber(metrics, "roc_auc");
      info.pr_auc = JsonNumber(metrics, "pr_auc");
    }
  }
  return info;
}

StatusOr<std::vector<ModelVersionInfo>> ModelRegistry::List(const std::string& kind) const {
  std::vector<std::string> kinds;
  if (kind.empty()) {
    kinds.assign(std::begin(kModelKinds), std::end(kModelKinds));
  } else {
    RETURN_IF_ERROR(CheckKind(kind));
    kinds.push_back(kind);
  }
  absl::ReaderMutexLock lock(&mutex_);
  std::vector<ModelVersionInfo> infos;
  for (const std::string& k : kinds) {
    ASSIGN_OR_RETURN(State state, ReadState(k));
    ASSIGN_OR_RETURN(std::vector<int> numbers, VersionNumbers(k));
    for (int n : numbers) infos.push_back(Describe(k, fmt::format("v{}", n), state.production));
  }
  return infos;
}

}  // namespace vigil
