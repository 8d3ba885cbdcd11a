// Batch scoring: replay the data lake and score every order or return with
// the production model, using exactly the vector the online path would have
// computed at that moment. `vigil score` is a thin wrapper around RunScore.
#ifndef VIGIL_PIPELINE_SCORE_COMMAND_H_
#define VIGIL_PIPELINE_SCORE_COMMAND_H_

#include <cstdio>
#include <string>

#include "common/status.h"
#include "data/data_lake.h"
#include "decision/policy.h"

namespace vigil {

struct ScoreRequest {
  std::string data_dir;
  std::string models_dir;
  DecisionKind kind = DecisionKind::kOrder;
  std::string out_path;  // CSV: id,risk_score,risk_level,recommended_action,model_version
  LoadOptions load;
  Policy policy;
};

struct ScoreSummary {
  int64_t scored = 0;
  std::string model_version;
};

// FailedPrecondition when the kind has no production model, or the model's
// features are not the ones this build computes (retrain it).
[[nodiscard]] StatusOr<ScoreSummary> RunScore(const ScoreRequest& request, std::FILE* out);

}  // namespace vigil

#endif  // VIGIL_PIPELINE_SCORE_COMMAND_H_
