// RiskService: the real-time risk engine behind `vigil serve`, independent of
// HTTP. It owns the live feature state (the same FeatureEngine that builds
// training rows), the production models with their TreeSHAP explainers, the
// explanation templates and the policy, and writes every accepted event and
// every decision to the Store.
//
// Durability and order. Scoring an order or a return applies its event to
// the feature state and queues the event for the store under one lock, so
// the event log's order is exactly the order in which the state saw events;
// a restart replays the log in that order and rebuilds the same state. The
// decision (score, SHAP factors, sentences) is computed outside the lock and
// queued after its event; the caller's callback runs once both are durable.
// Nothing is acknowledged before it is on disk.
//
// Thread-safe: every method may be called from any thread. Callbacks run on
// the store's writer thread (or the caller's, on early errors) and must be
// quick.
#ifndef VIGIL_SERVICE_RISK_SERVICE_H_
#define VIGIL_SERVICE_RISK_SERVICE_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "data/load_report.h"
#include "decision/policy.h"
#include "explain/explanation_templates.h"
#include "features/feature_engine.h"
#include "model/scoring_model.h"
#include "model/tree_shap.h"
#include "narrate/narrator.h"
#include "nlohmann/json.hpp"
#include "service/decision_lists.h"
#include "service/event_json.h"
#include "service/score_response.h"
#include "service/similar_cases.h"
#include "store/store.h"

namespace vigil {

struct RiskServiceOptions {
  std::string models_dir;  // the registry; its production versions serve
  Policy policy;
  size_t top_factors = 5;  // factors and sentences in a response
  // external/festivals.csv's format; the calendar the order features use.
  // Empty: no festivals (every "days to festival" feature is missing).
  std::string festivals_path;
  // Champion/challenger: a registry version per kind ("v4"; "" for none)
  // scored in shadow on `challenger_share` of the decisions (chosen by a
  // hash of the order or return id, so a replay picks the same ones) and
  // recorded in the decision's audit document beside the champion's answer.
  std::array<std::string, 2> challenger_versions;  // order, return
  double challenger_share = 0.0;
  // Narrates each stored decision after the answer, attaching the text to
  // the decision (GET /v1/decisions/{id} shows it); null: off.
  std::shared_ptr<Narrator> narrator;
  // The similar-case indexes; capacity 0 turns them off.
  SimilarCasesOptions similar;
  // Called every so many events while the log is replayed at start.
  std::function<void(int64_t events)> replay_progress;
  // Runs the store read that answers a replayed order or return (its stored
  // decision) away from the scoring caller's thread, e.g. on a worker pool,
  // so an I/O thread never waits for a reader connection that dashboard
  // queries hold. false: it could not take the work, and the read runs on
  // the caller's thread, as it does when this is null.
  std::function<bool(std::function<void()>)> offload_read;
};

// A production model ready to serve: the evaluator and its explainer.
struct ServingModel {
  std::shared_ptr<const ScoringModel> model;
  std::unique_ptr<const TreeShap> shap;
  std::shared_ptr<const ScoringModel> challenger;  // may be null
};

// What a score call answers: the response body and how it was produced.
struct ScoreResult {
  std::string body;       // the JSON response (DESIGN.md's shape)
  bool stored = false;    // false for dry runs
  bool replayed = false;  // an earlier decision for the same id, returned again
  std::string kind, risk_level, action, model_version;
  // Set when a challenger scored in shadow: whether it chose the same action.
  std::optional<bool> challenger_agrees;
};

// Every feature of `kind` as a factor (name, value, SHAP contribution),
// largest |contribution| first, ties in feature order. `contributions` has
// one value per feature (a trailing bias term is ignored).
std::vector<Factor> FactorsByContribution(DecisionKind kind, std::span<const float> features,
                                          std::span<const double> contributions);

// A payment scored by ScoreTransaction.
struct TransactionScore {
  double risk_score = 0;
  std::string risk_level;
  std::string action;  // the policy's, or the list's when one matched
  std::string model_version;
  std::optional<ListOverride> list_override;
  // {"risk_score","risk_level","action","model_version","language",
  //  "explanation":{summary,key_factors,recommendation},"factors":[...],
  //  "list_override"?}: what GET /transaction shows.
  std::string document;
};

// An order as the live feature state knows it (for the customer timeline).
struct LiveOrder {
  std::string order_id;
  Timestamp placed_at = 0;
  std::string status;          // "placed" | "delivered" | "rto" | "cancelled"
  Timestamp delivered_at = 0;  // 0 when not delivered (or not known)
  // A return of it is known. The state keeps no return id for it, so the
  // timeline can name the return only when it was scored.
  bool returned = false;
};

// A return as the live feature state knows it.
struct LiveReturn {
  std::string return_id;
  std::string order_id;
  Timestamp requested_at = 0;
  bool qc_failed = false;
  bool labelled_abuse = false;
};

// What RiskService::LabelPayment did.
struct PaymentLabelResult {
  TransactionRecord payment;              // as it is now, with the new label
  std::optional<int64_t> previous_label;  // the label it had before, if any
  bool features_updated = false;          // the live feature state has the new label
};

struct IngestResult {
  std::string body;  // {"accepted":N,"duplicates":D,"rejected":[...]}
  int64_t accepted = 0, duplicates = 0, rejected = 0;
};

// A label as the API shows it: {"label_id", "decision_id", "label", "note",
// "by": {"key_id", "name"}, "at", "event_id"}.
nlohmann::json DecisionLabelJson(const DecisionLabelRecord& label);

class RiskService {
 public:
  using ScoreDone = std::function<void(StatusOr<ScoreResult>)>;
  using IngestDone = std::function<void(StatusOr<IngestResult>)>;
  using LabelDone = std::function<void(StatusOr<DecisionLabelRecord>)>;

  // Replays the store's event log into a fresh feature state, loads the
  // production models (a kind without one answers Unavailable until a model
  // is promoted and reloaded) and the allow/block lists.
  [[nodiscard]] static StatusOr<std::unique_ptr<RiskService>> Open(RiskServiceOptions options,
                                                                   Store* store);
  ~RiskService();

  // POST /v1/orders/score and /v1/returns/score. `body` is the request JSON;
  // `accept_language` the header (the body's "language" wins). Errors:
  // InvalidArgument (malformed JSON, or a FieldError), Unavailable (no
  // model), AlreadyExists (the id was recorded without a decision).
  void Score(DecisionKind kind, std::string_view body, std::string_view accept_language,
             std::string_view request_id, ScoreDone done);

  // Scores a payment of the SMS flow: its features as of now (the card's,
  // that is the user's, and the merchant's history), the transaction model,
  // SHAP factors and sentences in `language`, the policy's action, and the
  // allow/block lists (user_id as the customer, `phone`). The payment joins
  // the feature state. Unavailable without a production transaction model.
  [[nodiscard]] StatusOr<TransactionScore> ScoreTransaction(const TransactionRecord& transaction,
                                                            std::string_view phone,
                                                            std::string_view language);
  // Adds a settled payment's outcome to the feature state: the customer
  // denied it (fraud) or confirmed it, or an analyst said so. `previous` is
  // the label it replaces (a correction), if it had one.
  void LabelTransaction(const TransactionRecord& transaction, bool fraud, Timestamp at,
                        std::optional<int64_t> previous = std::nullopt);
  // POST /v1/transactions/{id}/label: stores an analyst's label on a settled
  // payment with its audit step (Store::LabelTransaction), then applies it
  // to the feature state as LabelTransaction does; a correction replaces the
  // label the payment had (an analyst's or the customer's reply) from now
  // on. Labels of payments are stored and applied one at a time, so the
  // state ends with the label the store ends with. Returns the payment as
  // it is now. The account is not blocked: that stays the
  // customer's own "NO" or an admin's block list entry. Errors: the store's
  // (NotFound, FailedPrecondition while not settled, InvalidArgument).
  [[nodiscard]] StatusOr<PaymentLabelResult> LabelPayment(const TransactionLabel& label);

  // POST /v1/events: one JSON object, or NDJSON when `ndjson`. Bad lines are
  // rejected with their line number and error; the rest are applied and
  // written kEventsPerCommit at a time. Blocks the calling thread until all
  // but the last part are durable when IngestWaitsForCommits(body, ndjson):
  // call it for such a body from a thread that may wait.
  void Ingest(std::string_view body, bool ndjson, IngestDone done);
  static constexpr size_t kEventsPerCommit = 64;
  static bool IngestWaitsForCommits(std::string_view body, bool ndjson);

  // GET /v1/decisions/{id}: by decision id or by the order / return id,
  // with its analysts' labels ("labels", oldest first).
  // `language` ("hi", "en", or an Accept-Language value; empty: as stored)
  // renders the explanation's sentences again, in that language, from the
  // stored features and SHAP values; the narration stays as written.
  [[nodiscard]] StatusOr<std::string> Decision(std::string_view id,
                                               std::string_view language = {}) const;
  // POST /v1/decisions/{id}/label: records an analyst's label on the
  // decision `id` (a decision id, or an order or return id: its latest
  // decision). `label` brings label ("abuse" and "fraud" are the kind's
  // positive label, "genuine" its negative), note, by_key_id and by_name;
  // the rest is filled here. The label is stored (decision_labels) with a
  // `label` event (target order or return, label 1 or 0, a fresh event id)
  // in one transaction, and the event is applied to the feature state in
  // the log's order. `done` gets the stored label once both are durable.
  // Errors: NotFound (no such decision), FailedPrecondition (a payment's
  // decision: the event log has no label for payments), InvalidArgument
  // naming "label" for another word, the store's refusals.
  void Label(std::string_view id, DecisionLabelRecord label, LabelDone done);
  // GET /v1/decisions/{id}/similar: the k most similar past decisions of the
  // same kind, with how each ended as far as the feature state knows.
  // Unavailable when the indexes are off.
  [[nodiscard]] StatusOr<std::string> SimilarDecisions(std::string_view id, size_t k) const;
  // GET /v1/customers/{id}: the customer's features as of now.
  [[nodiscard]] StatusOr<std::string> Customer(std::string_view id) const;

  // The customer's orders of the last 90 days as the order features keep
  // them (at most `limit`, newest first), then those of `order_ids` not
  // among them; and the returns of `return_ids`. Ids the state does not know
  // are left out. (customer_timeline.cc)
  void LiveActivity(std::string_view customer_id, const std::vector<std::string>& order_ids,
                    const std::vector<std::string>& return_ids, size_t limit,
                    std::vector<LiveOrder>* orders, std::vector<LiveReturn>* returns) const;

  // Loads the registry's production versions again; requests in flight keep
  // the model they started with.
  Status ReloadModels();
  // The version serving `kind`, or "" without one.
  std::string ModelVersion(DecisionKind kind) const;
  // When the order features' festival calendar has its last festival (0:
  // none); past it, every order's days-to-festival is missing.
  Timestamp FestivalCalendarEnd() const;
  // What reading the calendar's file skipped, row by row (see Open).
  const std::vector<LoadIssue>& festival_issues() const { return festival_issues_; }
  // The challenger's version for `kind`, or "" without one.
  std::string ChallengerVersion(DecisionKind kind) const;

  DecisionLists& lists() { return lists_; }
  // Null when the similar-case indexes are off.
  const SimilarCases* similar() const { return similar_.get(); }
  int64_t events_replayed() const { return events_replayed_; }

 private:
  RiskService(RiskServiceOptions options, Store* store);
  Status Replay();
  // The payment flow's scored transactions, into the transaction features.
  Status ReplayTransactions();
  std::shared_ptr<const ServingModel> Serving(DecisionKind kind) const;
  // A replayed order's or return's answer: its stored decision, read from
  // the store (a reader connection; may wait for one).
  [[nodiscard]] StatusOr<ScoreResult> StoredAnswer(DecisionKind kind,
                                                   const std::string& subject) const;
  // Asks the narrator for the decision's narration, attached when it comes.
  void Narrate(NarrationRequest request, const std::string& decision_id);
  // For /v1/events: applies and submits the events not recorded yet (one
  // write); `done` runs once it is durable, after adding its counts to
  // `*result`.
  void StoreEvents(std::span<const DecodedEvent> events, IngestResult* result,
                   std::function<void(Status)> done) ABSL_LOCKS_EXCLUDED(engine_mu_);
  // fresh[i] is true when event_ids[i] is neither recorded nor claimed by a
  // request in flight (nor earlier in this list); those are now claimed by
  // the caller, who releases them once their write is done.
  StatusOr<std::vector<bool>> ClaimNewEvents(std::span<const std::string> event_ids)
      ABSL_LOCKS_EXCLUDED(pending_events_mu_);
  void ReleaseEvents(std::span<const std::string> event_ids)
      ABSL_LOCKS_EXCLUDED(pending_events_mu_);
  // Replaces the explanation in the stored answer (document["response"])
  // with its sentences in `language`.
  void RenderExplanation(const DecisionRecord& record, std::string_view language,
                         nlohmann::json* document) const;
  // How the order or return `subject` ended so far: {"status", "label"}.
  nlohmann::json OutcomeOf(DecisionKind kind, const std::string& subject) const;

  RiskServiceOptions options_;
  Store* const store_;
  ExplanationTemplates templates_;
  DecisionLists lists_;
  int64_t events_replayed_ = 0;

  // Held across storing a payment's label and applying it (LabelPayment),
  // never while scoring: a correction must reach the state after the label
  // it corrects.
  absl::Mutex payment_labels_mu_ ABSL_ACQUIRED_BEFORE(engine_mu_);
  mutable absl::Mutex engine_mu_;
  FeatureEngine engine_ ABSL_GUARDED_BY(engine_mu_);

  mutable absl::Mutex models_mu_;
  // By DecisionKind: order, return, transaction.
  std::array<std::shared_ptr<const ServingModel>, 3> models_ ABSL_GUARDED_BY(models_mu_);

  // Event ids claimed by /v1/events requests whose writes are not done.
  absl::Mutex pending_events_mu_ ABSL_ACQUIRED_AFTER(engine_mu_);
  absl::flat_hash_set<std::string> pending_events_ ABSL_GUARDED_BY(pending_events_mu_);

  std::unique_ptr<SimilarCases> similar_;

  std::atomic<uint64_t> decision_counter_{0};
  const uint64_t decision_prefix_;
  std::vector<LoadIssue> festival_issues_;  // set by Open
};

}  // namespace vigil

#endif  // VIGIL_SERVICE_RISK_SERVICE_H_
