#include "service/risk_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numeric>
#include <random>

#include "absl/synchronization/notification.h"
#include "common/field_error.h"
#include "data/load_report.h"
#include "explain/language.h"
#include "fmt/format.h"
#include "model/model_registry.h"
#include "pipeline/production_model.h"
#include "service/event_json.h"
#include "service/score_response.h"

namespace vigil {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

json Number(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

StatusOr<json> ParseBody(std::string_view body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return absl::InvalidArgumentError("the body is not valid JSON");
  if (!parsed.is_object()) return absl::InvalidArgumentError("the body must be a JSON object");
  return parsed;
}

// An event naming entities by dense id without creating any: a dry run must
// leave the catalogue as it was. Unknown ids stay kNoId.
Event LookUpEvent(const RawEvent& raw, const Catalog& catalog) {
  Event e{.at = raw.at, .type = raw.type, .payment = raw.payment, .reason = raw.reason};
  e.customer = catalog.Find(Entity::kCustomer, raw.customer_id);
  e.product = catalog.Find(Entity::kProduct, raw.product_id);
  e.seller = catalog.Find(Entity::kSeller, raw.seller_id);
  e.category = catalog.Find(Entity::kCategory, raw.category);
  e.order = catalog.Find(Entity::kOrder, raw.order_id);
  e.ret = catalog.Find(Entity::kReturn, raw.return_id);
  e.device = catalog.Find(Entity::kDevice, raw.device_id);
  e.pincode = catalog.Find(Entity::kPincode, raw.pincode);
  e.size = catalog.Find(Entity::kSize, raw.size);
  e.amount = raw.amount;
  e.discount = raw.discount;
  e.quantity = raw.quantity;
  return e;
}

// How sure the level is: 0.5 on a threshold (a coin flip between two
// levels), rising linearly to 1 at 0.15 or more away from the nearest one.
// docs/decisions.md explains the choice.
double Confidence(const RiskThresholds& t, double score) {
  const double d = std::min(
      {std::abs(score - t.medium), std::abs(score - t.high), std::abs(score - t.critical)});
  return 0.5 + 0.5 * std::min(1.0, d / 0.15);
}

// Whether the decision about `subject` is in the challenger's share: a hash
// of the id, so the same ids are chosen on every run.
bool InShadowShare(std::string_view subject, double share) {
  if (share <= 0) return false;
  if (share >= 1) return true;
  uint64_t h = 1469598103934665603ull;  // FNV-1a, stable across builds
  for (unsigned char c : subject) h = (h ^ c) * 1099511628211ull;
  return static_cast<double>(h % 1'000'000) < share * 1'000'000;
}

// Everything a decision needs from the locked section.
struct Moment {
  RawEvent raw;
  std::string event_id;
  std::vector<float> features;
  std::string phone;  // for list checks only; never stored in the decision
};

}  // namespace

std::vector<Factor> FactorsByContribution(DecisionKind kind, std::span<const float> features,
                                          std::span<const double> contributions) {
  const auto specs = FeatureSpecs(kind);
  // Sorted as indices, so that no name is moved.
  std::vector<uint32_t> order(specs.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&contributions](uint32_t a, uint32_t b) {
    const double ca = std::abs(contributions[a]), cb = std::abs(contributions[b]);
    return ca > cb || (ca == cb && a < b);
  });
  std::vector<Factor> factors;
  factors.reserve(specs.size());
  for (uint32_t i : order)
    factors.push_back({std::string(specs[i].name), features[i], contributions[i]});
  return factors;
}

RiskService::RiskService(RiskServiceOptions options, Store* store)
    : options_(std::move(options)),
      store_(store),
      lists_(store),
      decision_prefix_(std::random_device{}() & 0xffffff) {}

RiskService::~RiskService() = default;

Timestamp RiskService::FestivalCalendarEnd() const {
  absl::MutexLock lock(&engine_mu_);
  return engine_.calendar().LastFestivalStart();
}

StatusOr<std::unique_ptr<RiskService>> RiskService::Open(RiskServiceOptions options, Store* store) {
  std::unique_ptr<RiskService> service(new RiskService(std::move(options), store));
  ASSIGN_OR_RETURN(service->templates_, ExplanationTemplates::LoadDefault());
  RETURN_IF_ERROR(service->lists_.Load());
  if (!service->options_.festivals_path.empty()) {
    LoadReport report;
    ASSIGN_OR_RETURN(FestivalCalendar calendar,
                     FestivalCalendar::Load(service->options_.festivals_path, &report));
    service->festival_issues_ = report.issues();
    absl::MutexLock lock(&service->engine_mu_);
    service->engine_.set_calendar(std::move(calendar));
  }
  RETURN_IF_ERROR(service->Replay());
  RETURN_IF_ERROR(service->ReplayTransactions());
  RETURN_IF_ERROR(service->ReloadModels());
  if (service->options_.similar.capacity > 0) {
    ASSIGN_OR_RETURN(service->similar_, SimilarCases::Open(service->options_.similar, store));
  }
  return service;
}

Status RiskService::Replay() {
  absl::MutexLock lock(&engine_mu_);
  int64_t count = 0;
  // The lambda runs inside the scan, under the lock taken here.
  Status status = store_->ScanEvents(
      0,
      [&](int64_t seq,
          const EventRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(engine_mu_) -> Status {
        json object = json::parse(record.payload, nullptr, /*allow_exceptions=*/false);
        auto decoded = DecodeEvent(object, record.at);
        if (!decoded.ok()) {
          return absl::DataLossError(fmt::format("event log entry {} ({}) does not decode: {}", seq,
                                                 record.event_id, decoded.status().message()));
        }
        engine_.Ingest(decoded->event, nullptr);
        if (++count % 1'000'000 == 0 && options_.replay_progress) options_.replay_progress(count);
        return absl::OkStatus();
      });
  events_replayed_ = count;
  return status;
}

Status RiskService::ReloadModels() {
  std::array<std::shared_ptr<const ServingModel>, 3> loaded;
  for (DecisionKind kind :
       {DecisionKind::kOrder, DecisionKind::kReturn, DecisionKind::kTransaction}) {
    auto model = LoadProductionModel(options_.models_dir, kind);
    if (absl::IsFailedPrecondition(model.status())) continue;  // none yet: 503 until there is
    RETURN_IF_ERROR(model.status());
    auto serving = std::make_shared<ServingModel>();
    serving->shap = std::make_unique<const TreeShap>((*model)->forest());
    serving->model = std::move(*model);
    std::string challenger = kind == DecisionKind::kTransaction
                                 ? std::string()
                                 : options_.challenger_versions[static_cast<size_t>(kind)];
    if (!challenger.empty()) {
      const std::string name(DecisionKindName(kind));
      // "order-v2" as `vigil models list` prints it, or "v2".
      if (challenger.starts_with(name + "-")) challenger.erase(0, name.size() + 1);
      ASSIGN_OR_RETURN(
          serving->challenger,
          ScoringModel::Load(ModelRegistry(options_.models_dir).VersionDir(name, challenger)));
      if (serving->challenger->feature_names() != FeatureNames(kind)) {
        return absl::FailedPreconditionError(fmt::format(
            "challenger {} expects other features than this build computes", challenger));
      }
    }
    loaded[static_cast<size_t>(kind)] = std::move(serving);
  }
  absl::MutexLock lock(&models_mu_);
  models_ = std::move(loaded);
  return absl::OkStatus();
}

std::shared_ptr<const ServingModel> RiskService::Serving(DecisionKind kind) const {
  absl::MutexLock lock(&models_mu_);
  return models_[static_cast<size_t>(kind)];
}

std::string RiskService::ModelVersion(DecisionKind kind) const {
  auto serving = Serving(kind);
  return serving ? serving->model->model_version() : std::string();
}

std::string RiskService::ChallengerVersion(DecisionKind kind) const {
  auto serving = Serving(kind);
  return serving && serving->challenger ? serving->challenger->model_version() : std::string();
}

StatusOr<ScoreResult> RiskService::StoredAnswer(DecisionKind kind,
                                                const std::string& subject) const {
  ASSIGN_OR_RETURN(const std::optional<DecisionRecord> stored, store_->FindDecision(subject));
  // Order and return ids share the look-up: a decision of the other kind
  // with this id is not this one's.
  if (!stored.has_value() || stored->kind != DecisionKindName(kind)) {
    return absl::AlreadyExistsError(fmt::format(
        "{} '{}' is already recorded (from /v1/events or a request in flight) without a decision",
        DecisionKindName(kind), subject));
  }
  // ordered_json: the answer again byte for byte, its fields in the order
  // they were first sent (json would sort them).
  const auto document = nlohmann::ordered_json::parse(stored->document, nullptr, false);
  return ScoreResult{.body = document.is_object() && document.contains("response")
                                 ? document["response"].dump()
                                 : stored->document,
                     .stored = true,
                     .replayed = true,
                     .kind = std::string(DecisionKindName(kind)),
                     .risk_level = stored->risk_level,
                     .action = stored->action,
                     .model_version = stored->model_version};
}

void RiskService::Score(DecisionKind kind, std::string_view body, std::string_view accept_language,
                        std::string_view request_id, ScoreDone done) {
  const auto started = Clock::now();
  const Timestamp now = NowSeconds();
  auto request = ParseBody(body);
  if (!request.ok()) return done(request.status());
  auto serving = Serving(kind);
  if (serving == nullptr) {
    return done(absl::UnavailableError(fmt::format(
        "no production {} model is loaded; train one and promote it", DecisionKindName(kind))));
  }
  const json& req = *request;
  bool dry_run = false;
  if (auto it = req.find("dry_run"); it != req.end() && !it->is_null()) {
    if (!it->is_boolean()) return done(FieldError("dry_run", "must be true or false"));
    dry_run = it->get<bool>();
  }
  std::string language_request(accept_language);
  if (auto it = req.find("language"); it != req.end() && !it->is_null()) {
    if (!it->is_string()) return done(FieldError("language", "must be a string such as \"hi\""));
    language_request = it->get<std::string>();
  }
  const std::string language(NegotiateLanguage(language_request));
  std::string phone;
  if (auto it = req.find("phone"); it != req.end() && it->is_string())
    phone = it->get<std::string>();

  auto raw = kind == DecisionKind::kOrder ? DecodeOrder(req, now) : DecodeReturn(req, now);
  if (!raw.ok()) return done(raw.status());
  const std::string subject = kind == DecisionKind::kOrder ? raw->order_id : raw->return_id;

  // The locked section: state as of this moment, then (unless a dry run)
  // apply the event and take its place in the store's write order, so the
  // log keeps the state's order. The event is written with the decision, in
  // one transaction, once that is made.
  Moment moment{.raw = std::move(*raw), .event_id = {}, .features = {}, .phone = std::move(phone)};
  std::unique_ptr<WriteReservation> reservation;
  bool duplicate = false;
  Status unknown_order;
  Status store_refused;
  {
    absl::MutexLock lock(&engine_mu_);
    const Catalog& catalog = engine_.catalog();
    const OrderState* order = engine_.FindOrder(catalog.Find(Entity::kOrder, moment.raw.order_id));
    const bool order_known = order != nullptr && order->known();
    if (kind == DecisionKind::kOrder) {
      duplicate = order_known;
    } else if (!order_known) {
      unknown_order =
          FieldError("order_id", fmt::format("no order '{}' is known", moment.raw.order_id));
    } else {
      // The customer is the order's; lists and the audit record need them.
      if (order->customer != kNoId) {
        moment.raw.customer_id = catalog.Name(Entity::kCustomer, order->customer);
      }
      const ReturnState* ret =
          engine_.FindReturn(catalog.Find(Entity::kReturn, moment.raw.return_id));
      duplicate = ret != nullptr && ret->known;
    }
    if (!duplicate && unknown_order.ok() && !dry_run) {
      // Before the state changes: a store that refuses (closed, queue full)
      // leaves the state as the log has it.
      auto reserved = store_->Reserve();
      if (reserved.ok()) {
        reservation = *std::move(reserved);
      } else {
        store_refused = reserved.status();
      }
    }
    if (!duplicate && unknown_order.ok() && store_refused.ok()) {
      Event event =
          dry_run ? LookUpEvent(moment.raw, catalog) : InternEvent(moment.raw, &engine_.catalog());
      if (kind == DecisionKind::kOrder) {
        moment.features.resize(kOrderVectorSize);
        engine_.OrderFeatures(event, moment.features);
      } else {
        moment.features.resize(kReturnVectorSize);
        engine_.ReturnFeatures(event, moment.features);
      }
      if (!dry_run) engine_.Apply(event);
    }
  }
  if (!unknown_order.ok()) return done(unknown_order);
  if (!store_refused.ok()) return done(store_refused);
  if (!dry_run) moment.event_id = DefaultEventId(moment.raw);
  if (duplicate) {
    // Idempotent: the decision already given for this id, not a second count.
    std::function<void()> replay = [this, kind, subject = std::string(subject), done] {
      done(StoredAnswer(kind, subject));
    };
    if (options_.offload_read && options_.offload_read(replay)) return;
    return replay();
  }

  // Outside the lock: score, explain, decide.
  const ScoringModel& model = *serving->model;
  const FlatForest& forest = model.forest();
  const double margin = forest.PredictMargin(moment.features.data());
  const double score = model.Probability(margin);
  RiskLevel level = options_.policy.Level(kind, score);
  const bool cod = kind == DecisionKind::kOrder && moment.raw.payment == PaymentMethod::kCod;
  std::string action(options_.policy.Action(kind, level, cod));

  std::vector<double> contributions(forest.num_features() + 1);
  serving->shap->Explain(moment.features.data(), contributions.data());
  std::vector<Factor> factors = FactorsByContribution(kind, moment.features, contributions);
  Explanation explanation = templates_.Explain(kind, language, level, action, factors,
                                               moment.features, options_.top_factors);

  // Allow and block lists override the model, and say so.
  std::optional<ListOverride> list_override;
  if (auto entry = lists_.Match(
          {moment.raw.customer_id, moment.raw.device_id, moment.raw.pincode, moment.phone})) {
    const bool block = entry->list == "block";
    action = kind == DecisionKind::kOrder ? (block ? "block" : "allow")
                                          : (block ? "deny" : "instant_refund");
    explanation.recommendation = templates_.Recommendation(kind, language, action);
    // The summary speaks for the list's action, not the model's level.
    explanation.summary =
        templates_.Summary(kind, language, block ? RiskLevel::kCritical : RiskLevel::kLow);
    explanation.key_factors.insert(
        explanation.key_factors.begin(),
        templates_.ListOverride(language, entry->list, entry->field, entry->reason));
    list_override = ListOverride{entry->list, entry->field, entry->reason};
  }

  const uint64_t counter = decision_counter_.fetch_add(1, std::memory_order_relaxed);
  const std::string decision_id =
      fmt::format("dec_{:x}{:06x}{:08x}", now, decision_prefix_, counter);
  const size_t top = std::min(options_.top_factors, factors.size());
  const bool is_order = kind == DecisionKind::kOrder;
  ScoreResponse response{
      .subject_key = is_order ? "order_id" : "return_id",
      .subject_id = subject,
      .order_id = is_order ? std::string() : moment.raw.order_id,
      .decision_id = decision_id,
      .risk_score = score,
      .risk_level = RiskLevelName(level),
      .action = action,
      .explanation = std::move(explanation),
      .factors = std::span<const Factor>(factors.data(), top),
      .list_override = std::move(list_override),
      .confidence = Confidence(options_.policy.thresholds(kind), score),
      .model_version = model.model_version(),
      .language = language,
      .timestamp = FormatTimestamp(now),
      .dry_run = dry_run,
      .processing_time_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - started).count()};
  ScoreResult result{.body = RenderScoreResponse(response),
                     .stored = !dry_run,
                     .replayed = false,
                     .kind = std::string(DecisionKindName(kind)),
                     .risk_level = std::string(RiskLevelName(level)),
                     .action = action,
                     .model_version = model.model_version()};
  if (dry_run) return done(std::move(result));

  std::string kept_request;
  if (req.contains("phone")) {
    json kept = req;
    kept.erase("phone");  // used for list checks; not kept
    kept_request = kept.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  AuditDocument audit{.decision_id = decision_id,
                      .kind = DecisionKindName(kind),
                      .request_id = request_id,
                      // The body is valid JSON, as parsed above.
                      .request_json = kept_request.empty() ? body : kept_request,
                      .bias = contributions.back(),
                      .margin = margin,
                      .event_id = moment.event_id,
                      .challenger = std::nullopt,
                      .response_json = result.body};
  if (serving->challenger != nullptr && InShadowShare(subject, options_.challenger_share)) {
    const ScoringModel& challenger = *serving->challenger;
    const double shadow_score =
        challenger.Probability(challenger.forest().PredictMargin(moment.features.data()));
    const RiskLevel shadow_level = options_.policy.Level(kind, shadow_score);
    audit.challenger =
        ShadowAnswer{.model_version = challenger.model_version(),
                     .risk_score = shadow_score,
                     .risk_level = RiskLevelName(shadow_level),
                     .action = std::string(options_.policy.Action(kind, shadow_level, cod))};
    // Compared with the model's own action: a list override is not the model's.
    result.challenger_agrees = audit.challenger->action == options_.policy.Action(kind, level, cod);
  }

  DecisionRecord record;
  record.decision_id = decision_id;
  record.subject_id = subject;
  record.kind = std::string(DecisionKindName(kind));
  record.at = now;
  record.customer_id = moment.raw.customer_id;
  record.model_version = model.model_version();
  record.risk_score = score;
  record.risk_level = result.risk_level;
  record.action = action;
  record.request_id = std::string(request_id);
  record.document = RenderAuditDocument(audit);
  record.features = moment.features;
  record.contributions.assign(contributions.begin(), contributions.end() - 1);
  // Narrated after the answer, once durable: the score never waits for an LLM.
  std::optional<NarrationRequest> narration;
  if (options_.narrator != nullptr && options_.narrator->enabled()) {
    narration = NarrationRequest{
        .kind = kind,
        .level = level,
        .action = action,
        .score = score,
        .factors = std::vector<Factor>(
            factors.begin(), factors.begin() + std::min(options_.top_factors, factors.size())),
        .explanation = response.explanation,
        .language = language,
        .model_version = model.model_version()};
  }
  // Offered to the similar-case index once durable (its bias term left out).
  CaseRecord case_record{decision_id, subject, now, static_cast<float>(score), action};
  std::vector<float> shap(contributions.begin(), contributions.end() - 1);
  WriteBatch batch;
  batch.events.push_back({moment.event_id, std::string(EventTypeName(moment.raw.type)),
                          moment.raw.at, EncodeEvent(moment.event_id, moment.raw)});
  batch.decisions.push_back(std::move(record));
  reservation->Submit(
      std::move(batch),
      [this, kind, decision_id, narration = std::move(narration),
       case_record = std::move(case_record), shap = std::move(shap), result = std::move(result),
       done = std::move(done)](StatusOr<WriteResult> written) mutable {
        if (!written.ok()) return done(written.status());
        if (similar_ != nullptr) {
          similar_->Offer(kind, std::move(case_record), std::move(shap));
        }
        if (narration.has_value()) Narrate(std::move(*narration), decision_id);
        done(std::move(result));
      });
}

// An event already recorded, or on its way to the store, must not change
// the live state a second time: a replay would not repeat it. Each id is
// claimed first (pending_events_, until its write is done), then looked up
// in the store. An id that another request recorded was committed before
// that request let go of its claim, so the look-up sees it: none slips
// between the two. Neither holds engine_mu_, which scoring needs: looking
// up 500 lines takes milliseconds.
StatusOr<std::vector<bool>> RiskService::ClaimNewEvents(std::span<const std::string> event_ids) {
  std::vector<bool> fresh(event_ids.size(), false);
  std::vector<std::string> claimed;
  {
    absl::MutexLock pending(&pending_events_mu_);
    for (size_t i = 0; i < event_ids.size(); ++i) {
      fresh[i] = pending_events_.insert(event_ids[i]).second;
      if (fresh[i]) claimed.push_back(event_ids[i]);
    }
  }
  StatusOr<std::vector<bool>> known = store_->KnownEvents(claimed);
  if (!known.ok()) {
    ReleaseEvents(claimed);
    return known.status();
  }
  std::vector<std::string> recorded;
  for (size_t i = 0, c = 0; i < event_ids.size(); ++i) {
    if (!fresh[i]) continue;
    if ((*known)[c++]) {
      fresh[i] = false;
      recorded.push_back(event_ids[i]);
    }
  }
  ReleaseEvents(recorded);
  return fresh;
}

void RiskService::ReleaseEvents(std::span<const std::string> event_ids) {
  absl::MutexLock pending(&pending_events_mu_);
  for (const std::string& id : event_ids) pending_events_.erase(id);
}

bool RiskService::IngestWaitsForCommits(std::string_view body, bool ndjson) {
  if (!ndjson) return false;
  size_t lines = 0;
  for (size_t at = body.find('\n'); at != std::string_view::npos; at = body.find('\n', at + 1)) {
    if (++lines >= kEventsPerCommit) return true;
  }
  return false;
}

void RiskService::Ingest(std::string_view body, bool ndjson, IngestDone done) {
  const Timestamp now = NowSeconds();
  std::vector<DecodedEvent> good;
  json rejected = json::array();
  auto reject = [&rejected](int64_t line, const Status& status) {
    json r = {{"line", line}, {"error", std::string(status.message())}};
    if (auto field = FieldOf(status)) r["field"] = *field;
    rejected.push_back(std::move(r));
  };
  auto decode = [&](int64_t line, std::string_view text) {
    json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) return reject(line, absl::InvalidArgumentError("not valid JSON"));
    auto decoded = DecodeEvent(object, now);
    if (!decoded.ok()) return reject(line, decoded.status());
    good.push_back(std::move(*decoded));
  };
  if (ndjson) {
    ForEachNdjsonLine(body, decode);
  } else {
    json object = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded())
      return done(absl::InvalidArgumentError("the body is not valid JSON"));
    auto decoded = DecodeEvent(object, now);
    if (!decoded.ok()) return done(decoded.status());
    good.push_back(std::move(*decoded));
  }

  IngestResult result;
  result.rejected = static_cast<int64_t>(rejected.size());
  // kEventsPerCommit lines at a time, each part once the one before is
  // durable, so that scoring requests queue behind one part's commit and not
  // the whole body's. A part that fails ends the request with its error;
  // the parts before it are recorded, and count as duplicates when the
  // client sends the body again.
  std::span<DecodedEvent> rest(good);
  while (rest.size() > kEventsPerCommit) {
    absl::Notification written;
    Status status;
    StoreEvents(rest.first(kEventsPerCommit), &result, [&](Status s) {
      status = std::move(s);
      written.Notify();
    });
    written.WaitForNotification();
    if (!status.ok()) return done(status);
    rest = rest.subspan(kEventsPerCommit);
  }
  auto last = std::make_shared<IngestResult>(result);
  StoreEvents(rest, last.get(),
              [last, rejected = std::move(rejected), done = std::move(done)](Status s) mutable {
                if (!s.ok()) return done(s);
                json body = {{"accepted", last->accepted},
                             {"duplicates", last->duplicates},
                             {"rejected", std::move(rejected)}};
                last->body = body.dump();
                done(std::move(*last));
              });
}

void RiskService::StoreEvents(std::span<const DecodedEvent> events, IngestResult* result,
                              std::function<void(Status)> done) {
  std::vector<std::string> event_ids;
  event_ids.reserve(events.size());
  for (const DecodedEvent& e : events) event_ids.push_back(e.event_id);
  StatusOr<std::vector<bool>> fresh = ClaimNewEvents(event_ids);
  if (!fresh.ok()) return done(fresh.status());
  WriteBatch batch;
  std::vector<std::string> claimed;
  for (size_t i = 0; i < events.size(); ++i) {
    if ((*fresh)[i]) claimed.push_back(std::move(event_ids[i]));
  }
  result->duplicates += static_cast<int64_t>(events.size() - claimed.size());
  absl::MutexLock lock(&engine_mu_);
  for (size_t i = 0; i < events.size(); ++i) {
    if (!(*fresh)[i]) continue;
    const DecodedEvent& e = events[i];
    engine_.Ingest(e.event, nullptr);
    batch.events.push_back({e.event_id, std::string(EventTypeName(e.event.type)), e.event.at,
                            EncodeEvent(e.event_id, e.event)});
  }
  // Submitted under the lock: the log keeps the order the state saw.
  store_->Submit(std::move(batch), [this, claimed = std::move(claimed), result,
                                    done = std::move(done)](StatusOr<WriteResult> written) {
    ReleaseEvents(claimed);
    if (!written.ok()) return done(written.status());
    for (bool is_new : written->event_was_new) (is_new ? result->accepted : result->duplicates)++;
    done(absl::OkStatus());
  });
}

namespace {

// A float as the double its shortest decimal form denotes: 0.1f prints as
// 0.1, not as the double 0.10000000149011612.
double ShortestDouble(float v) {
  if (!std::isfinite(v)) return std::numeric_limits<double>::quiet_NaN();
  const std::string text = fmt::format("{}", v);
  return std::strtod(text.c_str(), nullptr);
}

// The stored feature vector and SHAP values as the API shows them: features
// by name, and every factor by decreasing |contribution|. Records from before
// they were kept apart have both in the document already.
void AddFeaturesAndFactors(const DecisionRecord& record, json* document) {
  const DecisionKind kind = record.kind == "return" ? DecisionKind::kReturn : DecisionKind::kOrder;
  const auto specs = FeatureSpecs(kind);
  if (record.features.size() != specs.size() || record.contributions.size() != specs.size()) {
    return;
  }
  json features = json::object();
  std::vector<size_t> order(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    features[std::string(specs[i].name)] = Number(ShortestDouble(record.features[i]));
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::abs(record.contributions[a]) > std::abs(record.contributions[b]);
  });
  json factors = json::array();
  for (size_t i : order) {
    factors.push_back(
        {{"feature", specs[i].name}, {"contribution", Number(record.contributions[i])}});
  }
  (*document)["features"] = std::move(features);
  (*document)["all_factors"] = std::move(factors);
}

}  // namespace

void RiskService::RenderExplanation(const DecisionRecord& record, std::string_view language,
                                    json* document) const {
  json& response = (*document)["response"];
  if (!response.is_object() || (record.kind != "order" && record.kind != "return")) return;
  const DecisionKind kind = record.kind == "order" ? DecisionKind::kOrder : DecisionKind::kReturn;
  const size_t n = FeatureSpecs(kind).size();
  if (record.features.size() != n || record.contributions.size() != n) return;
  std::optional<RiskLevel> level;
  for (RiskLevel l :
       {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh, RiskLevel::kCritical}) {
    if (RiskLevelName(l) == record.risk_level) level = l;
  }
  if (!level) return;
  const std::vector<double> contributions(record.contributions.begin(), record.contributions.end());
  const std::vector<Factor> factors = FactorsByContribution(kind, record.features, contributions);
  Explanation e = templates_.Explain(kind, language, *level, record.action, factors,
                                     record.features, options_.top_factors);
  // As when it was scored: a list's decision speaks for the list.
  if (auto o = response.find("override"); o != response.end() && o->is_object()) {
    const std::string list = o->value("list", ""), field = o->value("field", "");
    e.recommendation = templates_.Recommendation(kind, language, record.action);
    e.summary = templates_.Summary(kind, language,
                                   list == "block" ? RiskLevel::kCritical : RiskLevel::kLow);
    e.key_factors.insert(e.key_factors.begin(),
                         templates_.ListOverride(language, list, field, o->value("reason", "")));
  }
  response["explanation"] = {
      {"summary", e.summary}, {"key_factors", e.key_factors}, {"recommendation", e.recommendation}};
  response["language"] = std::string(language);
}

StatusOr<std::string> RiskService::Decision(std::string_view id, std::string_view language) const {
  ASSIGN_OR_RETURN(auto record, store_->FindDecision(id));
  if (!record.has_value()) return absl::NotFoundError(fmt::format("no decision for '{}'", id));
  json document = json::parse(record->document, nullptr, false);
  if (!document.is_object()) return absl::DataLossError("the stored decision is not JSON");
  if (!language.empty()) RenderExplanation(*record, NegotiateLanguage(language), &document);
  document["at"] = FormatTimestamp(record->at);
  AddFeaturesAndFactors(*record, &document);
  if (!record->narration.empty()) {
    document["narration"] = {{"text", record->narration}, {"source", record->narration_source}};
  }
  ASSIGN_OR_RETURN(const std::vector<DecisionLabelRecord> labels,
                   store_->DecisionLabels(record->decision_id));
  json& list = document["labels"] = json::array();
  for (const DecisionLabelRecord& label : labels) list.push_back(DecisionLabelJson(label));
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

json DecisionLabelJson(const DecisionLabelRecord& label) {
  return {{"label_id", label.label_id},
          {"decision_id", label.decision_id},
          {"label", label.label},
          {"note", label.note},
          {"by", {{"key_id", label.by_key_id}, {"name", label.by_name}}},
          {"at", FormatTimestamp(label.at)},
          {"event_id", label.event_id}};
}

void RiskService::Label(std::string_view id, DecisionLabelRecord label, LabelDone done) {
  if (label.label != "abuse" && label.label != "fraud" && label.label != "genuine") {
    return done(FieldError("label", "must be abuse, fraud or genuine"));
  }
  auto found = store_->FindDecision(id);
  if (!found.ok()) return done(found.status());
  if (!found->has_value())
    return done(absl::NotFoundError(fmt::format("no decision for '{}'", id)));
  const DecisionRecord& decision = **found;
  const bool is_order = decision.kind == "order";
  if (!is_order && decision.kind != "return") {
    return done(absl::FailedPreconditionError(
        fmt::format("decisions about {}s cannot be labelled: the event log has no label for them",
                    decision.kind)));
  }
  const Timestamp now = NowSeconds();
  label.decision_id = decision.decision_id;
  label.subject_id = decision.subject_id;
  label.kind = decision.kind;
  label.at = now;
  RawEvent raw{.at = now, .type = EventType::kLabel};
  raw.label_target = is_order ? LabelTarget::kOrder : LabelTarget::kReturn;
  (is_order ? raw.order_id : raw.return_id) = decision.subject_id;
  raw.label = label.label == "genuine" ? 0 : 1;
  // A fresh id: a later label on the same subject (a correction) is an
  // event of its own, not a duplicate of the first.
  const uint64_t counter = decision_counter_.fetch_add(1, std::memory_order_relaxed);
  const std::string event_id = fmt::format("label:{}:{:x}{:06x}{:08x}", decision.decision_id, now,
                                           decision_prefix_, counter);
  EventRecord event{event_id, std::string(EventTypeName(raw.type)), now,
                    EncodeEvent(event_id, raw)};
  auto shared_done = std::make_shared<LabelDone>(std::move(done));
  Status queued;
  {
    // Queued before the state changes, under the state's lock: the log
    // keeps the state's order, and a refusal leaves the state as the log has it.
    absl::MutexLock lock(&engine_mu_);
    queued = store_->SubmitDecisionLabel(
        std::move(label), std::move(event),
        [shared_done](StatusOr<DecisionLabelRecord> stored) { (*shared_done)(std::move(stored)); });
    if (queued.ok()) engine_.Ingest(raw, nullptr);
  }
  if (!queued.ok()) (*shared_done)(queued);
}

void RiskService::Narrate(NarrationRequest request, const std::string& decision_id) {
  options_.narrator->NarrateAsync(
      std::move(request), [store = store_, decision_id](Narration narration) {
        // A fallback adds nothing: the template text is already stored.
        if (narration.source != NarrationSource::kLlm) return;
        (void)store->AttachNarration(decision_id, narration.text, "llm");
      });
}

json RiskService::OutcomeOf(DecisionKind kind, const std::string& subject) const {
  absl::MutexLock lock(&engine_mu_);
  const Catalog& catalog = engine_.catalog();
  if (kind == DecisionKind::kOrder) {
    const OrderState* order = engine_.FindOrder(catalog.Find(Entity::kOrder, subject));
    if (order == nullptr || !order->known()) return {{"status", "unknown"}, {"label", nullptr}};
    switch (order->status) {
      case OrderStatus::kDelivered:
        return {{"status", "delivered"}, {"label", 0}};
      case OrderStatus::kRto:
        return {{"status", "rto"}, {"label", 1}};
      case OrderStatus::kCancelled:
        return {{"status", "cancelled"}, {"label", nullptr}};
      case OrderStatus::kPlaced:
        break;
    }
    return {{"status", "placed"}, {"label", nullptr}};
  }
  const ReturnState* ret = engine_.FindReturn(catalog.Find(Entity::kReturn, subject));
  if (ret == nullptr || !ret->known) return {{"status", "unknown"}, {"label", nullptr}};
  if (ret->labelled_abuse) return {{"status", "labelled_abuse"}, {"label", 1}};
  if (ret->qc_failed) return {{"status", "qc_failed"}, {"label", 1}};
  return {{"status", "requested"}, {"label", nullptr}};
}

StatusOr<std::string> RiskService::SimilarDecisions(std::string_view id, size_t k) const {
  if (similar_ == nullptr) {
    return absl::UnavailableError("similar cases are turned off ([similar] capacity = 0)");
  }
  ASSIGN_OR_RETURN(auto record, store_->FindDecision(id));
  if (!record.has_value()) return absl::NotFoundError(fmt::format("no decision for '{}'", id));
  const DecisionKind kind = record->kind == "return" ? DecisionKind::kReturn : DecisionKind::kOrder;
  if (record->kind != "order" && record->kind != "return") {
    return absl::FailedPreconditionError(
        fmt::format("similar cases cover orders and returns, not {}", record->kind));
  }
  ASSIGN_OR_RETURN(std::vector<float> vector, SimilarCases::VectorOfDecision(kind, *record));
  ASSIGN_OR_RETURN(std::vector<SimilarCase> cases,
                   similar_->Similar(kind, record->decision_id, vector, k));
  json list = json::array();
  const char* subject_key = kind == DecisionKind::kOrder ? "order_id" : "return_id";
  for (const SimilarCase& c : cases) {
    list.push_back({{"decision_id", c.record.decision_id},
                    {subject_key, c.record.subject_id},
                    {"at", FormatTimestamp(c.record.at)},
                    {"risk_score", Round(c.record.risk_score, 1e6)},
                    {"recommended_action", c.record.action},
                    {"distance", Round(c.distance, 1e6)},
                    {"outcome", OutcomeOf(kind, c.record.subject_id)}});
  }
  json body = {{"decision_id", record->decision_id},
               {subject_key, record->subject_id},
               {"kind", record->kind},
               {"similar", std::move(list)}};
  return body.dump();
}

StatusOr<std::string> RiskService::Customer(std::string_view id) const {
  std::vector<float> features(kOrderVectorSize);
  const Timestamp now = NowSeconds();
  {
    absl::MutexLock lock(&engine_mu_);
    const uint32_t customer = engine_.catalog().Find(Entity::kCustomer, id);
    if (customer == kNoId || engine_.FindCustomer(customer) == nullptr) {
      return absl::NotFoundError(fmt::format("no customer '{}'", id));
    }
    Event probe{.at = now, .type = EventType::kOrderPlaced};
    probe.customer = customer;
    engine_.OrderFeatures(probe, features);
  }
  json profile = {{"customer_id", id}, {"as_of", FormatTimestamp(now)}};
  json values = json::object();
  const auto specs = FeatureSpecs(DecisionKind::kOrder);
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string_view name = specs[i].name;
    if (name.substr(0, 9) != "customer_") continue;  // the rest describe an order
    values[std::string(name)] = Number(features[i]);
  }
  profile["features"] = std::move(values);
  return profile.dump();
}

}  // namespace vigil
