#include "service/dashboard_routes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/atomic_file.h"
#include "common/field_error.h"
#include "fmt/format.h"
#include "http/http_response.h"
#include "model/model_registry.h"
#include "nlohmann/json.hpp"
#include "service/customer_timeline.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 200;
constexpr size_t kMaxNoteChars = 1000;
constexpr size_t kMaxIdBytes = 256;
constexpr std::array<std::string_view, 3> kKinds = {"order", "return", "transaction"};
constexpr std::array<std::string_view, 4> kLevels = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 11> kActions = {
    "allow",   "otp_verification",       "prepaid_only", "manual_review",
    "block",   "instant_refund",         "pickup_qc",    "deny",
    "approve", "step_up_authentication", "decline"};
constexpr std::array<std::string_view, 8> kTransactionStatuses = {
    "received", "scored",    "pending_verification", "approved", "declined", "manual_review",
    "expired",  "historical"};
// The model report is a page of its own, with inline styles and SVG only.
constexpr std::string_view kReportPolicy =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& known, std::string_view value) {
  return std::find(known.begin(), known.end(), value) != known.end();
}

template <size_t N>
std::string Listed(const std::array<std::string_view, N>& known) {
  std::string out;
  for (std::string_view v : known) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

// Strings in answers come from requests and files: never throw on bad UTF-8.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse JsonAnswer(const json& body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

void Reply(const StatusOr<json>& body, const Responder& respond) {
  if (!body.ok()) return respond(ResponseFromStatus(body.status()));
  respond(JsonAnswer(*body));
}

bool AcceptsJson(const HttpRequest& req, const Responder& respond) {
  std::string media(req.Header("Content-Type").value_or(""));
  media = media.substr(0, media.find(';'));
  absl::AsciiStrToLower(&media);
  absl::StripAsciiWhitespace(&media);
  if (media == "application/json") return true;
  respond(ErrorResponse(415, "unsupported_media_type",
                        "send the body as Content-Type: application/json"));
  return false;
}

StatusOr<json> JsonObjectBody(const HttpRequest& req) {
  json body = json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError("the body must be a JSON object");
  }
  return body;
}

json Nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// ---- query parameters ----

// The parameter `name`, "" when absent.
std::string Param(const HttpRequest& req, std::string_view name) {
  return std::string(req.Query(name).value_or(""));
}

template <size_t N>
StatusOr<std::string> EnumParam(const HttpRequest& req, std::string_view name,
                                const std::array<std::string_view, N>& known) {
  std::string value = Param(req, name);
  if (!value.empty() && !OneOf(known, value)) {
    return FieldError(name, fmt::format("must be one of {}", Listed(known)));
  }
  return value;
}

StatusOr<bool> BoolParam(const HttpRequest& req, std::string_view name) {
  const std::string value = Param(req, name);
  if (value.empty() || value == "false") return false;
  if (value == "true") return true;
  return FieldError(name, "must be true or false");
}

StatusOr<int64_t> LimitParam(const HttpRequest& req) {
  const std::string text = Param(req, "limit");
  if (text.empty()) return kDefaultLimit;
  int64_t limit = 0;
  if (!absl::SimpleAtoi(text, &limit) || limit < 1 || limit > kMaxLimit) {
    return FieldError("limit", fmt::format("must be a whole number from 1 to {}", kMaxLimit));
  }
  return limit;
}

StatusOr<std::optional<Timestamp>> TimeParam(const HttpRequest& req, std::string_view name) {
  const std::string text = Param(req, name);
  if (text.empty()) return std::optional<Timestamp>();
  auto at = ParseTimestamp(text);
  if (!at.ok()) {
    return FieldError(name, fmt::format("must be an ISO-8601 time: {}", at.status().message()));
  }
  return std::optional<Timestamp>(*at);
}

StatusOr<std::string> IdParam(const HttpRequest& req, std::string_view name) {
  std::string value = Param(req, name);
  if (value.size() > kMaxIdBytes) {
    return FieldError(name, fmt::format("must be at most {} bytes", kMaxIdBytes));
  }
  return value;
}

// ---- cursors: opaque to clients, base64url of "<sort>:<order>:<key>:<seq>" ----

std::string DecisionCursor(const DecisionQuery& q, const DecisionPosition& p) {
  const std::string text = fmt::format(
      "{}:{}:{}:{}", q.by_score ? "score" : "at", q.ascending ? "asc" : "desc",
      q.by_score ? fmt::format("{:.17g}", p.key) : fmt::format("{}", static_cast<int64_t>(p.key)),
      p.seq);
  return absl::WebSafeBase64Escape(text);
}

Status CursorError() {
  return FieldError("cursor", "is not a cursor this list gave out (use next_cursor as it is)");
}

StatusOr<std::optional<DecisionPosition>> DecisionCursorParam(const HttpRequest& req,
                                                              const DecisionQuery& q) {
  const std::string text = Param(req, "cursor");
  if (text.empty()) return std::optional<DecisionPosition>();
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(text, &decoded)) return CursorError();
  const std::vector<std::string> parts = absl::StrSplit(decoded, ':');
  DecisionPosition p;
  if (parts.size() != 4 || !absl::SimpleAtod(parts[2], &p.key) ||
      !absl::SimpleAtoi(parts[3], &p.seq)) {
    return CursorError();
  }
  if (parts[0] != (q.by_score ? "score" : "at") || parts[1] != (q.ascending ? "asc" : "desc")) {
    return FieldError("cursor",
                      "belongs to another sort or order; keep sort and order as they were");
  }
  return std::optional<DecisionPosition>(p);
}

std::string TransactionCursor(const TransactionPosition& p) {
  return absl::WebSafeBase64Escape(fmt::format("{}:{}", p.received_at, p.transaction_id));
}

StatusOr<std::optional<TransactionPosition>> TransactionCursorParam(const HttpRequest& req) {
  const std::string text = Param(req, "cursor");
  if (text.empty()) return std::optional<TransactionPosition>();
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(text, &decoded)) return CursorError();
  const size_t colon = decoded.find(':');
  TransactionPosition p;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(decoded.data(), colon), &p.received_at)) {
    return CursorError();
  }
  p.transaction_id = decoded.substr(colon + 1);
  return std::optional<TransactionPosition>(p);
}

StatusOr<DecisionQuery> ParseDecisionQuery(const HttpRequest& req) {
  DecisionQuery q;
  ASSIGN_OR_RETURN(q.queue, BoolParam(req, "queue"));
  ASSIGN_OR_RETURN(q.kind, EnumParam(req, "kind", kKinds));
  ASSIGN_OR_RETURN(q.action, EnumParam(req, "action", kActions));
  ASSIGN_OR_RETURN(q.risk_level, EnumParam(req, "level", kLevels));
  ASSIGN_OR_RETURN(q.customer_id, IdParam(req, "customer"));
  if (!Param(req, "labelled").empty()) {  // absent: labelled or not
    ASSIGN_OR_RETURN(q.labelled, BoolParam(req, "labelled"));
  }
  ASSIGN_OR_RETURN(q.from, TimeParam(req, "from"));
  ASSIGN_OR_RETURN(q.until, TimeParam(req, "to"));
  if (q.from && q.until && *q.until < *q.from) return FieldError("to", "must not be before from");
  ASSIGN_OR_RETURN(const std::string sort,
                   EnumParam(req, "sort", std::array<std::string_view, 2>{"at", "score"}));
  q.by_score = sort == "score";
  ASSIGN_OR_RETURN(const std::string order,
                   EnumParam(req, "order", std::array<std::string_view, 2>{"desc", "asc"}));
  q.ascending = order == "asc";
  ASSIGN_OR_RETURN(q.limit, LimitParam(req));
  ASSIGN_OR_RETURN(q.after, DecisionCursorParam(req, q));
  return q;
}

// ---- answers ----

json DecisionItem(const DecisionSummary& d) {
  return {{"decision_id", d.decision_id},
          {"kind", d.kind},
          {"subject_id", d.subject_id},
          {"customer_id", d.customer_id},
          {"at", FormatTimestamp(d.at)},
          {"risk_score", d.risk_score},
          {"risk_level", d.risk_level},
          {"action", d.action},
          {"model_version", d.model_version},
          {"label", d.label ? DecisionLabelJson(*d.label) : json(nullptr)}};
}

json DecisionPageJson(const DecisionQuery& q, const DecisionPage& page) {
  json items = json::array();
  for (const DecisionSummary& d : page.decisions) items.push_back(DecisionItem(d));
  return {{"decisions", std::move(items)},
          {"next_cursor", page.next ? json(DecisionCursor(q, *page.next)) : json(nullptr)}};
}

// As GET /v1/transactions/{id} (transaction_json.h) shows the same fields,
// without the history, factors and explanation.
json TransactionItem(const TransactionSummary& s) {
  const TransactionRecord& t = s.transaction;
  json decision = json::parse(t.decision, nullptr, /*allow_exceptions=*/false);
  auto from_decision = [&decision](const char* key) {
    if (decision.is_object() && decision.contains(key) && decision[key].is_string()) {
      return decision[key];
    }
    return json(nullptr);
  };
  return {{"transaction_id", t.transaction_id},
          {"user_id", t.user_id},
          {"amount", t.amount},
          {"currency", t.currency},
          {"merchant", t.merchant},
          {"location", t.location},
          {"created_at", FormatTimestamp(t.created_at)},
          {"received_at", FormatTimestamp(t.received_at)},
          {"updated_at", FormatTimestamp(t.updated_at)},
          {"status", t.status},
          {"risk_score", t.risk_score ? json(*t.risk_score) : json(nullptr)},
          {"risk_level", from_decision("risk_level")},
          {"action", from_decision("action")},
          {"model_version", from_decision("model_version")},
          {"sms_status", Nullable(s.sms_status)},
          {"user_response",
           t.user_response_at > 0
               ? json({{"text", t.user_response}, {"at", FormatTimestamp(t.user_response_at)}})
               : json(nullptr)},
          {"label", t.label ? json(*t.label == 1 ? "fraud" : "genuine") : json(nullptr)}};
}

// The models serving now, one entry per kind.
json ModelsInService(const RiskService& service) {
  json models = json::array();
  for (DecisionKind kind :
       {DecisionKind::kOrder, DecisionKind::kReturn, DecisionKind::kTransaction}) {
    models.push_back({{"kind", DecisionKindName(kind)},
                      {"version", Nullable(service.ModelVersion(kind))},
                      {"challenger", Nullable(service.ChallengerVersion(kind))}});
  }
  return models;
}

// ---- the overview ----

struct OverviewRange {
  std::string_view name;
  int64_t seconds;
  int64_t bucket_seconds;
};
constexpr std::array<OverviewRange, 3> kRanges = {
    {{"1h", 3600, 60}, {"24h", 86'400, 900}, {"7d", 7 * 86'400, 3600}}};

// The q-quantile of the histograms' merged buckets in milliseconds,
// interpolated linearly inside its bucket (as Prometheus'
// histogram_quantile); null without observations.
json QuantileMs(const std::vector<double>& bounds, const std::vector<uint64_t>& counts, double q) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  if (total == 0) return nullptr;
  const double rank = q * static_cast<double>(total);
  double below = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double here = static_cast<double>(counts[i]);
    if (counts[i] > 0 && below + here >= rank) {
      if (i == bounds.size()) return std::round(bounds.back() * 1e6) / 1e3;  // beyond the last
      const double lo = i == 0 ? 0 : bounds[i - 1];
      const double at = lo + (bounds[i] - lo) * (rank - below) / here;
      return std::round(at * 1e6) / 1e3;
    }
    below += here;
  }
  return nullptr;
}

class DashboardRoutes {
 public:
  explicit DashboardRoutes(DashboardContext context) : c_(std::move(context)) {
    if (!c_.clock) c_.clock = [] { return NowSeconds(); };
  }

  void Add(Router& router, std::shared_ptr<DashboardRoutes> self) {
    auto analyst = [this, self](auto method) {
      return [this, self, method](HttpRequest& req, Responder respond) {
        if (!c_.admit(req, Role::kAnalyst, respond)) return;
        (this->*method)(req, respond);
      };
    };
    router.Add("GET", "/v1/overview", analyst(&DashboardRoutes::Overview));
    router.Add("GET", "/v1/decisions", analyst(&DashboardRoutes::Decisions));
    router.Add("GET", "/v1/customers/{id}/decisions", analyst(&DashboardRoutes::CustomerDecisions));
    router.Add("GET", "/v1/customers/{id}/timeline", analyst(&DashboardRoutes::CustomerTimeline));
    router.Add("GET", "/v1/transactions", analyst(&DashboardRoutes::Transactions));
    router.Add("GET", "/v1/models", analyst(&DashboardRoutes::Models));
    router.Add("GET", "/v1/models/{kind}/{version}/report", analyst(&DashboardRoutes::Report));
    router.Add("POST", "/v1/decisions/{id}/label", [this, self](HttpRequest& req, Responder r) {
      const auto caller = c_.admit(req, Role::kAnalyst, r);
      if (caller) Label(req, *caller, std::move(r));
    });
    router.Add("POST", "/v1/transactions/{id}/label", [this, self](HttpRequest& req, Responder r) {
      const auto caller = c_.admit(req, Role::kAnalyst, r);
      if (caller) LabelPayment(req, *caller, r);
    });
    router.Add("POST", "/v1/models/{kind}/promote", [this, self](HttpRequest& req, Responder r) {
      if (c_.admit(req, Role::kAdmin, r)) Promote(req, r);
    });
    router.Add("POST", "/v1/models/{kind}/rollback", [this, self](HttpRequest& req, Responder r) {
      if (c_.admit(req, Role::kAdmin, r)) Rollback(req, r);
    });
  }

 private:
  void Overview(HttpRequest& req, const Responder& respond) {
    const std::string name = Param(req, "range");
    const auto range = std::find_if(kRanges.begin(), kRanges.end(), [&](const OverviewRange& r) {
      return r.name == (name.empty() ? "24h" : name);
    });
    if (range == kRanges.end()) {
      return respond(ResponseFromStatus(FieldError("range", "must be 1h, 24h or 7d")));
    }
    Reply(OverviewJson(*range), respond);
  }

  StatusOr<json> OverviewJson(const OverviewRange& range) {
    const Timestamp now = c_.clock();
    // Whole buckets, the last one holding now: the series never moves by
    // less than a bucket between two looks.
    const Timestamp until = (now / range.bucket_seconds + 1) * range.bucket_seconds;
    const Timestamp from = until - range.seconds;
    ASSIGN_OR_RETURN(const DashboardCounts counts,
                     c_.store->CountDecisions(from, until, range.bucket_seconds));
    ASSIGN_OR_RETURN(const int64_t events, c_.store->LastEventSeq());
    json body = {{"range", range.name},
                 {"generated_at", FormatTimestamp(now)},
                 {"from", FormatTimestamp(from)},
                 {"to", FormatTimestamp(until)},
                 {"bucket_seconds", range.bucket_seconds}};
    AddDecisionCounts(counts.decisions, from, range, &body);
    body["latency_ms"] = ScoringLatency();
    body["sms"] = {{"sent", counts.sms.sent},
                   {"confirmed", counts.sms.confirmed},
                   {"denied", counts.sms.denied},
                   {"expired", counts.sms.expired},
                   {"pending", counts.sms.pending}};
    body["events_ingested"] = events;  // seqs start at 1 and events are never deleted
    body["models"] = ModelsInService(*c_.service);
    return body;
  }

  // "decisions" (total, by_kind, series, by_level, by_action) and
  // "score_histogram", every kind and level present (zeros included).
  static void AddDecisionCounts(const std::vector<DecisionCount>& rows, Timestamp from,
                                const OverviewRange& range, json* body) {
    const int64_t buckets = range.seconds / range.bucket_seconds;
    json series = json::array();
    for (int64_t b = 0; b < buckets; ++b) {
      json point = {{"at", FormatTimestamp(from + b * range.bucket_seconds)}};
      for (std::string_view kind : kKinds) point[std::string(kind)] = 0;
      series.push_back(std::move(point));
    }
    json by_kind = json::object(), by_level = json::object(), by_action = json::object();
    json histogram = json::object();
    for (std::string_view k : kKinds) {
      const std::string kind(k);
      by_kind[kind] = 0;
      for (std::string_view level : kLevels) by_level[kind][std::string(level)] = 0;
      by_action[kind] = json::object();
      histogram[kind] = std::vector<int64_t>(20, 0);
    }
    int64_t total = 0;
    for (const DecisionCount& r : rows) {
      if (!OneOf(kKinds, r.kind) || r.bucket < 0 || r.bucket >= buckets) continue;
      total += r.count;
      by_kind[r.kind] = by_kind[r.kind].get<int64_t>() + r.count;
      series[r.bucket][r.kind] = series[r.bucket][r.kind].get<int64_t>() + r.count;
      json& level = by_level[r.kind][r.risk_level.empty() ? "unknown" : r.risk_level];
      level = level.is_null() ? r.count : level.get<int64_t>() + r.count;
      json& action = by_action[r.kind][r.action.empty() ? "unknown" : r.action];
      action = action.is_null() ? r.count : action.get<int64_t>() + r.count;
      json& bin = histogram[r.kind][std::clamp(r.score_bin, 0, 19)];
      bin = bin.get<int64_t>() + r.count;
    }
    (*body)["decisions"] = {{"total", total},
                            {"by_kind", std::move(by_kind)},
                            {"series", std::move(series)},
                            {"by_level", std::move(by_level)},
                            {"by_action", std::move(by_action)}};
    (*body)["score_histogram"] = std::move(histogram);
  }

  // p50 and p99 of the scoring requests since start, from the HTTP server's
  // histograms (they exist once the server runs; the help text is theirs).
  json ScoringLatency() const {
    const std::vector<double> bounds = LatencyBucketsSeconds();
    std::vector<uint64_t> counts(bounds.size() + 1, 0);
    for (const std::string& route : c_.latency_routes) {
      if (c_.metrics == nullptr) break;
      const Histogram* h = c_.metrics->GetHistogram("vigil_http_request_duration_seconds", "",
                                                    bounds, {{"route", route}});
      for (size_t i = 0; i < counts.size(); ++i) counts[i] += h->bucket_count(i);
    }
    uint64_t total = 0;
    for (uint64_t n : counts) total += n;
    return {{"p50", QuantileMs(bounds, counts, 0.5)},
            {"p99", QuantileMs(bounds, counts, 0.99)},
            {"requests", total}};
  }

  void Decisions(HttpRequest& req, const Responder& respond) {
    auto query = ParseDecisionQuery(req);
    if (!query.ok()) return respond(ResponseFromStatus(query.status()));
    auto page = c_.store->ListDecisions(*query);
    if (!page.ok()) return respond(ResponseFromStatus(page.status()));
    respond(JsonAnswer(DecisionPageJson(*query, *page)));
  }

  void CustomerDecisions(HttpRequest& req, const Responder& respond) {
    DecisionQuery query{.customer_id = std::string(*req.Param("id"))};
    auto limit = LimitParam(req);
    if (!limit.ok()) return respond(ResponseFromStatus(limit.status()));
    query.limit = *limit;
    auto after = DecisionCursorParam(req, query);
    if (!after.ok()) return respond(ResponseFromStatus(after.status()));
    query.after = *after;
    auto page = c_.store->ListDecisions(query);
    if (!page.ok()) return respond(ResponseFromStatus(page.status()));
    json body = DecisionPageJson(query, *page);
    body["customer_id"] = query.customer_id;
    respond(JsonAnswer(body));
  }

  void CustomerTimeline(HttpRequest& req, const Responder& respond) {
    auto limit = LimitParam(req);
    if (!limit.ok()) return respond(ResponseFromStatus(limit.status()));
    Reply(vigil::CustomerTimeline(*c_.store, *c_.service, std::string(*req.Param("id")), *limit),
          respond);
  }

  void Label(HttpRequest& req, const Caller& caller, Responder respond) {
    if (!AcceptsJson(req, respond)) return;
    auto body = JsonObjectBody(req);
    if (!body.ok()) return respond(ResponseFromStatus(body.status()));
    auto label = ParseLabel(*body);
    if (!label.ok()) return respond(ResponseFromStatus(label.status()));
    label->by_key_id = caller.key_id;
    label->by_name = caller.name;
    c_.service->Label(*req.Param("id"), *std::move(label),
                      [respond = std::move(respond)](StatusOr<DecisionLabelRecord> stored) {
                        if (!stored.ok()) return respond(ResponseFromStatus(stored.status()));
                        respond(JsonAnswer(DecisionLabelJson(*stored), 201));
                      });
  }

  // The label and note of a label request; `words` are the labels allowed.
  static StatusOr<DecisionLabelRecord> ParseLabel(const json& body,
                                                  std::vector<std::string_view> words = {
                                                      "abuse", "fraud", "genuine"}) {
    DecisionLabelRecord label;
    const std::string must =
        words.size() == 2 ? fmt::format("must be {} or {}", words[0], words[1])
                          : fmt::format("must be {}, {} or {}", words[0], words[1], words[2]);
    auto it = body.find("label");
    if (it == body.end() || it->is_null()) return FieldError("label", "is required");
    if (!it->is_string()) return FieldError("label", must);
    label.label = it->get<std::string>();
    if (std::find(words.begin(), words.end(), label.label) == words.end()) {
      return FieldError("label", must);
    }
    if (it = body.find("note"); it != body.end() && !it->is_null()) {
      if (!it->is_string()) return FieldError("note", "must be a string");
      label.note = it->get<std::string>();
      // Characters, not bytes: the parser has checked the UTF-8.
      const size_t chars = std::count_if(label.note.begin(), label.note.end(), [](char ch) {
        return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
      });
      if (chars > kMaxNoteChars) {
        return FieldError("note", fmt::format("must be at most {} characters", kMaxNoteChars));
      }
    }
    return label;
  }

  // POST /v1/transactions/{id}/label: an analyst's label on a payment.
  void LabelPayment(HttpRequest& req, const Caller& caller, const Responder& respond) {
    if (!AcceptsJson(req, respond)) return;
    auto body = JsonObjectBody(req);
    if (!body.ok()) return respond(ResponseFromStatus(body.status()));
    auto parsed = ParseLabel(*body, {"fraud", "genuine"});
    if (!parsed.ok()) return respond(ResponseFromStatus(parsed.status()));
    const TransactionLabel label{.transaction_id = std::string(*req.Param("id")),
                                 .label = parsed->label == "fraud" ? 1 : 0,
                                 .note = parsed->note,
                                 .by_key_id = caller.key_id,
                                 .by_name = caller.name,
                                 .at = c_.clock()};
    auto done = c_.service->LabelPayment(label);
    if (!done.ok()) return respond(ResponseFromStatus(done.status()));
    auto word = [](std::optional<int64_t> l) {
      return l ? json(*l == 1 ? "fraud" : "genuine") : json(nullptr);
    };
    respond(JsonAnswer({{"transaction_id", label.transaction_id},
                        {"label", parsed->label},
                        {"note", label.note},
                        {"by", {{"key_id", label.by_key_id}, {"name", label.by_name}}},
                        {"at", FormatTimestamp(label.at)},
                        {"status", done->payment.status},
                        {"previous_label", word(done->previous_label)},
                        {"features_updated", done->features_updated}},
                       201));
  }

  void Transactions(HttpRequest& req, const Responder& respond) {
    TransactionQuery query;
    auto status = EnumParam(req, "status", kTransactionStatuses);
    if (!status.ok()) return respond(ResponseFromStatus(status.status()));
    query.status = *status;
    auto limit = LimitParam(req);
    if (!limit.ok()) return respond(ResponseFromStatus(limit.status()));
    query.limit = *limit;
    auto after = TransactionCursorParam(req);
    if (!after.ok()) return respond(ResponseFromStatus(after.status()));
    query.after = *after;
    auto page = c_.store->ListTransactions(query);
    if (!page.ok()) return respond(ResponseFromStatus(page.status()));
    json items = json::array();
    for (const TransactionSummary& t : page->transactions) items.push_back(TransactionItem(t));
    respond(JsonAnswer(
        {{"transactions", std::move(items)},
         {"next_cursor", page->next ? json(TransactionCursor(*page->next)) : json(nullptr)}}));
  }

  // ---- models ----

  void Models(HttpRequest&, const Responder& respond) {
    const ModelRegistry registry(c_.models_dir);
    auto versions = registry.List("");
    if (!versions.ok()) return respond(ResponseFromStatus(versions.status()));
    // Per kind, the version POST /v1/models/{kind}/rollback would serve.
    json rollback_to = json::object();
    for (std::string_view k : kKinds) {
      const std::string kind(k);
      auto target = registry.RollbackTarget(kind);
      if (!target.ok()) return respond(ResponseFromStatus(target.status()));
      rollback_to[kind] = target->has_value() ? json(fmt::format("{}-{}", kind, **target)) : json();
    }
    json models = json::array();
    for (const ModelVersionInfo& v : *versions) {
      const DecisionKind kind = v.kind == "order"    ? DecisionKind::kOrder
                                : v.kind == "return" ? DecisionKind::kReturn
                                                     : DecisionKind::kTransaction;
      auto number = [](double x) { return std::isnan(x) ? json(nullptr) : json(x); };
      json model = {{"kind", v.kind},
                    {"version", v.model_version},
                    {"production", v.production},
                    {"in_service", c_.service->ModelVersion(kind) == v.model_version},
                    {"challenger", c_.service->ChallengerVersion(kind) == v.model_version},
                    {"created_at", Nullable(v.created_at)},
                    {"metrics",
                     {{"roc_auc", number(v.roc_auc)},
                      {"pr_auc", number(v.pr_auc)},
                      {"train_rows", v.train_rows},
                      {"valid_rows", v.valid_rows}}},
                    {"report", fmt::format("/v1/models/{}/{}/report", v.kind, v.model_version)}};
      if (!v.problem.empty()) model["problem"] = v.problem;
      models.push_back(std::move(model));
    }
    respond(JsonAnswer({{"models", std::move(models)},
                        {"rollback_to", std::move(rollback_to)},
                        {"shadow", ShadowAgreement()}}));
  }

  // Champion/challenger since the server started: per kind, the decisions a
  // challenger scored in shadow and how many chose the champion's action
  // (the counters vigil_challenger_decisions_total of /metrics).
  json ShadowAgreement() const {
    json shadow = json::object();
    if (c_.metrics == nullptr) return shadow;
    for (const char* kind : {"order", "return"}) {
      auto count = [&](const char* agreement) {
        return c_.metrics
            ->GetCounter(
                "vigil_challenger_decisions_total",
                "Decisions scored in shadow by a challenger, by whether it chose the same action",
                {{"kind", kind}, {"agreement", agreement}})
            ->value();
      };
      const uint64_t same = count("same_action"), other = count("other_action");
      const uint64_t total = same + other;
      shadow[kind] = {
          {"challenger",
           Nullable(c_.service->ChallengerVersion(
               std::string_view(kind) == "order" ? DecisionKind::kOrder : DecisionKind::kReturn))},
          {"decisions", total},
          {"same_action", same},
          {"agreement", total == 0 ? json(nullptr) : json(static_cast<double>(same) / total)}};
    }
    return shadow;
  }

  // The registry's directory name ("v3") of `version` ("v3" or "order-v3"),
  // or nullopt when it is neither (so no path is made of it).
  static std::optional<std::string> VersionDirName(std::string_view kind,
                                                   std::string_view version) {
    if (version.starts_with(kind) && version.substr(kind.size()).starts_with("-")) {
      version.remove_prefix(kind.size() + 1);
    }
    if (version.size() < 2 || version.size() > 10 || version[0] != 'v') return std::nullopt;
    if (!std::all_of(version.begin() + 1, version.end(), absl::ascii_isdigit)) return std::nullopt;
    return std::string(version);
  }

  void Report(HttpRequest& req, const Responder& respond) {
    const std::string kind(*req.Param("kind"));
    const std::string version(*req.Param("version"));
    const auto dir_name = VersionDirName(kind, version);
    if (!OneOf(kKinds, kind) || !dir_name) {
      return respond(ErrorResponse(404, "not_found", fmt::format("no model {} {}", kind, version)));
    }
    const std::string path =
        (std::filesystem::path(ModelRegistry(c_.models_dir).VersionDir(kind, *dir_name)) /
         "report.html")
            .string();
    auto html = ReadFileToString(path);
    if (!html.ok()) {
      return respond(
          ErrorResponse(404, "not_found", fmt::format("no report for model {} {}", kind, version)));
    }
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = *std::move(html);
    r.headers = {{"Content-Security-Policy", std::string(kReportPolicy)},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"},
                 {"Cache-Control", "no-cache"}};
    respond(std::move(r));
  }

  void Promote(HttpRequest& req, const Responder& respond) {
    const std::string kind(*req.Param("kind"));
    if (!OneOf(kKinds, kind)) return respond(NoSuchKind(kind));
    if (!AcceptsJson(req, respond)) return;
    auto body = JsonObjectBody(req);
    if (!body.ok()) return respond(ResponseFromStatus(body.status()));
    auto it = body->find("version");
    if (it == body->end() || !it->is_string() || it->get<std::string>().empty()) {
      return respond(ResponseFromStatus(
          FieldError("version", fmt::format("is required: a version such as {}-v2", kind))));
    }
    const auto dir_name = VersionDirName(kind, it->get<std::string>());
    if (!dir_name) {
      return respond(
          ResponseFromStatus(FieldError("version", fmt::format("must be v<N> or {}-v<N>", kind))));
    }
    Status promoted = ModelRegistry(c_.models_dir).Promote(kind, *dir_name);
    if (!promoted.ok()) return respond(ResponseFromStatus(promoted));
    ReloadAndAnswer(kind, respond);
  }

  void Rollback(HttpRequest& req, const Responder& respond) {
    const std::string kind(*req.Param("kind"));
    if (!OneOf(kKinds, kind)) return respond(NoSuchKind(kind));
    auto back = ModelRegistry(c_.models_dir).Rollback(kind);
    if (!back.ok()) return respond(ResponseFromStatus(back.status()));
    ReloadAndAnswer(kind, respond);
  }

  static HttpResponse NoSuchKind(const std::string& kind) {
    return ErrorResponse(
        404, "not_found",
        fmt::format("no model kind '{}'; expected order, return or transaction", kind));
  }

  // The registry changed: serve its production versions now.
  void ReloadAndAnswer(const std::string& kind, const Responder& respond) {
    Status reloaded = c_.service->ReloadModels();
    if (!reloaded.ok()) {
      fmt::print(stderr, "vigil serve: model reload failed: {}\n", reloaded.message());
      return respond(
          ErrorResponse(500, "model_load_failed",
                        fmt::format("the registry changed but the models in service stay: {}",
                                    reloaded.message())));
    }
    auto production = ModelRegistry(c_.models_dir).Production(kind);
    json body = {{"kind", kind},
                 {"production",
                  production.ok() ? json(fmt::format("{}-{}", kind, *production)) : json(nullptr)},
                 {"models", ModelsInService(*c_.service)}};
    respond(JsonAnswer(body));
  }

  DashboardContext c_;
};

}  // namespace

void AddDashboardDataRoutes(Router& router, DashboardContext context) {
  auto routes = std::make_shared<DashboardRoutes>(std::move(context));
  routes->Add(router, routes);
}

}  // namespace vigil
