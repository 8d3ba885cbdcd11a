#include "pipeline/explain_command.h"

#include <algorithm>
#include <cmath>

#include "explain/explanation_templates.h"
#include "explain/language.h"
#include "features/training_rows.h"
#include "fmt/format.h"
#include "model/tree_shap.h"
#include "pipeline/production_model.h"

namespace vigil {
namespace {

constexpr size_t kTopFactors = 5;

nlohmann::json Number(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

// The scored event and its vector, found by replaying up to it.
struct Moment {
  Event event;
  std::vector<float> features;
  bool found = false;
};

StatusOr<Moment> FindMoment(const ExplainRequest& request) {
  FeatureEngine engine;
  ASSIGN_OR_RETURN(DataLake lake, LoadDataLake(request.data_dir, &engine.catalog(), request.load));
  engine.set_calendar(lake.festivals);
  const Entity entity = request.kind == DecisionKind::kOrder ? Entity::kOrder : Entity::kReturn;
  const uint32_t wanted = engine.catalog().Find(entity, request.id);
  if (wanted == kNoId) {
    return absl::NotFoundError(fmt::format("--id: no {} '{}' in {}", DecisionKindName(request.kind),
                                           request.id, request.data_dir));
  }
  Moment moment;
  Replay(lake, &engine, [&](DecisionKind kind, const Event& e, std::span<const float> features) {
    const uint32_t id = kind == DecisionKind::kOrder ? e.order : e.ret;
    if (kind != request.kind || id != wanted || moment.found) return;
    moment = {e, std::vector<float>(features.begin(), features.end()), true};
  });
  if (!moment.found) {
    return absl::NotFoundError(fmt::format("--id: {} '{}' was never scored (a rejected row?)",
                                           DecisionKindName(request.kind), request.id));
  }
  return moment;
}

}  // namespace

StatusOr<nlohmann::json> RunExplain(const ExplainRequest& request) {
  if (request.kind == DecisionKind::kTransaction) {
    // The explanation templates are written for orders and returns only.
    return absl::UnimplementedError("explain: transactions have no explanations yet");
  }
  const std::string kind(DecisionKindName(request.kind));
  ASSIGN_OR_RETURN(const auto model, LoadProductionModel(request.models_dir, request.kind));
  ASSIGN_OR_RETURN(const ExplanationTemplates templates, ExplanationTemplates::LoadDefault());
  ASSIGN_OR_RETURN(const Moment moment, FindMoment(request));

  const FlatForest& forest = model->forest();
  const double margin = forest.PredictMargin(moment.features.data());
  const double score = model->Probability(margin);
  const RiskLevel level = request.policy.Level(request.kind, score);
  const bool cod =
      request.kind == DecisionKind::kOrder && moment.event.payment == PaymentMethod::kCod;
  const std::string_view action = request.policy.Action(request.kind, level, cod);

  std::vector<double> contributions(forest.num_features() + 1);
  TreeShap(forest).Explain(moment.features.data(), contributions.data());
  const auto specs = FeatureSpecs(request.kind);
  std::vector<Factor> factors;
  for (size_t i = 0; i < specs.size(); ++i) {
    factors.push_back({std::string(specs[i].name), moment.features[i], contributions[i]});
  }
  std::stable_sort(factors.begin(), factors.end(), [](const Factor& a, const Factor& b) {
    return std::abs(a.contribution) > std::abs(b.contribution);
  });

  const std::string language(NegotiateLanguage(request.language));
  const Explanation explanation = templates.Explain(request.kind, language, level, action, factors,
                                                    moment.features, kTopFactors);
  nlohmann::json out;
  out[kind + "_id"] = request.id;
  out["risk_score"] = score;
  out["risk_level"] = RiskLevelName(level);
  out["recommended_action"] = action;
  out["explanation"] = {{"summary", explanation.summary},
                        {"key_factors", explanation.key_factors},
                        {"recommendation", explanation.recommendation}};
  const size_t shown = request.all_factors ? factors.size() : std::min(kTopFactors, factors.size());
  out["factors"] = nlohmann::json::array();
  for (size_t i = 0; i < shown; ++i) {
    out["factors"].push_back({{"feature", factors[i].feature},
                              {"value", Number(factors[i].value)},
                              {"contribution", factors[i].contribution}});
  }
  if (request.all_factors) out["bias"] = contributions.back();
  out["margin"] = margin;
  out["features"] = nlohmann::json::object();
  for (size_t i = 0; i < specs.size(); ++i) {
    out["features"][std::string(specs[i].name)] = Number(moment.features[i]);
  }
  out["language"] = language;
  out["model_version"] = model->model_version();
  out["timestamp"] = FormatTimestamp(moment.event.at);
  return out;
}

}  // namespace vigil
