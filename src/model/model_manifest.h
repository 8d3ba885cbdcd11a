// ModelManifest: the facts about one published model version, stored as
// manifest.json beside model.json: identity (kind, version, model_version),
// feature names in column order, training period, row counts, parameters,
// library versions, the checksum of model.json and the calibration.
// A value type; thread-safe to read.
#ifndef VIGIL_MODEL_MODEL_MANIFEST_H_
#define VIGIL_MODEL_MODEL_MANIFEST_H_

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/calibration.h"

namespace vigil {

inline constexpr char kVigilVersion[] = "0.1.0";

struct ModelManifest {
  std::string kind;                                         // order, return, transaction
  std::string version;                                      // "v3"
  std::string model_version;                                // "order-v3"
  std::vector<std::string> feature_names;                   // column order of model.json
  std::map<std::string, std::string> feature_descriptions;  // optional
  std::string train_from, train_to;  // ISO-8601 times of the first and last training row
  std::string valid_from, valid_to;  // empty when there were no validation rows
  size_t train_rows = 0;             // fit_rows + calibration_rows
  size_t fit_rows = 0;
  size_t calibration_rows = 0;
  size_t valid_rows = 0;
  int best_iteration = 0;
  int rounds = 0;
  nlohmann::json parameters = nlohmann::json::object();
  std::string xgboost_version;
  std::string vigil_version = kVigilVersion;
  std::string checksum;  // "sha256:<hex>" of model.json
  Calibration calibration;
  std::string created_at;  // ISO-8601

  nlohmann::json ToJson() const;
  // Requires kind, version, model_version, feature_names (non-empty strings),
  // checksum and calibration; the rest is optional (a model trained elsewhere
  // may carry less). InvalidArgument names the bad field.
  [[nodiscard]] static StatusOr<ModelManifest> FromJson(const nlohmann::json& json);
};

// "order-v3" for ("order", "v3").
std::string ModelVersionName(const std::string& kind, const std::string& version);

}  // namespace vigil

#endif  // VIGIL_MODEL_MODEL_MANIFEST_H_
