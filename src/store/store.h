// Store: Vigil's durable state behind one interface — the event log,
// decisions (with optional narration), allow/block lists, API key hashes,
// feature-state snapshots and decision retention. SqliteStore
// (sqlite_store.h) is the embedded implementation; a PostgreSQL backend will
// implement the same contract (docs/store.md).
//
// Writes of events and decisions are asynchronous and group-committed:
// Submit never blocks on disk, and `done` runs once the batch is durable.
// Thread-safety: every method of a Store may be called from any thread
// concurrently. `done` callbacks run on the writer thread: they must not call
// Write (it would wait for itself) and the other blocking writes (Put*,
// Remove*, Revoke*, AttachNarration, ArchiveDecisions) return
// FailedPrecondition there instead of deadlocking.
#ifndef VIGIL_STORE_STORE_H_
#define VIGIL_STORE_STORE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace vigil {

// One ingested event. `event_id` is the idempotency key (non-empty).
struct EventRecord {
  std::string event_id;
  std::string type;  // "order.placed", "return.requested", ...
  Timestamp at = 0;
  std::string payload;  // opaque bytes (JSON or binary) chosen by the caller
};

// One scoring decision; immutable once written, except for its narration.
struct DecisionRecord {
  std::string decision_id;  // e.g. "dec_...", assigned by the caller, non-empty
  std::string subject_id;   // the order_id / return_id / transaction_id it answered
  std::string kind;         // "order" | "return" | "transaction"
  Timestamp at = 0;         // decision time
  std::string customer_id;
  std::string model_version;
  double risk_score = 0;
  std::string risk_level;
  std::string action;
  std::string request_id;
  std::string document;  // the JSON decision (request, response, challenger, ...)
  // The model's input and its exact SHAP values, one each per feature in the
  // model's feature order (the bias term is in the document). Kept as packed
  // floats beside the document, not in it: they are most of a decision's
  // bytes, and a decision is written on every scored request. Empty in
  // records written before schema version 3 (their document has them).
  std::vector<float> features;
  std::vector<double> contributions;
  // Set by AttachNarration, empty until then; ignored by Submit.
  std::string narration;
  std::string narration_source;  // e.g. "llm:gpt-4o-mini", "template"

  friend bool operator==(const DecisionRecord&, const DecisionRecord&) = default;
};

struct ListEntry {
  std::string list;   // "allow" | "block"
  std::string field;  // "customer" | "device" | "pincode" | "phone"
  std::string value;
  std::string reason;
  Timestamp added_at = 0;
  std::string added_by;

  friend bool operator==(const ListEntry&, const ListEntry&) = default;
};

// A customer account of the payment flow (the second seed's Accounts table):
// whom to text about a payment, in which language, and whether they may be.
struct AccountRecord {
  std::string user_id;
  std::string name;
  std::string phone;  // E.164, checked by the caller
  bool sms_opt_out = false;
  std::string status = "active";  // "active" | "blocked"
  std::string language = "en";    // of the messages: "en" | "hi"
  Timestamp created_at = 0;       // kept when the account is updated
  Timestamp updated_at = 0;

  friend bool operator==(const AccountRecord&, const AccountRecord&) = default;
};

// An SMS received through the Twilio webhook, kept once per MessageSid (Twilio
// retries a webhook that failed) with the answer it got, so a retry gets the
// same answer and changes nothing twice.
struct InboundSmsRecord {
  std::string message_sid;
  std::string from_phone;  // E.164 as Twilio sent it
  std::string body;
  Timestamp received_at = 0;
  std::string outcome;  // e.g. "opt_out", "help", "no_pending"
  std::string answer;   // the TwiML document sent back

  friend bool operator==(const InboundSmsRecord&, const InboundSmsRecord&) = default;
};

// One step of a transaction's history.
struct TransactionTransition {
  std::string status;
  Timestamp at = 0;
  std::string reason;
  // Set on an analyst's label (Store::LabelTransaction), "" otherwise: the
  // label ("fraud" | "genuine"), who gave it (API key id and name) and why.
  std::string label;
  std::string by_key_id;
  std::string by_name;
  std::string note;

  friend bool operator==(const TransactionTransition&, const TransactionTransition&) = default;
};

// A payment of the second seed's flow: received, then scored, then approved,
// or sent for SMS verification and settled by the reply (issue 5).
struct TransactionRecord {
  std::string transaction_id;
  std::string user_id;
  double amount = 0;
  std::string currency = "INR";
  std::string merchant;
  std::string location;
  Timestamp created_at = 0;   // when the payment was made, as the client says
  Timestamp received_at = 0;  // when it was stored
  std::string status = "received";
  Timestamp updated_at = 0;
  // Set when it is scored: the probability, and the decision document
  // (risk_level, action, model_version, explanation, factors) as JSON.
  std::optional<double> risk_score;
  std::string decision;
  std::string phone;          // where its verification SMS went (E.164), "" when none
  std::string user_response;  // the customer's reply that settled it
  Timestamp user_response_at = 0;
  bool reprompted = false;       // an unclear reply was answered with the question again
  std::optional<int64_t> label;  // 1 fraud (customer denied), 0 genuine (confirmed)

  friend bool operator==(const TransactionRecord&, const TransactionRecord&) = default;
};

// When a payment's label became known, for features that may count it only
// from then on: the customer's reply that settled it, else its last update
// (an analyst's label, or an imported row's `labeled_at`), never before the
// payment itself.
inline Timestamp LabelKnownAt(const TransactionRecord& t) {
  return std::max(t.user_response_at > 0 ? t.user_response_at : t.updated_at, t.created_at);
}

// An analyst's label on a payment (POST /v1/transactions/{id}/label).
struct TransactionLabel {
  std::string transaction_id;
  int64_t label = 0;  // 1 fraud, 0 genuine
  std::string note;
  std::string by_key_id;  // the API key that labelled
  std::string by_name;    // that key's name at the time
  Timestamp at = 0;
};

// Work still to do for a transaction (the seed's stream): the payment-flow
// worker takes due items in order and removes each in the same store
// transaction as the step's effects, so a crash repeats a step, never skips
// one.
struct OutboxItem {
  int64_t seq = 0;
  std::string step;        // "score_transaction" | "send_sms" | "expire_verification"
  std::string subject_id;  // the transaction_id
  Timestamp due_at = 0;
  int64_t attempts = 0;  // failed attempts so far
  std::string last_error;

  friend bool operator==(const OutboxItem&, const OutboxItem&) = default;
};

// A verification SMS. Its key is recorded before the first attempt to send,
// and the status says how far it got: "pending" (never attempted),
// "sending" (an attempt started and its outcome is unknown: reconcile with
// the provider before trying again), "cancelled", "failed", or the
// provider's own status once it accepted it ("queued", "sent", "delivered",
// "undelivered", ... or "logged" for the log sender).
struct OutboundSms {
  std::string message_key;  // idempotency key, one per verification message
  std::string transaction_id;
  std::string to_phone;  // E.164
  std::string body;
  std::string status = "pending";
  std::string sender;  // "twilio" | "log", once sent
  std::string message_sid;
  int64_t attempts = 0;
  Timestamp created_at = 0;
  Timestamp attempt_at = 0;  // when the latest attempt started; 0 before the first
  Timestamp sent_at = 0;     // when the provider accepted it; 0 before
  Timestamp updated_at = 0;
  std::string error;  // the provider's error object (JSON) or our message

  friend bool operator==(const OutboundSms&, const OutboundSms&) = default;
};

// A change to an OutboundSms: empty strings and zero times keep the stored
// value.
struct SmsUpdate {
  std::string message_key;
  std::string status;
  std::string sender;
  std::string message_sid;
  Timestamp sent_at = 0;
  std::string error;
  bool new_attempt = false;  // attempts + 1 and attempt_at = the step's time
};

// One step of the payment flow, applied atomically by ApplyTransactionStep.
struct TransactionStep {
  std::string transaction_id;
  Timestamp at = 0;
  // The step applies only while the transaction's status is one of these
  // (any status when empty); otherwise only `done_work` is removed.
  std::vector<std::string> expected_statuses;
  // Appended to the history; the last one's status becomes the transaction's.
  std::vector<TransactionTransition> transitions;
  std::optional<double> risk_score;
  std::optional<std::string> decision;
  std::optional<std::string> phone;
  std::optional<std::string> user_response;  // recorded with `at`
  std::optional<bool> reprompted;
  std::optional<int64_t> label;
  bool block_account = false;  // the transaction's user's account becomes blocked
  std::optional<OutboundSms> new_sms;
  std::optional<SmsUpdate> sms_update;
  std::vector<OutboxItem> new_work;  // their seq is ignored
  std::optional<int64_t> done_work;  // this outbox item is removed in any case
  // Outbox items of this transaction with these steps are removed (when the
  // step applies), e.g. the expiry of a verification that was answered.
  std::vector<std::string> cancel_steps;
};

// An API key as stored: only the hash of the secret, never the secret.
struct ApiKeyRecord {
  std::string key_id;
  std::string name;
  std::string role;  // "scorer" | "analyst" | "admin" (not checked by the store)
  std::string key_hash;
  Timestamp created_at = 0;
  std::optional<Timestamp> revoked_at;

  friend bool operator==(const ApiKeyRecord&, const ApiKeyRecord&) = default;
};

// A dashboard session (docs/dashboard.md, "Sessions"): a sign-in with an API
// key. Only the SHA-256 of the session's token is stored, never the token.
struct SessionRecord {
  std::string token_hash;  // lower-case hex SHA-256 of the cookie's token
  std::string key_id;      // the API key it was opened with
  std::string role;        // that key's role when the session began
  std::string csrf_token;  // sent back in X-CSRF-Token by state-changing requests
  Timestamp created_at = 0;
  Timestamp expires_at = 0;
  std::optional<Timestamp> revoked_at;

  friend bool operator==(const SessionRecord&, const SessionRecord&) = default;
};

// A session as found, with its API key as stored now (nullopt when the key
// is not in the store), so one read tells whether both are still live.
struct SessionAndKey {
  SessionRecord session;
  std::optional<ApiKeyRecord> key;
};

// One durable unit: any mix of events and decisions, committed atomically
// and in Submit order relative to every other batch.
struct WriteBatch {
  std::vector<EventRecord> events;
  std::vector<DecisionRecord> decisions;
};

struct WriteResult {
  // Per events[i]: false when an event with its event_id already existed
  // (or came earlier in the same batch); such an event is not written again.
  std::vector<bool> event_was_new;
};

// Counters for /metrics; all monotonic except the depth and last_* values.
struct StoreStats {
  // A write unit is a Submit batch or one of the store's own small writes
  // (lists, keys, narration, snapshot chunks, archive deletes).
  int64_t queue_depth = 0;         // write units waiting for the writer
  int64_t commits = 0;             // transactions committed (one fsync each)
  int64_t batches = 0;             // Submit batches committed
  int64_t failed_batches = 0;      // Submit batches rejected, refused or lost to a failed commit
  int64_t last_group_size = 0;     // write units in the last transaction
  int64_t last_commit_micros = 0;  // BEGIN to durable COMMIT of the last transaction
  int64_t max_commit_micros = 0;
  int64_t total_commit_micros = 0;
  int64_t checkpoints = 0;  // WAL checkpoints run (the writer's or the background thread's)
};

// ---- The dashboard's data (docs/dashboard.md "Data routes") ----

// An analyst's label on a decision (decision_labels), with the id of the
// `label` event that carried it into the event log.
struct DecisionLabelRecord {
  int64_t label_id = 0;  // assigned by the store; later labels have larger ids
  std::string decision_id;
  std::string subject_id;  // the decision's order, return or transaction id
  std::string kind;        // the decision's kind
  std::string label;       // "abuse" | "fraud" | "genuine" (not checked by the store)
  std::string note;
  std::string by_key_id;  // the API key that labelled
  std::string by_name;    // that key's name at the time
  Timestamp at = 0;
  std::string event_id;

  friend bool operator==(const DecisionLabelRecord&, const DecisionLabelRecord&) = default;
};

// A decision as lists show it: its columns, without the document.
struct DecisionSummary {
  std::string decision_id;
  std::string kind;
  std::string subject_id;
  std::string customer_id;
  Timestamp at = 0;
  double risk_score = 0;
  std::string risk_level;
  std::string action;
  std::string model_version;
  std::optional<DecisionLabelRecord> label;  // the latest label, if any
};

// A place in a sorted list of decisions: the sort key (`at` or the risk
// score) and the decision's seq, which breaks ties.
struct DecisionPosition {
  double key = 0;
  int64_t seq = 0;

  friend bool operator==(const DecisionPosition&, const DecisionPosition&) = default;
};

// The actions a reviewer must see (the partial index decisions_for_review).
inline constexpr const char* kReviewActions[] = {"manual_review", "block", "deny", "decline",
                                                 "step_up_authentication"};

struct DecisionQuery {
  bool queue = false;  // only decisions whose action is one of kReviewActions
  std::string kind, action, risk_level, customer_id;  // "" matches any
  std::optional<bool> labelled;    // false: no label yet (what is left to review); true: labelled
  std::optional<Timestamp> from;   // at >= from
  std::optional<Timestamp> until;  // at < until
  bool by_score = false;           // sort by risk_score instead of at; seq breaks ties
  bool ascending = false;          // newest (or highest) first by default
  int64_t limit = 50;
  std::optional<DecisionPosition> after;  // the page starts after this place
};

struct DecisionPage {
  std::vector<DecisionSummary> decisions;
  // The place of the last decision when more may follow; nullopt at the end.
  std::optional<DecisionPosition> next;
};

// A payment as the list shows it, with the status of its latest
// verification SMS ("" when none was sent).
struct TransactionSummary {
  TransactionRecord transaction;
  std::string sms_status;
};

// A place in the list of payments, newest first: received_at, then
// transaction_id (descending) among payments received in the same second.
struct TransactionPosition {
  Timestamp received_at = 0;
  std::string transaction_id;

  friend bool operator==(const TransactionPosition&, const TransactionPosition&) = default;
};

struct TransactionQuery {
  std::string status;  // "" matches any but "historical" (imported, never through the flow)
  int64_t limit = 50;
  std::optional<TransactionPosition> after;
};

struct TransactionPage {
  std::vector<TransactionSummary> transactions;
  std::optional<TransactionPosition> next;  // as DecisionPage::next
};

// How many decisions of one kind fell in one time bucket with one level,
// action and score bin (20 bins of 0.05: bin 19 holds [0.95, 1]). Scored
// payments count as decisions of kind "transaction".
struct DecisionCount {
  std::string kind;
  int64_t bucket = 0;  // (at - from) / bucket_seconds
  std::string risk_level;
  std::string action;
  int score_bin = 0;
  int64_t count = 0;
};

// The SMS verifications started (their message created) in a time range and
// how far each got.
struct SmsFunnel {
  int64_t sent = 0;       // the provider accepted the message
  int64_t confirmed = 0;  // the customer confirmed the payment by reply
  int64_t denied = 0;     // the customer denied it by reply
  int64_t expired = 0;    // no reply in time
  int64_t pending = 0;    // still awaiting the reply
};

struct DashboardCounts {
  std::vector<DecisionCount> decisions;
  SmsFunnel sms;
};

class WriteReservation;

class Store {
 public:
  using WriteCallback = std::function<void(StatusOr<WriteResult>)>;

  virtual ~Store() = default;

  // Queues `batch`; `done` runs on the store's writer thread once the batch
  // is durable, or with its error: InvalidArgument (an empty event_id,
  // decision_id or subject_id, or an unknown decision kind), AlreadyExists
  // (a decision_id that exists, also twice in one batch: the whole batch is
  // rejected and nothing of it is written), or the commit's error (then every
  // batch of that transaction gets it). Never blocks on disk. When the store
  // is closed (FailedPrecondition) or its queue is full (ResourceExhausted),
  // `done` runs at once on the calling thread.
  virtual void Submit(WriteBatch batch, WriteCallback done) = 0;

  // Submit and wait for `done`.
  [[nodiscard]] StatusOr<WriteResult> Write(WriteBatch batch);

  // Takes the next place in the write order for a batch not known yet:
  // batches submitted after Reserve returns commit after the reserved one.
  // For a caller that must fix an event's place in the log now (under its
  // own lock, in the order it applied the event) but finishes the batch
  // later (the decision about it), so both go in one transaction. The
  // writer waits for an unfilled place: submit promptly and never block in
  // between. Fails as Submit does, FailedPrecondition or ResourceExhausted.
  [[nodiscard]] virtual StatusOr<std::unique_ptr<WriteReservation>> Reserve() = 0;

  // Calls `fn` for the events with seq > after_seq in commit order (seq
  // starts at 1 and only grows). A non-OK status from `fn` stops the scan
  // and is returned. Not a snapshot: events committed during the scan may
  // or may not be seen, but none is skipped or seen twice.
  [[nodiscard]] virtual Status ScanEvents(
      int64_t after_seq, const std::function<Status(int64_t seq, const EventRecord&)>& fn) = 0;
  // The seq of the last committed event, 0 when there is none.
  [[nodiscard]] virtual StatusOr<int64_t> LastEventSeq() = 0;
  [[nodiscard]] virtual StatusOr<bool> HasEvent(std::string_view event_id) = 0;
  // Which of `event_ids` are recorded: known[i] says whether event_ids[i]
  // is. One read for the lot, as one snapshot.
  [[nodiscard]] virtual StatusOr<std::vector<bool>> KnownEvents(
      std::span<const std::string> event_ids) = 0;
  // The event with this event_id (the events table's unique key), or nullopt.
  [[nodiscard]] virtual StatusOr<std::optional<EventRecord>> FindEvent(
      std::string_view event_id) = 0;

  // The decision whose decision_id is `id`; otherwise the latest decision
  // (by `at`, then commit order) whose subject_id is `id`; nullopt if none.
  [[nodiscard]] virtual StatusOr<std::optional<DecisionRecord>> FindDecision(
      std::string_view id) = 0;
  // Calls `fn` for the decisions of `kind` with seq > after_seq, in commit
  // order (seq as for events: it only grows). A non-OK status from `fn`
  // stops the scan and is returned. Not a snapshot, as ScanEvents.
  [[nodiscard]] virtual Status ScanDecisions(
      std::string_view kind, int64_t after_seq,
      const std::function<Status(int64_t seq, const DecisionRecord&)>& fn) = 0;
  // Stores (or replaces) the narration of a decision. NotFound when no
  // decision has that decision_id.
  [[nodiscard]] virtual Status AttachNarration(std::string_view decision_id, std::string_view text,
                                               std::string_view source) = 0;

  // Inserts or replaces the entry for (list, field, value). InvalidArgument
  // for an unknown list or field or an empty value.
  [[nodiscard]] virtual Status PutListEntry(const ListEntry& entry) = 0;
  // true when an entry was removed, false when there was none.
  [[nodiscard]] virtual StatusOr<bool> RemoveListEntry(std::string_view list,
                                                       std::string_view field,
                                                       std::string_view value) = 0;
  // All entries ordered by list, field, value.
  [[nodiscard]] virtual StatusOr<std::vector<ListEntry>> ListEntries() = 0;

  // Inserts or updates a key (name, role, hash). A revocation is permanent:
  // Put never clears a stored revoked_at. InvalidArgument for an empty
  // key_id or key_hash.
  // Creates or replaces the account of `account.user_id` (created_at is kept
  // from the first write); true when it was created. InvalidArgument for an
  // empty user_id or phone, or a status other than active or blocked.
  [[nodiscard]] virtual StatusOr<bool> PutAccount(const AccountRecord& account) = 0;
  [[nodiscard]] virtual StatusOr<std::optional<AccountRecord>> FindAccount(
      std::string_view user_id) = 0;
  // The accounts with this phone number, most recently updated first.
  [[nodiscard]] virtual StatusOr<std::vector<AccountRecord>> AccountsByPhone(
      std::string_view phone) = 0;

  // Records `sms` and, in the same transaction, sets sms_opt_out to
  // `set_opt_out` on every account with its phone number (when given). When
  // an SMS with this message_sid is already recorded nothing changes and
  // that record is returned; otherwise nullopt. InvalidArgument for an empty
  // message_sid.
  // `step`, when given, is applied in the same transaction (as by
  // ApplyTransactionStep) unless the SMS was already recorded.
  [[nodiscard]] virtual StatusOr<std::optional<InboundSmsRecord>> RecordInboundSms(
      const InboundSmsRecord& sms, std::optional<bool> set_opt_out,
      const TransactionStep* step = nullptr) = 0;

  // Stores a new transaction as received, the first step of its history and
  // the outbox item that will score it, in one transaction: once this
  // returns, the payment is durable and its processing will happen even if
  // the process dies now. false when the transaction_id exists (nothing
  // changes). InvalidArgument for an empty transaction_id or user_id.
  [[nodiscard]] virtual StatusOr<bool> ReceiveTransaction(const TransactionRecord& transaction) = 0;
  // Payments of the past (a lake's transactions.csv, read by `vigil
  // ingest`), stored settled with the status "historical", their fraud label
  // when known and `updated_at` = when that label became known. They build
  // the live transaction features (ScanScoredTransactions) and reach
  // `vigil train --data-dir`; they are never scored or texted. Idempotent on
  // transaction_id: returns how many rows were new. One transaction.
  [[nodiscard]] virtual StatusOr<int64_t> ImportTransactions(
      const std::vector<TransactionRecord>& rows) = 0;
  [[nodiscard]] virtual StatusOr<std::optional<TransactionRecord>> FindTransaction(
      std::string_view transaction_id) = 0;
  // Oldest first.
  [[nodiscard]] virtual StatusOr<std::vector<TransactionTransition>> TransactionHistory(
      std::string_view transaction_id) = 0;
  // Calls `fn` for every transaction past "received" (scored at least), in
  // the order they were received: the payment features' history on restart.
  [[nodiscard]] virtual Status ScanScoredTransactions(
      const std::function<Status(const TransactionRecord&)>& fn) = 0;
  // Records an analyst's label on a payment in one transaction: the row's
  // label (the latest label wins) and updated_at, and a history step with
  // the label, who and the note (its status is the payment's, unchanged).
  // Returns the payment as it was before, so the caller can tell a first
  // label from a correction. NotFound when there is no such payment;
  // FailedPrecondition while it is not settled (received, scored or
  // pending_verification: the flow, or the customer's reply, decides it
  // first); InvalidArgument for a label other than 0 or 1.
  [[nodiscard]] virtual StatusOr<TransactionRecord> LabelTransaction(
      const TransactionLabel& label) = 0;
  // The payments of `user_id`, newest first (by received_at), at most
  // `limit` (the transactions_by_user index).
  [[nodiscard]] virtual StatusOr<std::vector<TransactionRecord>> TransactionsOfUser(
      std::string_view user_id, int64_t limit) = 0;
  // The SMS received from `phone`, newest first, at most `limit`.
  [[nodiscard]] virtual StatusOr<std::vector<InboundSmsRecord>> InboundSmsFrom(
      std::string_view phone, int64_t limit) = 0;
  // The most recently received transaction awaiting the reply of `phone`.
  [[nodiscard]] virtual StatusOr<std::optional<TransactionRecord>> PendingVerification(
      std::string_view phone) = 0;

  // Applies `step` in one transaction; false when the transaction's status
  // was not one of step.expected_statuses (then only step.done_work is
  // removed). NotFound when there is no such transaction.
  [[nodiscard]] virtual StatusOr<bool> ApplyTransactionStep(const TransactionStep& step) = 0;
  // Outbox items with due_at <= now, by due_at then seq, at most `limit`.
  [[nodiscard]] virtual StatusOr<std::vector<OutboxItem>> DueWork(Timestamp now, size_t limit) = 0;
  // The earliest due_at in the outbox, or nullopt when it is empty.
  [[nodiscard]] virtual StatusOr<std::optional<Timestamp>> NextWorkDue() = 0;
  // A failed attempt: attempts + 1, the error, and a new due time.
  [[nodiscard]] virtual Status RescheduleWork(int64_t seq, Timestamp due_at,
                                              std::string_view error) = 0;
  // Applies `update` (at time `at`) on its own, durably before returning:
  // e.g. "sending" before the provider is called.
  [[nodiscard]] virtual Status UpdateSms(const SmsUpdate& update, Timestamp at) = 0;
  // A delivery status callback: sets the status of the SMS with this sid
  // unless it already has a later one (a callback may overtake another).
  // false when no SMS has this sid.
  [[nodiscard]] virtual StatusOr<bool> UpdateSmsStatusBySid(std::string_view message_sid,
                                                            std::string_view status,
                                                            Timestamp at) = 0;
  [[nodiscard]] virtual StatusOr<std::optional<OutboundSms>> FindSms(
      std::string_view message_key) = 0;
  // Oldest first.
  [[nodiscard]] virtual StatusOr<std::vector<OutboundSms>> SmsForTransaction(
      std::string_view transaction_id) = 0;

  [[nodiscard]] virtual Status PutApiKey(const ApiKeyRecord& key) = 0;
  // All keys, revoked ones included, ordered by created_at then key_id.
  [[nodiscard]] virtual StatusOr<std::vector<ApiKeyRecord>> ApiKeys() = 0;
  // true when the key is revoked now, false when it already was; NotFound
  // when there is no such key.
  [[nodiscard]] virtual StatusOr<bool> RevokeApiKey(std::string_view key_id, Timestamp at) = 0;

  // ---- Dashboard sessions (docs/dashboard.md "Sessions") ----
  // Stores a new session and forgets sessions that ended (expired or were
  // revoked) more than kSessionRetentionSeconds before its created_at.
  // InvalidArgument for an empty token_hash, key_id or csrf_token;
  // AlreadyExists when a session with this token_hash is stored.
  static constexpr int64_t kSessionRetentionSeconds = 30 * 86'400;
  [[nodiscard]] virtual Status CreateSession(const SessionRecord& session) = 0;
  // The session with this token hash, expired and revoked ones included,
  // with its API key; nullopt when there is none.
  [[nodiscard]] virtual StatusOr<std::optional<SessionAndKey>> FindSession(
      std::string_view token_hash) = 0;
  // true when the session is revoked now; false when it already was or
  // there is no such session.
  [[nodiscard]] virtual StatusOr<bool> RevokeSession(std::string_view token_hash, Timestamp at) = 0;
  // Revokes every session of the key not revoked yet; how many it revoked.
  [[nodiscard]] virtual StatusOr<int64_t> RevokeSessionsOfKey(std::string_view key_id,
                                                              Timestamp at) = 0;

  // Stores an opaque feature-state blob valid as of event `seq` and keeps
  // only the two latest (by seq, then insertion). Large blobs are written in
  // chunks between group commits, so scoring traffic keeps flowing; a crash
  // mid-way leaves the previous snapshots intact.
  [[nodiscard]] virtual Status PutSnapshot(int64_t seq, std::string_view blob) = 0;
  // The snapshot with the highest seq, or nullopt.
  [[nodiscard]] virtual StatusOr<std::optional<std::pair<int64_t, std::string>>>
  LatestSnapshot() = 0;

  // Moves decisions with at < cutoff to a new gzip NDJSON file in
  // `archive_dir` (created if missing) named
  // "decisions_<first date>_<last date>[.N].ndjson.gz" (UTC dates), then
  // deletes them from the store. The file is fsync'd and renamed into place
  // before the delete commits: a crash in between loses nothing (the next run
  // archives the same decisions again, into a second file). Returns how many
  // were archived; 0 writes no file.
  [[nodiscard]] virtual StatusOr<int64_t> ArchiveDecisions(Timestamp cutoff,
                                                           const std::string& archive_dir) = 0;

  // ---- The dashboard's data (docs/dashboard.md "Data routes") ----
  // Queues `label` and its `event` (the label event for the event log) to be
  // written in one transaction, in the write order of Submit, and returns at
  // once. A refusal (FailedPrecondition when closed, ResourceExhausted when
  // the queue is full, InvalidArgument for an empty decision_id or event_id)
  // is returned and `done` never runs; otherwise `done` runs on the writer
  // thread once both are durable, with the label and its label_id, or with
  // the error (AlreadyExists when the event_id is in the log). The caller
  // has checked that the decision exists.
  [[nodiscard]] virtual Status SubmitDecisionLabel(
      DecisionLabelRecord label, EventRecord event,
      std::function<void(StatusOr<DecisionLabelRecord>)> done) = 0;
  // The labels of a decision, oldest first.
  [[nodiscard]] virtual StatusOr<std::vector<DecisionLabelRecord>> DecisionLabels(
      std::string_view decision_id) = 0;
  // A page of decisions matching `query` (limit clamped to 1..1000), each
  // with its latest label.
  [[nodiscard]] virtual StatusOr<DecisionPage> ListDecisions(const DecisionQuery& query) = 0;
  // The decisions about these orders and about their returns (a return's
  // decision is found by the order its request names), each with its latest
  // label, newest first. Two index look-ups per order, whatever the store
  // holds: a customer's timeline from the orders the feature state keeps.
  [[nodiscard]] virtual StatusOr<std::vector<DecisionSummary>> DecisionsAboutOrders(
      std::span<const std::string> order_ids) = 0;
  // A page of payments, newest first (limit clamped to 1..1000).
  [[nodiscard]] virtual StatusOr<TransactionPage> ListTransactions(
      const TransactionQuery& query) = 0;
  // Decisions made (and payments received and scored) in [from, until),
  // grouped by kind, time bucket, level, action and score bin, and the SMS
  // funnel of the verifications created in that range. InvalidArgument for
  // bucket_seconds < 1 or until < from.
  // Counts at 60, 900 or 3 600 s buckets aligned to them read the roll-up
  // (RollUpDecisions) and what came after it; any other, every decision in
  // the range.
  [[nodiscard]] virtual StatusOr<DashboardCounts> CountDecisions(Timestamp from, Timestamp until,
                                                                 int64_t bucket_seconds) = 0;
  // Folds up to `max_decisions` decisions committed since the last roll-up
  // into the overview's counts per minute, quarter hour and hour, so that
  // CountDecisions need not read them one by one; returns how many it
  // folded (0: nothing new). Each decision is counted once whoever calls it
  // and however often. `vigil serve` calls it every few seconds.
  [[nodiscard]] virtual StatusOr<int64_t> RollUpDecisions(int64_t max_decisions = 100'000) = 0;

  virtual StoreStats Stats() const = 0;

  // Stops accepting writes, commits everything queued (running its
  // callbacks) and joins the writer thread. Idempotent; destructors call it.
  // Called from a write callback it only stops accepting writes (the writer
  // cannot join itself; it exits after draining).
  // Reads keep working after Close.
  virtual void Close() = 0;
};

// A place in the store's write order (Store::Reserve). Destroying it
// without Submit gives the place up.
class WriteReservation {
 public:
  virtual ~WriteReservation() = default;
  // Fills the place with `batch`; `done` runs as for Store::Submit. At most
  // once.
  virtual void Submit(WriteBatch batch, Store::WriteCallback done) = 0;
};

}  // namespace vigil

#endif  // VIGIL_STORE_STORE_H_
