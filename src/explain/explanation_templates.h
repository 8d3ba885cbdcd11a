// Explanation templates: the sentences behind a score's `explanation`
// (summary, key_factors, recommendation), one JSON file per language
// (data/explain/<lang>.json) that a risk team edits without recompiling.
//
// A file holds, per registry feature, a "risk" sentence (used when the
// feature raised the score) and optionally a "trust" sentence (used when it
// lowered it), plus a summary per (kind, risk level) and a recommendation per
// (kind, action). Placeholders name a value and a format:
//   {value} {value_pct} {value_inr} {value_int} {value_label}  the factor's own value
//   {<feature>} {<feature>_pct} ...                             another feature of the vector
//   {value/<feature>_pct}                                       a ratio of two values
//   {value_int|order|orders}   the number, a space, and the singular word when it shows
//                              as 1, else the plural ("1 order", "4 orders")
// (plain: up to 2 decimals, no trailing zeros; pct: "67%"; inr:
// "₹1,23,456.00"; int: rounded, Indian grouping; label: the file's "labels"
// entry for that code). "{{" and "}}" are literal braces. Everything is
// checked at load: unknown features, unknown placeholders, a placeholder
// naming a feature missing from a kind that uses the template, and any
// feature, level or action without a sentence are errors naming the file.
//
// Immutable after loading; thread-safe.
#ifndef VIGIL_EXPLAIN_EXPLANATION_TEMPLATES_H_
#define VIGIL_EXPLAIN_EXPLANATION_TEMPLATES_H_

#include <array>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "decision/policy.h"
#include "features/feature_registry.h"

namespace vigil {

// One SHAP factor: a feature, its value, and its contribution (log-odds;
// positive raises risk).
struct Factor {
  std::string feature;
  float value = 0.0f;
  double contribution = 0.0;
};

struct Explanation {
  std::string summary;
  std::vector<std::string> key_factors;
  std::string recommendation;
};

class ExplanationTemplates {
 public:
  // Every `<lang>.json` in `dir`. Fails when there is none, when one is
  // invalid, or when "en" (the fallback language) is missing.
  [[nodiscard]] static StatusOr<ExplanationTemplates> Load(const std::string& dir);
  // The files of data/explain/ as they were at build time.
  [[nodiscard]] static StatusOr<ExplanationTemplates> LoadDefault();
  // `files` maps a language ("en") to its JSON text; messages name "<lang>.json".
  [[nodiscard]] static StatusOr<ExplanationTemplates> FromJson(
      const std::map<std::string, std::string>& files);

  // Loaded languages, sorted.
  std::vector<std::string> Languages() const;
  bool HasLanguage(std::string_view language) const;

  // Sentences for up to `top_n` factors, largest |contribution| first:
  // positive ones with the feature's risk sentence, negative ones with its
  // trust sentence (skipped when it has none), zero ones skipped. A factor
  // whose value, or any value its sentence uses, is missing (NaN) or not in
  // the registry is skipped, and the next one takes its place. `features` is
  // the kind's full feature vector (for cross-feature placeholders); an
  // unknown language renders in English.
  std::vector<std::string> KeyFactors(DecisionKind kind, std::string_view language,
                                      std::span<const Factor> factors,
                                      std::span<const float> features, size_t top_n) const;
  std::string Summary(DecisionKind kind, std::string_view language, RiskLevel level) const;
  // Empty when `action` is not one of the kind's actions.
  std::string Recommendation(DecisionKind kind, std::string_view language,
                             std::string_view action) const;
  // Why an allow or block list overrode the model: "The customer is on the
  // block list: chargeback ring". Empty for an unknown list or field.
  std::string ListOverride(std::string_view language, std::string_view list, std::string_view field,
                           std::string_view reason) const;
  // Summary, key factors and recommendation together.
  Explanation Explain(DecisionKind kind, std::string_view language, RiskLevel level,
                      std::string_view action, std::span<const Factor> factors,
                      std::span<const float> features, size_t top_n) const;

  // By DecisionKind's value: a feature's index in that kind's vector, or -1.
  using KindIndex = std::array<int, kDecisionKindCount>;
  static constexpr KindIndex kNoIndex = [] {
    KindIndex index{};
    index.fill(-1);
    return index;
  }();

  // A parsed sentence; public so the .cc's helpers can build it.
  struct Piece {
    std::string text;            // literal text, when feature is empty
    std::string feature;         // the value to insert
    std::string format;          // "", "pct", "inr", "int", "label"
    KindIndex index = kNoIndex;  // the feature's index in each kind's vector
    std::string denominator;     // when set, the value is feature / denominator
    std::string singular;        // when set, the number is followed by a word
    std::string plural;
    KindIndex denominator_index = kNoIndex;
  };
  using Sentence = std::vector<Piece>;
  struct FeatureSentences {
    Sentence risk;
    Sentence trust;  // empty when the file has none
  };
  struct Language {
    std::map<std::string, FeatureSentences, std::less<>> features;
    std::map<std::string, std::vector<std::string>, std::less<>> labels;
    // Per DecisionKind, by its value: summaries by level name, recommendations by action.
    std::map<std::string, std::string, std::less<>> summaries[kDecisionKindCount];
    std::map<std::string, std::string, std::less<>> recommendations[kDecisionKindCount];
    std::map<std::string, std::string, std::less<>> list_override_sentences;  // by list
    std::map<std::string, std::string, std::less<>> list_override_fields;     // by field
  };

 private:
  const Language& Lang(std::string_view language) const;

  std::map<std::string, Language, std::less<>> languages_;
};

}  // namespace vigil

#endif  // VIGIL_EXPLAIN_EXPLANATION_TEMPLATES_H_
