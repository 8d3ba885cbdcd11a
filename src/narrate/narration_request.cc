#include "narrate/narration_request.h"

#include <algorithm>
#include <cmath>

#include "fmt/format.h"

namespace vigil {
namespace {

constexpr char kSystemPrompt[] =
    "You explain the decisions of an e-commerce risk engine to a support agent. Rewrite the "
    "facts below as a short paragraph of at most three plain sentences in the language whose "
    "code is given. Use only these facts; do not invent customers, amounts or reasons; do not "
    "mention SHAP, log-odds or feature names. Answer with the paragraph only.";

bool EndsWithSentenceMark(const std::string& text) {
  static constexpr std::string_view kMarks[] = {".", "!", "?", "\xE0\xA5\xA4" /* danda */};
  for (std::string_view mark : kMarks) {
    if (std::string_view(text).ends_with(mark)) return true;
  }
  return false;
}

void AppendSentence(std::string& out, const std::string& sentence) {
  if (sentence.empty()) return;
  if (!out.empty()) out.push_back(' ');
  out += sentence;
  if (!EndsWithSentenceMark(sentence)) out.push_back('.');
}

// 2 significant digits: 0.6667 -> "0.67", 1234 -> "1200", 0 -> "0".
std::string RoundSignificant2(double value) {
  if (!std::isfinite(value)) return "nan";
  if (value == 0.0) return "0";
  const double digits = std::floor(std::log10(std::fabs(value)));
  const double scale = std::pow(10.0, 1.0 - digits);
  return fmt::format("{:g}", std::round(value * scale) / scale);
}

}  // namespace

NarrationPrompt BuildNarrationPrompt(const NarrationRequest& request) {
  std::string user = fmt::format(
      "language: {}\ndecision: {}\nrisk_level: {}\nrecommended_action: {}\nrisk_score: {:.2f}\n"
      "factors (feature = value, contribution; a positive contribution raises the risk):\n",
      request.language, DecisionKindName(request.kind), RiskLevelName(request.level),
      request.action, request.score);
  for (const Factor& factor : request.factors) {
    user += fmt::format("- {} = {:.4g}, contribution {:+.3f}\n", factor.feature, factor.value,
                        factor.contribution);
  }
  user += "template explanation:\n";
  user += "summary: " + request.explanation.summary + "\n";
  for (const std::string& sentence : request.explanation.key_factors) {
    user += "key factor: " + sentence + "\n";
  }
  user += "recommendation: " + request.explanation.recommendation + "\n";
  return {kSystemPrompt, std::move(user)};
}

std::string TemplateText(const Explanation& explanation) {
  std::string out;
  AppendSentence(out, explanation.summary);
  for (const std::string& sentence : explanation.key_factors) AppendSentence(out, sentence);
  AppendSentence(out, explanation.recommendation);
  return out;
}

std::string NarrationCacheKey(const NarrationRequest& request) {
  std::vector<const Factor*> factors;
  for (const Factor& factor : request.factors) factors.push_back(&factor);
  std::stable_sort(factors.begin(), factors.end(), [](const Factor* a, const Factor* b) {
    return std::fabs(a->contribution) > std::fabs(b->contribution);
  });
  if (factors.size() > kNarrationSignatureFactors) factors.resize(kNarrationSignatureFactors);
  std::string key =
      fmt::format("{}|{}|{}|{}|{}|", request.model_version, DecisionKindName(request.kind),
                  RiskLevelName(request.level), request.action, request.language);
  for (const Factor* factor : factors) {
    const char sign = factor->contribution > 0 ? '+' : factor->contribution < 0 ? '-' : '0';
    key += fmt::format("{}={}{};", factor->feature, RoundSignificant2(factor->value), sign);
  }
  return key;
}

}  // namespace vigil
