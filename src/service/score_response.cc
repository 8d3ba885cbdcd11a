#include "service/score_response.h"

#include <cmath>

#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace vigil {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

double Round(double v, double scale) { return std::round(v * scale) / scale; }

// RapidJSON refuses NaN and infinities (and would leave a key without a
// value); JSON has null for them.
void Number(Writer& w, double v) {
  if (std::isfinite(v)) {
    w.Double(v);
  } else {
    w.Null();
  }
}

void String(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void Key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void Raw(Writer& w, std::string_view json) {
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

}  // namespace

std::string RenderScoreResponse(const ScoreResponse& r) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, r.subject_key);
  String(w, r.subject_id);
  if (!r.order_id.empty()) {
    Key(w, "order_id");
    String(w, r.order_id);
  }
  Key(w, "decision_id");
  String(w, r.decision_id);
  Key(w, "risk_score");
  Number(w, Round(r.risk_score, 1e6));
  Key(w, "risk_level");
  String(w, r.risk_level);
  Key(w, "recommended_action");
  String(w, r.action);
  Key(w, "explanation");
  w.StartObject();
  Key(w, "summary");
  String(w, r.explanation.summary);
  Key(w, "key_factors");
  w.StartArray();
  for (const std::string& sentence : r.explanation.key_factors) String(w, sentence);
  w.EndArray();
  Key(w, "recommendation");
  String(w, r.explanation.recommendation);
  w.EndObject();
  Key(w, "explanation_source");
  String(w, "template");
  Key(w, "factors");
  w.StartArray();
  for (const Factor& f : r.factors) {
    w.StartObject();
    Key(w, "feature");
    String(w, f.feature);
    // Features are floats: 6 decimals, not float-to-double noise.
    Key(w, "value");
    Number(w, Round(f.value, 1e6));
    Key(w, "contribution");
    Number(w, Round(f.contribution, 1e6));
    w.EndObject();
  }
  w.EndArray();
  if (r.list_override.has_value()) {
    Key(w, "override");
    w.StartObject();
    Key(w, "list");
    String(w, r.list_override->list);
    Key(w, "field");
    String(w, r.list_override->field);
    Key(w, "reason");
    String(w, r.list_override->reason);
    w.EndObject();
  }
  Key(w, "confidence");
  Number(w, Round(r.confidence, 1e4));
  Key(w, "model_version");
  String(w, r.model_version);
  Key(w, "language");
  String(w, r.language);
  Key(w, "timestamp");
  String(w, r.timestamp);
  if (r.dry_run) {
    Key(w, "dry_run");
    w.Bool(true);
  }
  Key(w, "processing_time_ms");
  Number(w, Round(r.processing_time_ms, 1e3));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string RenderAuditDocument(const AuditDocument& d) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Key(w, "decision_id");
  String(w, d.decision_id);
  Key(w, "kind");
  String(w, d.kind);
  Key(w, "request_id");
  String(w, d.request_id);
  Key(w, "request");
  Raw(w, d.request_json);
  Key(w, "bias");
  Number(w, d.bias);
  Key(w, "margin");
  Number(w, d.margin);
  Key(w, "event_id");
  String(w, d.event_id);
  if (d.challenger.has_value()) {
    Key(w, "challenger");
    w.StartObject();
    Key(w, "model_version");
    String(w, d.challenger->model_version);
    Key(w, "risk_score");
    Number(w, Round(d.challenger->risk_score, 1e6));
    Key(w, "risk_level");
    String(w, d.challenger->risk_level);
    Key(w, "recommended_action");
    String(w, d.challenger->action);
    w.EndObject();
  }
  Key(w, "response");
  Raw(w, d.response_json);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace vigil
