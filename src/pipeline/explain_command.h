// `vigil explain`: the decision for one order or return as of its own time,
// as the service will return it: the full feature vector, the SHAP factors
// (exact TreeSHAP), risk score, level, action and the explanation sentences.
#ifndef VIGIL_PIPELINE_EXPLAIN_COMMAND_H_
#define VIGIL_PIPELINE_EXPLAIN_COMMAND_H_

#include <string>

#include "common/status.h"
#include "data/data_lake.h"
#include "decision/policy.h"
#include "nlohmann/json.hpp"

namespace vigil {

struct ExplainRequest {
  std::string data_dir;
  std::string models_dir;
  DecisionKind kind = DecisionKind::kOrder;
  std::string id;               // order_id or return_id
  std::string language = "en";  // a language or an Accept-Language value
  bool all_factors = false;     // every feature's contribution and the bias, not the top 5
  LoadOptions load;
  Policy policy;
};

// NotFound when the id is not in the data; FailedPrecondition without a
// production model of the kind.
[[nodiscard]] StatusOr<nlohmann::json> RunExplain(const ExplainRequest& request);

}  // namespace vigil

#endif  // VIGIL_PIPELINE_EXPLAIN_COMMAND_H_
