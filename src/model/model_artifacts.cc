#include "model/model_artifacts.h"

#include <algorithm>

#include "common/time.h"
#include "model/xgboost_handles.h"

namespace vigil {
namespace {

// ISO-8601 of the earliest and latest row time; empty without rows.
std::pair<std::string, std::string> Period(const Dataset& rows) {
  if (rows.times.empty()) return {};
  auto [first, last] = std::minmax_element(rows.times.begin(), rows.times.end());
  return {FormatTimestamp(*first), FormatTimestamp(*last)};
}

}  // namespace

ModelArtifacts MakeArtifacts(const TrainedModel& model, const Dataset& train, const Dataset& valid,
                             Evaluation validation) {
  ModelArtifacts a;
  a.model_json = model.model_json;
  ModelManifest& m = a.manifest;
  m.feature_names = model.feature_names;
  std::tie(m.train_from, m.train_to) = Period(train);
  std::tie(m.valid_from, m.valid_to) = Period(valid);
  m.train_rows = model.fit_rows + model.calibration_rows;
  m.fit_rows = model.fit_rows;
  m.calibration_rows = model.calibration_rows;
  m.valid_rows = valid.rows();
  m.best_iteration = model.best_iteration;
  m.rounds = model.rounds;
  m.parameters = model.params;
  m.xgboost_version = XgboostVersion();
  m.calibration = model.calibration;
  a.validation = std::move(validation);
  a.importance_gain = model.importance_gain;
  return a;
}

nlohmann::json MetricsJson(const ModelManifest& manifest, const Evaluation& validation,
                           const std::vector<std::pair<std::string, double>>& importance_gain) {
  nlohmann::json j = validation.ToJson();
  j.erase("positives");
  j["rows"] = {{"train", manifest.train_rows},
               {"fit", manifest.fit_rows},
               {"calibration", manifest.calibration_rows},
               {"valid", validation.rows},
               {"valid_positives", validation.positives}};
  j["kind"] = manifest.kind;
  j["model_version"] = manifest.model_version;
  nlohmann::json importance = nlohmann::json::array();
  for (const auto& [feature, share] : importance_gain) {
    importance.push_back({{"feature", feature}, {"gain_share", share}});
  }
  j["feature_importance"] = std::move(importance);
  return j;
}

}  // namespace vigil
