#include "service/score_response.h"

#include <cmath>

#include "common/json_writer.h"

namespace vigil {

double Round(double v, double scale) { return std::round(v * scale) / scale; }

std::string RenderScoreResponse(const ScoreResponse& r) {
  JsonWriter w;
  w.StartObject();
  w.Key(r.subject_key);
  w.String(r.subject_id);
  if (!r.order_id.empty()) {
    w.Key("order_id");
    w.String(r.order_id);
  }
  w.Key("decision_id");
  w.String(r.decision_id);
  w.Key("risk_score");
  w.Number(Round(r.risk_score, 1e6));
  w.Key("risk_level");
  w.String(r.risk_level);
  w.Key("recommended_action");
  w.String(r.action);
  w.Key("explanation");
  w.StartObject();
  w.Key("summary");
  w.String(r.explanation.summary);
  w.Key("key_factors");
  w.StartArray();
  for (const std::string& sentence : r.explanation.key_factors) w.String(sentence);
  w.EndArray();
  w.Key("recommendation");
  w.String(r.explanation.recommendation);
  w.EndObject();
  w.Key("explanation_source");
  w.String("template");
  w.Key("factors");
  w.StartArray();
  for (const Factor& f : r.factors) {
    w.StartObject();
    w.Key("feature");
    w.String(f.feature);
    // Features are floats: 6 decimals, not float-to-double noise.
    w.Key("value");
    w.Number(Round(f.value, 1e6));
    w.Key("contribution");
    w.Number(Round(f.contribution, 1e6));
    w.EndObject();
  }
  w.EndArray();
  if (r.list_override.has_value()) {
    w.Key("override");
    w.StartObject();
    w.Key("list");
    w.String(r.list_override->list);
    w.Key("field");
    w.String(r.list_override->field);
    w.Key("reason");
    w.String(r.list_override->reason);
    w.EndObject();
  }
  w.Key("confidence");
  w.Number(Round(r.confidence, 1e4));
  w.Key("model_version");
  w.String(r.model_version);
  w.Key("language");
  w.String(r.language);
  w.Key("timestamp");
  w.String(r.timestamp);
  if (r.dry_run) {
    w.Key("dry_run");
    w.Bool(true);
  }
  w.Key("processing_time_ms");
  w.Number(Round(r.processing_time_ms, 1e3));
  w.EndObject();
  return w.Release();
}

std::string RenderAuditDocument(const AuditDocument& d) {
  JsonWriter w;
  w.StartObject();
  w.Key("decision_id");
  w.String(d.decision_id);
  w.Key("kind");
  w.String(d.kind);
  w.Key("request_id");
  w.String(d.request_id);
  w.Key("request");
  w.Raw(d.request_json);
  w.Key("bias");
  w.Number(d.bias);
  w.Key("margin");
  w.Number(d.margin);
  w.Key("event_id");
  w.String(d.event_id);
  if (d.challenger.has_value()) {
    w.Key("challenger");
    w.StartObject();
    w.Key("model_version");
    w.String(d.challenger->model_version);
    w.Key("risk_score");
    w.Number(Round(d.challenger->risk_score, 1e6));
    w.Key("risk_level");
    w.String(d.challenger->risk_level);
    w.Key("recommended_action");
    w.String(d.challenger->action);
    w.EndObject();
  }
  w.Key("response");
  w.Raw(d.response_json);
  w.EndObject();
  return w.Release();
}

}  // namespace vigil
