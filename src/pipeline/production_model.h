// The production model of a kind, checked against the features this build
// computes: what every batch command that scores needs first.
#ifndef VIGIL_PIPELINE_PRODUCTION_MODEL_H_
#define VIGIL_PIPELINE_PRODUCTION_MODEL_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "features/feature_registry.h"
#include "model/scoring_model.h"

namespace vigil {

// FailedPrecondition (saying what to do) when the kind has no production
// model in `models_dir`, or the model expects other features than
// FeatureNames(kind); other load errors (DataLoss, ...) as they come.
[[nodiscard]] StatusOr<std::shared_ptr<const ScoringModel>> LoadProductionModel(
    const std::string& models_dir, DecisionKind kind);

}  // namespace vigil

#endif  // VIGIL_PIPELINE_PRODUCTION_MODEL_H_
