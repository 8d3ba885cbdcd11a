#include "pipeline/production_model.h"

#include "fmt/format.h"
#include "model/model_registry.h"

namespace vigil {

StatusOr<std::shared_ptr<const ScoringModel>> LoadProductionModel(const std::string& models_dir,
                                                                  DecisionKind kind) {
  const std::string name(DecisionKindName(kind));
  auto model = ModelRegistry(models_dir).LoadProduction(name);
  if (absl::IsNotFound(model.status())) {
    return absl::FailedPreconditionError(
        fmt::format("no production {} model in {}: run `vigil train` first ({})", name, models_dir,
                    model.status().message()));
  }
  RETURN_IF_ERROR(model.status());
  if ((*model)->feature_names() != FeatureNames(kind)) {
    return absl::FailedPreconditionError(
        fmt::format("{} expects other features than this build computes; retrain it",
                    (*model)->model_version()));
  }
  return model;
}

}  // namespace vigil
