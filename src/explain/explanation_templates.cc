#include "explain/explanation_templates.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include "common/atomic_file.h"
#include "explain/indian_format.h"
#include "nlohmann/json.hpp"

namespace vigil {

// Defined in the generated explain_templates_data.cc: language -> JSON text.
const std::map<std::string, std::string>& EmbeddedExplanationTemplates();

namespace {

using json = nlohmann::json;
using Piece = ExplanationTemplates::Piece;
using Sentence = ExplanationTemplates::Sentence;
using KindIndex = ExplanationTemplates::KindIndex;

// Every kind has templates: its features' sentences, summaries and
// recommendations.
constexpr auto kKinds = [] {
  std::array<DecisionKind, kDecisionKindCount> kinds{};
  for (size_t i = 0; i < kinds.size(); ++i) kinds[i] = static_cast<DecisionKind>(i);
  return kinds;
}();
constexpr RiskLevel kLevels[] = {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh,
                                 RiskLevel::kCritical};
constexpr std::string_view kFormats[] = {"pct", "inr", "int", "label"};

size_t KindSlot(DecisionKind kind) { return static_cast<size_t>(kind); }

bool InRegistry(std::string_view name) {
  return std::any_of(kKinds.begin(), kKinds.end(),
                     [name](DecisionKind kind) { return FeatureIndex(kind, name) >= 0; });
}

// The kind's actions, as the policy hands them out.
std::set<std::string> Actions(DecisionKind kind) {
  std::set<std::string> actions;
  const Policy policy;
  for (RiskLevel level : kLevels) {
    for (bool cod : {false, true}) actions.emplace(policy.Action(kind, level, cod));
  }
  return actions;
}

// Resolves a placeholder's name to (feature, format) for a sentence of `self`;
// "a/b_pct" is the ratio of two values.
std::optional<Piece> ResolvePlaceholder(std::string_view name, std::string_view self) {
  Piece piece;
  std::string_view base = name;
  if (!InRegistry(name) && name != "value") {
    for (std::string_view format : kFormats) {
      const std::string suffix = fmt::format("_{}", format);
      if (name.size() > suffix.size() && name.ends_with(suffix)) {
        base = name.substr(0, name.size() - suffix.size());
        piece.format = std::string(format);
        break;
      }
    }
  }
  const size_t slash = base.find('/');
  if (slash != std::string_view::npos) {
    std::string_view denominator = base.substr(slash + 1);
    if (denominator == "value") denominator = self;
    if (!InRegistry(denominator) || piece.format == "label") return std::nullopt;
    piece.denominator = std::string(denominator);
    base = base.substr(0, slash);
  }
  if (base == "value") base = self;
  if (!InRegistry(base)) return std::nullopt;
  piece.feature = std::string(base);
  return piece;
}

// Fills the piece's indices; an error when a kind that has `self` lacks them.
Status IndexPiece(Piece& piece, std::string_view self, std::string_view where,
                  std::string_view name) {
  for (DecisionKind kind : kKinds) {
    const size_t slot = KindSlot(kind);
    piece.index[slot] = FeatureIndex(kind, piece.feature);
    if (!piece.denominator.empty()) {
      piece.denominator_index[slot] = FeatureIndex(kind, piece.denominator);
    }
    const bool missing =
        piece.index[slot] < 0 || (!piece.denominator.empty() && piece.denominator_index[slot] < 0);
    if (FeatureIndex(kind, self) >= 0 && missing) {
      return absl::InvalidArgumentError(
          fmt::format("{}: placeholder '{{{}}}' names a feature missing from the {} vector", where,
                      name, DecisionKindName(kind)));
    }
  }
  return absl::OkStatus();
}

// A placeholder with its optional "|singular|plural" words; nullopt when invalid.
std::optional<Piece> ParsePlaceholder(const std::string& name, std::string_view self) {
  const size_t bar = name.find('|');
  std::optional<Piece> piece = ResolvePlaceholder(name.substr(0, bar), self);
  if (!piece || bar == std::string::npos) return piece;
  const size_t second = name.find('|', bar + 1);
  if (second == std::string::npos || name.find('|', second + 1) != std::string::npos ||
      piece->format == "label") {
    return std::nullopt;
  }
  piece->singular = name.substr(bar + 1, second - bar - 1);
  piece->plural = name.substr(second + 1);
  return piece;
}

// Parses `text`, the `which` sentence of feature `self` in `file`.
StatusOr<Sentence> ParseSentence(const std::string& text, std::string_view self,
                                 std::string_view which, std::string_view file) {
  const std::string where = fmt::format("{}: feature '{}' {} template", file, self, which);
  Sentence sentence;
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') return absl::InvalidArgumentError(fmt::format("{}: unmatched '}}'", where));
    if (c != '{') {
      literal += c;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string::npos) {
      return absl::InvalidArgumentError(fmt::format("{}: unclosed '{{'", where));
    }
    const std::string name = text.substr(i + 1, close - i - 1);
    std::optional<Piece> piece = ParsePlaceholder(name, self);
    if (!piece) {
      return absl::InvalidArgumentError(
          fmt::format("{}: unknown placeholder '{{{}}}'", where, name));
    }
    RETURN_IF_ERROR(IndexPiece(*piece, self, where, name));
    if (!literal.empty()) sentence.push_back(Piece{.text = std::move(literal)});
    literal.clear();
    sentence.push_back(std::move(*piece));
    i = close;
  }
  if (!literal.empty()) sentence.push_back(Piece{.text = std::move(literal)});
  return sentence;
}

StatusOr<std::string> StringAt(const json& object, const std::string& key,
                               const std::string& where) {
  if (!object.is_object() || !object.contains(key)) {
    return absl::InvalidArgumentError(fmt::format("{}: missing '{}'", where, key));
  }
  if (!object[key].is_string() || object[key].get<std::string>().empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: '{}' must be a non-empty string", where, key));
  }
  return object[key].get<std::string>();
}

Status ParseFeatures(const json& doc, std::string_view file, ExplanationTemplates::Language& lang) {
  if (!doc.contains("features") || !doc["features"].is_object()) {
    return absl::InvalidArgumentError(fmt::format("{}: missing object 'features'", file));
  }
  for (const auto& [name, entry] : doc["features"].items()) {
    if (!InRegistry(name)) {
      return absl::InvalidArgumentError(
          fmt::format("{}: feature '{}' is not in the registry", file, name));
    }
    const std::string where = fmt::format("{}: feature '{}'", file, name);
    ExplanationTemplates::FeatureSentences sentences;
    ASSIGN_OR_RETURN(const std::string risk, StringAt(entry, "risk", where));
    ASSIGN_OR_RETURN(sentences.risk, ParseSentence(risk, name, "risk", file));
    if (entry.contains("trust")) {
      ASSIGN_OR_RETURN(const std::string trust, StringAt(entry, "trust", where));
      ASSIGN_OR_RETURN(sentences.trust, ParseSentence(trust, name, "trust", file));
    }
    lang.features.emplace(name, std::move(sentences));
  }
  for (DecisionKind kind : kKinds) {
    for (const FeatureSpec& spec : FeatureSpecs(kind)) {
      if (!lang.features.contains(spec.name)) {
        return absl::InvalidArgumentError(
            fmt::format("{}: feature '{}' has no risk template", file, spec.name));
      }
    }
  }
  return absl::OkStatus();
}

Status ParseLabels(const json& doc, std::string_view file, ExplanationTemplates::Language& lang) {
  if (!doc.contains("labels")) return absl::OkStatus();
  for (const auto& [name, list] : doc["labels"].items()) {
    if (!InRegistry(name)) {
      return absl::InvalidArgumentError(
          fmt::format("{}: labels for '{}', which is not in the registry", file, name));
    }
    if (!list.is_array() ||
        !std::all_of(list.begin(), list.end(), [](const json& j) { return j.is_string(); })) {
      return absl::InvalidArgumentError(
          fmt::format("{}: labels for '{}' must be an array of strings", file, name));
    }
    lang.labels.emplace(name, list.get<std::vector<std::string>>());
  }
  return absl::OkStatus();
}

// {value_label} needs labels for its feature.
Status CheckLabelsExist(std::string_view file, const ExplanationTemplates::Language& lang) {
  for (const auto& [name, sentences] : lang.features) {
    for (const Sentence* sentence : {&sentences.risk, &sentences.trust}) {
      for (const Piece& piece : *sentence) {
        if (piece.format == "label" && !lang.labels.contains(piece.feature)) {
          return absl::InvalidArgumentError(
              fmt::format("{}: feature '{}' uses labels of '{}', but the file has none", file, name,
                          piece.feature));
        }
      }
    }
  }
  return absl::OkStatus();
}

Status ParseKindSentences(const json& doc, std::string_view file,
                          ExplanationTemplates::Language& lang) {
  for (DecisionKind kind : kKinds) {
    const std::string kind_name(DecisionKindName(kind));
    const json empty = json::object();
    const json& block = doc.contains(kind_name) ? doc[kind_name] : empty;
    const json& summary = block.contains("summary") ? block["summary"] : empty;
    const json& recommendation = block.contains("recommendation") ? block["recommendation"] : empty;
    const std::string summary_where = fmt::format("{}: {} summary", file, kind_name);
    for (RiskLevel level : kLevels) {
      const std::string level_name(RiskLevelName(level));
      ASSIGN_OR_RETURN(std::string text, StringAt(summary, level_name, summary_where));
      lang.summaries[KindSlot(kind)].emplace(level_name, std::move(text));
    }
    const std::string action_where = fmt::format("{}: {} recommendation", file, kind_name);
    for (const std::string& action : Actions(kind)) {
      ASSIGN_OR_RETURN(std::string text, StringAt(recommendation, action, action_where));
      lang.recommendations[KindSlot(kind)].emplace(action, std::move(text));
    }
  }
  return absl::OkStatus();
}

// list_override.sentence.{allow,block} with only {field} and {reason}, and
// list_override.fields.{customer,device,pincode,phone}.
Status ParseListOverride(const json& doc, std::string_view file,
                         ExplanationTemplates::Language& lang) {
  const json empty = json::object();
  const json& block = doc.contains("list_override") ? doc["list_override"] : empty;
  const json& sentences = block.contains("sentence") ? block["sentence"] : empty;
  const json& fields = block.contains("fields") ? block["fields"] : empty;
  const std::string sentence_where = fmt::format("{}: list_override.sentence", file);
  for (const std::string list : {"allow", "block"}) {
    ASSIGN_OR_RETURN(std::string text, StringAt(sentences, list, sentence_where));
    std::string rest = text;
    for (std::string_view placeholder : {"{field}", "{reason}"}) {
      for (size_t at; (at = rest.find(placeholder)) != std::string::npos;) {
        rest.erase(at, placeholder.size());
      }
    }
    if (rest.find('{') != std::string::npos || rest.find('}') != std::string::npos) {
      return absl::InvalidArgumentError(
          fmt::format("{}: '{}' may use only {{field}} and {{reason}}", sentence_where, list));
    }
    lang.list_override_sentences.emplace(list, std::move(text));
  }
  const std::string field_where = fmt::format("{}: list_override.fields", file);
  for (const std::string field : {"customer", "device", "pincode", "phone"}) {
    ASSIGN_OR_RETURN(std::string word, StringAt(fields, field, field_where));
    lang.list_override_fields.emplace(field, std::move(word));
  }
  return absl::OkStatus();
}

StatusOr<ExplanationTemplates::Language> ParseLanguage(const std::string& text,
                                                       std::string_view file) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(fmt::format("{}: invalid JSON: {}", file, e.what()));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(fmt::format("{}: must be a JSON object", file));
  }
  ExplanationTemplates::Language lang;
  RETURN_IF_ERROR(ParseLabels(doc, file, lang));
  RETURN_IF_ERROR(ParseFeatures(doc, file, lang));
  RETURN_IF_ERROR(CheckLabelsExist(file, lang));
  RETURN_IF_ERROR(ParseKindSentences(doc, file, lang));
  RETURN_IF_ERROR(ParseListOverride(doc, file, lang));
  return lang;
}

// Up to two decimals, without trailing zeros: "2.5", "3", "0.67".
std::string FormatPlain(double value) {
  std::string text = FormatIndianNumber(value, 2);
  if (text.find('.') == std::string::npos) return text;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// The text of one placeholder, or nullopt when its value is missing.
std::optional<std::string> FormatValue(const Piece& piece, double value,
                                       const ExplanationTemplates::Language& lang) {
  if (std::isnan(value)) return std::nullopt;
  if (piece.format == "pct") return FormatPercent(value);
  if (piece.format == "inr") return FormatRupees(value);
  if (piece.format == "int") return FormatIndianNumber(value, 0);
  if (piece.format == "label") {
    const std::vector<std::string>& labels = lang.labels.find(piece.feature)->second;
    const double code = std::round(value);
    if (code < 0 || code >= static_cast<double>(labels.size())) return std::nullopt;
    return labels[static_cast<size_t>(code)];
  }
  return FormatPlain(value);
}

// The value of `feature` (NaN when missing): the factor's own, or the vector's.
double Lookup(std::string_view feature, const KindIndex& index, DecisionKind kind, double own_value,
              std::string_view own_feature, std::span<const float> features) {
  if (feature == own_feature) return own_value;
  const int i = index[KindSlot(kind)];
  if (i < 0 || static_cast<size_t>(i) >= features.size()) return std::nan("");
  return features[i];
}

std::optional<std::string> Render(const Sentence& sentence, DecisionKind kind, double own_value,
                                  std::string_view own_feature, std::span<const float> features,
                                  const ExplanationTemplates::Language& lang) {
  std::string out;
  for (const Piece& piece : sentence) {
    if (piece.feature.empty()) {
      out += piece.text;
      continue;
    }
    double value = Lookup(piece.feature, piece.index, kind, own_value, own_feature, features);
    if (!piece.denominator.empty()) {
      const double denominator = Lookup(piece.denominator, piece.denominator_index, kind, own_value,
                                        own_feature, features);
      if (!(denominator > 0 || denominator < 0)) return std::nullopt;
      value /= denominator;
    }
    std::optional<std::string> text = FormatValue(piece, value, lang);
    if (!text) return std::nullopt;
    out += *text;
    if (!piece.plural.empty()) out += " " + (*text == "1" ? piece.singular : piece.plural);
  }
  return out;
}

}  // namespace

StatusOr<ExplanationTemplates> ExplanationTemplates::FromJson(
    const std::map<std::string, std::string>& files) {
  ExplanationTemplates templates;
  for (const auto& [language, text] : files) {
    ASSIGN_OR_RETURN(Language lang, ParseLanguage(text, fmt::format("{}.json", language)));
    templates.languages_.emplace(language, std::move(lang));
  }
  if (!templates.languages_.contains("en")) {
    return absl::InvalidArgumentError(
        "explanation templates: en.json is missing (English is the fallback language)");
  }
  return templates;
}

StatusOr<ExplanationTemplates> ExplanationTemplates::Load(const std::string& dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  if (error) {
    return absl::NotFoundError(
        fmt::format("cannot open explanation template directory {}: {}", dir, error.message()));
  }
  std::map<std::string, std::string> files;
  for (const auto& entry : it) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    ASSIGN_OR_RETURN(files[entry.path().stem().string()], ReadFileToString(entry.path().string()));
  }
  if (files.empty()) {
    return absl::NotFoundError(fmt::format("no <language>.json template files in {}", dir));
  }
  return FromJson(files);
}

StatusOr<ExplanationTemplates> ExplanationTemplates::LoadDefault() {
  return FromJson(EmbeddedExplanationTemplates());
}

std::vector<std::string> ExplanationTemplates::Languages() const {
  std::vector<std::string> names;
  for (const auto& [name, lang] : languages_) names.push_back(name);
  return names;
}

bool ExplanationTemplates::HasLanguage(std::string_view language) const {
  return languages_.contains(language);
}

const ExplanationTemplates::Language& ExplanationTemplates::Lang(std::string_view language) const {
  auto it = languages_.find(language);
  if (it == languages_.end()) it = languages_.find("en");
  return it->second;
}

std::vector<std::string> ExplanationTemplates::KeyFactors(DecisionKind kind,
                                                          std::string_view language,
                                                          std::span<const Factor> factors,
                                                          std::span<const float> features,
                                                          size_t top_n) const {
  const Language& lang = Lang(language);
  std::vector<const Factor*> order;
  for (const Factor& factor : factors) order.push_back(&factor);
  std::stable_sort(order.begin(), order.end(), [](const Factor* a, const Factor* b) {
    return std::fabs(a->contribution) > std::fabs(b->contribution);
  });
  std::vector<std::string> sentences;
  for (const Factor* factor : order) {
    if (sentences.size() >= top_n) break;
    if (!(factor->contribution > 0 || factor->contribution < 0)) continue;
    if (FeatureIndex(kind, factor->feature) < 0) continue;
    const auto it = lang.features.find(factor->feature);
    if (it == lang.features.end()) continue;
    const Sentence& sentence = factor->contribution > 0 ? it->second.risk : it->second.trust;
    if (sentence.empty()) continue;
    std::optional<std::string> text =
        Render(sentence, kind, factor->value, factor->feature, features, lang);
    if (text) sentences.push_back(std::move(*text));
  }
  return sentences;
}

std::string ExplanationTemplates::Summary(DecisionKind kind, std::string_view language,
                                          RiskLevel level) const {
  const auto& summaries = Lang(language).summaries[KindSlot(kind)];
  return summaries.find(RiskLevelName(level))->second;
}

std::string ExplanationTemplates::ListOverride(std::string_view language, std::string_view list,
                                               std::string_view field,
                                               std::string_view reason) const {
  const Language& lang = Lang(language);
  auto sentence = lang.list_override_sentences.find(list);
  auto word = lang.list_override_fields.find(field);
  if (sentence == lang.list_override_sentences.end() || word == lang.list_override_fields.end()) {
    return std::string();
  }
  std::string text = sentence->second;
  const std::string reason_text = reason.empty() ? "" : fmt::format(": {}", reason);
  for (auto [placeholder, value] :
       {std::pair<std::string_view, std::string_view>{"{field}", word->second},
        {"{reason}", reason_text}}) {
    for (size_t at = 0; (at = text.find(placeholder, at)) != std::string::npos;
         at += value.size()) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

std::string ExplanationTemplates::Recommendation(DecisionKind kind, std::string_view language,
                                                 std::string_view action) const {
  const auto& recommendations = Lang(language).recommendations[KindSlot(kind)];
  const auto it = recommendations.find(action);
  return it == recommendations.end() ? std::string() : it->second;
}

Explanation ExplanationTemplates::Explain(DecisionKind kind, std::string_view language,
                                          RiskLevel level, std::string_view action,
                                          std::span<const Factor> factors,
                                          std::span<const float> features, size_t top_n) const {
  return Explanation{.summary = Summary(kind, language, level),
                     .key_factors = KeyFactors(kind, language, factors, features, top_n),
                     .recommendation = Recommendation(kind, language, action)};
}

}  // namespace vigil
