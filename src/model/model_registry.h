// ModelRegistry: published model versions on disk and which one serves.
//
//   <models_dir>/<kind>/registry.json   production version, promotion lineage, history
//   <models_dir>/<kind>/v<N>/           model.json, manifest.json, metrics.json, report.html
//
// Kinds are "order", "return" and "transaction"; versions are "v1", "v2", ...
// and a model's public name is "<kind>-v<N>" (e.g. "order-v3"). Publishing
// writes the version in a temporary directory and renames it into place;
// registry.json is replaced atomically, so a crash never leaves a torn
// version or registry. Every version is verified (files present, checksum)
// before it is promoted or rolled back to.
//
// Thread-safe within one process (an internal mutex serialises changes).
// Two processes changing the same kind at once are not coordinated: the
// last registry.json written wins.
#ifndef VIGIL_MODEL_MODEL_REGISTRY_H_
#define VIGIL_MODEL_MODEL_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "model/model_artifacts.h"
#include "model/scoring_model.h"

namespace vigil {

inline constexpr const char* kModelKinds[] = {"order", "return", "transaction"};

struct ModelVersionInfo {
  std::string kind;
  std::string version;        // "v3"
  std::string model_version;  // "order-v3"
  std::string created_at;
  bool production = false;
  double roc_auc = 0;  // validation metrics from metrics.json; NaN when unknown
  double pr_auc = 0;
  size_t train_rows = 0;
  size_t valid_rows = 0;
  std::string problem;  // empty when the version's files check out, else what is wrong
};

class ModelRegistry {
 public:
  using Clock = std::function<Timestamp()>;

  // `clock` stamps created_at and promotion times; the system clock by default.
  explicit ModelRegistry(std::string models_dir, Clock clock = nullptr);

  // Writes `artifacts` as the next version of `kind` and returns it ("v4").
  // The first model of a kind becomes production automatically; later ones
  // only when `promote`. InvalidArgument for an unknown kind or artifacts
  // without a model or feature names.
  [[nodiscard]] StatusOr<std::string> Publish(const std::string& kind,
                                              const ModelArtifacts& artifacts, bool promote);

  // Versions of `kind` ("" = every kind), by kind then version number. A
  // version whose files fail verification is listed with `problem` set.
  [[nodiscard]] StatusOr<std::vector<ModelVersionInfo>> List(const std::string& kind) const;

  // Makes `version` production. NotFound for an unknown version; DataLoss
  // when its files fail verification. Promoting the production version is a
  // no-op.
  [[nodiscard]] Status Promote(const std::string& kind, const std::string& version);

  // Returns to the production version before the current one and returns
  // it. FailedPrecondition when there is none.
  [[nodiscard]] StatusOr<std::string> Rollback(const std::string& kind);
  // The version Rollback would return to, or nullopt when there is none.
  [[nodiscard]] StatusOr<std::optional<std::string>> RollbackTarget(const std::string& kind) const;

  // The production version ("v3"); NotFound when the kind has none.
  [[nodiscard]] StatusOr<std::string> Production(const std::string& kind) const;

  // Loads the production model of `kind` (verified).
  [[nodiscard]] StatusOr<std::shared_ptr<const ScoringModel>> LoadProduction(
      const std::string& kind) const;

  // <models_dir>/<kind>/<version>
  std::string VersionDir(const std::string& kind, const std::string& version) const;

 private:
  struct State;

  std::string KindDir(const std::string& kind) const;
  StatusOr<State> ReadState(const std::string& kind) const ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  Status WriteState(const std::string& kind, const State& state) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  StatusOr<std::vector<int>> VersionNumbers(const std::string& kind) const;
  Status PromoteLocked(const std::string& kind, const std::string& version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  StatusOr<std::string> WriteVersion(const std::string& kind, const ModelArtifacts& artifacts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  ModelVersionInfo Describe(const std::string& kind, const std::string& version,
                            const std::string& production) const;

  const std::string models_dir_;
  const Clock clock_;
  mutable absl::Mutex mutex_;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_MODEL_REGISTRY_H_
