// NarrationRequest: everything an LLM may see about a decision, and the three
// things derived from it: the prompt, the template text that stands when the
// LLM does not answer, and the cache key.
//
// Privacy rule, kept by construction: the request holds the decision kind,
// risk level, action, score, the SHAP factors (feature name, value,
// contribution) and the template sentences, nothing else. It has no field for
// a customer's name, phone, address, or any id (order, customer, device), so
// none can reach a prompt. The template sentences are rendered from feature
// values only (see explain/explanation_templates.h).
//
// Pure functions; thread-safe.
#ifndef VIGIL_NARRATE_NARRATION_REQUEST_H_
#define VIGIL_NARRATE_NARRATION_REQUEST_H_

#include <string>
#include <vector>

#include "decision/policy.h"
#include "explain/explanation_templates.h"
#include "features/feature_registry.h"

namespace vigil {

struct NarrationRequest {
  DecisionKind kind = DecisionKind::kOrder;
  RiskLevel level = RiskLevel::kLow;
  std::string action;           // "otp_verification"
  double score = 0.0;           // calibrated probability
  std::vector<Factor> factors;  // top SHAP factors, as in the score response
  Explanation explanation;      // the template sentences, in `language`
  std::string language = "en";
  std::string model_version;  // "order-v3": part of the cache key, never sent
};

struct NarrationPrompt {
  std::string system;
  std::string user;
};

// The instructions (system) and the facts (user). Factors are listed in the
// request's order; values print with up to 4 significant digits,
// contributions with a sign and 3 decimals.
NarrationPrompt BuildNarrationPrompt(const NarrationRequest& request);

// The explanation as one paragraph: summary, key factors, recommendation,
// each ending in a sentence mark (one is added when missing).
std::string TemplateText(const Explanation& explanation);

// (model version, kind, level, action, language, factor signature): the
// signature lists up to `kNarrationSignatureFactors` factors by decreasing
// |contribution|, each as name, value rounded to 2 significant digits and the
// contribution's sign, so near-identical decisions share one narration.
inline constexpr size_t kNarrationSignatureFactors = 5;
std::string NarrationCacheKey(const NarrationRequest& request);

}  // namespace vigil

#endif  // VIGIL_NARRATE_NARRATION_REQUEST_H_
