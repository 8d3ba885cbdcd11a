#include "model/model_manifest.h"

#include <fmt/format.h>

namespace vigil {
namespace {

using Json = nlohmann::json;

Status FieldError(const std::string& field, const std::string& expected) {
  return absl::InvalidArgumentError(fmt::format("manifest field '{}' must be {}", field, expected));
}

StatusOr<std::string> RequiredString(const Json& json, const std::string& field) {
  auto it = json.find(field);
  if (it == json.end() || !it->is_string() || it->get<std::string>().empty()) {
    return FieldError(field, "a non-empty string");
  }
  return it->get<std::string>();
}

Status OptionalString(const Json& json, const std::string& field, std::string* out) {
  auto it = json.find(field);
  if (it == json.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return FieldError(field, "a string");
  *out = it->get<std::string>();
  return absl::OkStatus();
}

template <typename Int>
Status OptionalCount(const Json& json, const std::string& field, const std::string& path,
                     Int* out) {
  auto it = json.find(field);
  if (it == json.end()) return absl::OkStatus();
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return FieldError(path, "a non-negative integer");
  }
  *out = it->get<Int>();
  return absl::OkStatus();
}

Status ReadFeatures(const Json& json, ModelManifest* m) {
  auto names = json.find("feature_names");
  if (names == json.end() || !names->is_array() || names->empty()) {
    return FieldError("feature_names", "a non-empty array of strings");
  }
  for (const Json& name : *names) {
    if (!name.is_string()) return FieldError("feature_names", "a non-empty array of strings");
    m->feature_names.push_back(name.get<std::string>());
  }
  auto descriptions = json.find("feature_descriptions");
  if (descriptions == json.end() || descriptions->is_null()) return absl::OkStatus();
  if (!descriptions->is_object()) return FieldError("feature_descriptions", "an object");
  for (const auto& [name, text] : descriptions->items()) {
    if (!text.is_string()) return FieldError("feature_descriptions." + name, "a string");
    m->feature_descriptions[name] = text.get<std::string>();
  }
  return absl::OkStatus();
}

Status ReadRows(const Json& json, ModelManifest* m) {
  auto rows = json.find("rows");
  if (rows == json.end()) return absl::OkStatus();
  if (!rows->is_object()) return FieldError("rows", "an object");
  RETURN_IF_ERROR(OptionalCount(*rows, "train", "rows.train", &m->train_rows));
  RETURN_IF_ERROR(OptionalCount(*rows, "fit", "rows.fit", &m->fit_rows));
  RETURN_IF_ERROR(OptionalCount(*rows, "calibration", "rows.calibration", &m->calibration_rows));
  return OptionalCount(*rows, "valid", "rows.valid", &m->valid_rows);
}

Status ReadLibraries(const Json& json, ModelManifest* m) {
  auto libraries = json.find("library_versions");
  if (libraries == json.end()) return absl::OkStatus();
  if (!libraries->is_object()) return FieldError("library_versions", "an object");
  RETURN_IF_ERROR(OptionalString(*libraries, "xgboost", &m->xgboost_version));
  return OptionalString(*libraries, "vigil", &m->vigil_version);
}

Status ReadPeriod(const Json& json, ModelManifest* m) {
  RETURN_IF_ERROR(OptionalString(json, "train_from", &m->train_from));
  RETURN_IF_ERROR(OptionalString(json, "train_to", &m->train_to));
  RETURN_IF_ERROR(OptionalString(json, "valid_from", &m->valid_from));
  RETURN_IF_ERROR(OptionalString(json, "valid_to", &m->valid_to));
  return OptionalString(json, "created_at", &m->created_at);
}

}  // namespace

std::string ModelVersionName(const std::string& kind, const std::string& version) {
  return kind + "-" + version;
}

Json ModelManifest::ToJson() const {
  return {{"format_version", 1},
          {"kind", kind},
          {"version", version},
          {"model_version", model_version},
          {"feature_names", feature_names},
          {"feature_descriptions", feature_descriptions},
          {"train_from", train_from},
          {"train_to", train_to},
          {"valid_from", valid_from},
          {"valid_to", valid_to},
          {"rows",
           {{"train", train_rows},
            {"fit", fit_rows},
            {"calibration", calibration_rows},
            {"valid", valid_rows}}},
          {"best_iteration", best_iteration},
          {"rounds", rounds},
          {"parameters", parameters},
          {"library_versions", {{"xgboost", xgboost_version}, {"vigil", vigil_version}}},
          {"checksum", checksum},
          {"calibration", calibration.ToJson()},
          {"created_at", created_at}};
}

StatusOr<ModelManifest> ModelManifest::FromJson(const Json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("manifest must be a JSON object");
  ModelManifest m;
  ASSIGN_OR_RETURN(m.kind, RequiredString(json, "kind"));
  ASSIGN_OR_RETURN(m.version, RequiredString(json, "version"));
  ASSIGN_OR_RETURN(m.model_version, RequiredString(json, "model_version"));
  ASSIGN_OR_RETURN(m.checksum, RequiredString(json, "checksum"));
  RETURN_IF_ERROR(ReadFeatures(json, &m));
  auto calibration = json.find("calibration");
  if (calibration == json.end()) return FieldError("calibration", "present");
  auto parsed = Calibration::FromJson(*calibration);
  if (!parsed.ok())
    return absl::InvalidArgumentError("manifest " + std::string(parsed.status().message()));
  m.calibration = *parsed;
  RETURN_IF_ERROR(ReadPeriod(json, &m));
  RETURN_IF_ERROR(ReadRows(json, &m));
  RETURN_IF_ERROR(ReadLibraries(json, &m));
  RETURN_IF_ERROR(OptionalCount(json, "best_iteration", "best_iteration", &m.best_iteration));
  RETURN_IF_ERROR(OptionalCount(json, "rounds", "rounds", &m.rounds));
  if (auto p = json.find("parameters"); p != json.end() && p->is_object()) m.parameters = *p;
  return m;
}

}  // namespace vigil
