// The score answer (DESIGN.md's shape, the first seed's sample plus our
// fields) and the decision's audit document, written as JSON text directly
// (common/json_writer.h): both are built on every scored request, and
// building them as nlohmann::json values first cost more than the scoring
// itself (allocations for every key and string).
#ifndef VIGIL_SERVICE_SCORE_RESPONSE_H_
#define VIGIL_SERVICE_SCORE_RESPONSE_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "explain/explanation_templates.h"

namespace vigil {

// A list entry that overrode the model.
struct ListOverride {
  std::string list;  // "allow" | "block"
  std::string field;
  std::string reason;
};

struct ScoreResponse {
  std::string_view subject_key;  // "order_id" or "return_id"
  std::string subject_id;
  std::string order_id;  // returns name their order too; empty for orders
  std::string decision_id;
  double risk_score = 0;  // rounded to 6 decimals when written
  std::string_view risk_level;
  std::string action;
  Explanation explanation;
  std::span<const Factor> factors;  // the top factors, written in this order
  std::optional<ListOverride> list_override;
  double confidence = 0;  // rounded to 4 decimals
  std::string model_version;
  std::string language;
  std::string timestamp;  // RFC 3339
  bool dry_run = false;
  double processing_time_ms = 0;  // rounded to 3 decimals
};

// The response body, one JSON object. Values: factor values and
// contributions to 6 decimals, NaN and infinities as null.
std::string RenderScoreResponse(const ScoreResponse& response);

// `v` to the nearest multiple of 1 / `scale`, as the answers print scores
// (scale 1e6) and confidences (1e4).
double Round(double v, double scale);

// The challenger's shadow answer, kept in the audit document only.
struct ShadowAnswer {
  std::string model_version;
  double risk_score = 0;
  std::string_view risk_level;
  std::string action;
};

struct AuditDocument {
  std::string_view decision_id;
  std::string_view kind;
  std::string_view request_id;
  // The request as it is kept: valid JSON text (the body, or the body
  // without its phone number), written verbatim.
  std::string_view request_json;
  double bias = 0;
  double margin = 0;
  std::string_view event_id;
  std::optional<ShadowAnswer> challenger;
  std::string_view response_json;  // RenderScoreResponse's output, verbatim
};

// The decision's audit document (docs/api.md, GET /v1/decisions/{id}); the
// feature vector and SHAP values are stored beside it, not in it.
std::string RenderAuditDocument(const AuditDocument& document);

}  // namespace vigil

#endif  // VIGIL_SERVICE_SCORE_RESPONSE_H_
