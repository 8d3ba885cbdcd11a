#include "store/sqlite_schema.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "fmt/format.h"

namespace vigil {
namespace {

// Append only: a released migration never changes. INTEGER PRIMARY KEY is
// SQLite's row id (PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY).
constexpr std::array<std::string_view, 16> kMigrations = {
    // 1: events, decisions, lists, API keys, snapshots.
    R"sql(
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  at BIGINT NOT NULL,
  payload BLOB NOT NULL
);
CREATE TABLE decisions (
  seq INTEGER PRIMARY KEY,
  decision_id TEXT NOT NULL UNIQUE,
  subject_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('order', 'return', 'transaction')),
  at BIGINT NOT NULL,
  customer_id TEXT NOT NULL,
  model_version TEXT NOT NULL,
  risk_score DOUBLE PRECISION NOT NULL,
  risk_level TEXT NOT NULL,
  action TEXT NOT NULL,
  request_id TEXT NOT NULL,
  document TEXT NOT NULL
);
CREATE INDEX decisions_by_subject ON decisions (subject_id, at);
CREATE INDEX decisions_by_at ON decisions (at);
CREATE TABLE list_entries (
  list TEXT NOT NULL CHECK (list IN ('allow', 'block')),
  field TEXT NOT NULL CHECK (field IN ('customer', 'device', 'pincode', 'phone')),
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (list, field, value)
);
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  size BIGINT NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE snapshot_chunks (
  snapshot_id BIGINT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (snapshot_id, chunk)
);
)sql",
    // 2: narration beside the decision.
    R"sql(
ALTER TABLE decisions ADD COLUMN narration TEXT;
ALTER TABLE decisions ADD COLUMN narration_source TEXT;
)sql",
    // 3: the feature vector and SHAP values as packed floats (store/float_blob.h).
    R"sql(
ALTER TABLE decisions ADD COLUMN features BLOB;
ALTER TABLE decisions ADD COLUMN contributions BLOB;
)sql",
    // 4: accounts of the payment flow.
    R"sql(
CREATE TABLE accounts (
  user_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  sms_opt_out INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
  language TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX accounts_by_phone ON accounts (phone, updated_at);
)sql",
    // 5: SMS received through the Twilio webhook, once per MessageSid.
    R"sql(
CREATE TABLE sms_inbound (
  message_sid TEXT PRIMARY KEY,
  from_phone TEXT NOT NULL,
  body TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  answer TEXT NOT NULL
);
)sql",
    // 6: the payment flow: transactions, their history, and the outbox of
    // work still to do for them (the seed's DynamoDB stream).
    R"sql(
CREATE TABLE transactions (
  transaction_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  amount DOUBLE PRECISION NOT NULL,
  currency TEXT NOT NULL,
  merchant TEXT NOT NULL,
  location TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE transaction_history (
  seq INTEGER PRIMARY KEY,
  transaction_id TEXT NOT NULL,
  status TEXT NOT NULL,
  at BIGINT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX transaction_history_by_transaction ON transaction_history (transaction_id, seq);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  step TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_by_due ON outbox (due_at, seq);
)sql",
    // 7: the payment flow's decisions, replies and verification messages.
    R"sql(
ALTER TABLE transactions ADD COLUMN risk_score DOUBLE PRECISION;
ALTER TABLE transactions ADD COLUMN decision TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN user_response TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN user_response_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN reprompted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN label INTEGER;
CREATE INDEX transactions_by_phone_status ON transactions (phone, status, received_at);
-- Outbox seqs are never reused (AUTOINCREMENT): a step that names the item it
-- completes must not remove a newer item that took a freed number.
CREATE TABLE outbox_v7 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  step TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_v7 SELECT seq, step, subject_id, due_at, attempts, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v7 RENAME TO outbox;
CREATE INDEX outbox_by_due ON outbox (due_at, seq);
CREATE TABLE sms_outbound (
  message_key TEXT PRIMARY KEY,
  transaction_id TEXT NOT NULL,
  to_phone TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  sender TEXT NOT NULL DEFAULT '',
  message_sid TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  attempt_at BIGINT NOT NULL DEFAULT 0,
  sent_at BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sms_outbound_by_transaction ON sms_outbound (transaction_id, created_at);
CREATE UNIQUE INDEX sms_outbound_by_sid ON sms_outbound (message_sid);
)sql",
    // 8: the dashboard: sign-in sessions, analysts' labels on decisions, and
    // the look-ups of the review queue and of a customer's decisions.
    R"sql(
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX sessions_by_key ON sessions (key_id);
CREATE TABLE decision_labels (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  decision_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  note TEXT NOT NULL,
  labeled_by TEXT NOT NULL,
  at BIGINT NOT NULL,
  event_id TEXT NOT NULL
);
CREATE INDEX decision_labels_by_decision ON decision_labels (decision_id, seq);
-- Partial: only the decisions a reviewer looks at, so scoring pays little for it.
CREATE INDEX decisions_for_review ON decisions (at)
  WHERE action IN ('manual_review', 'block', 'deny', 'decline', 'step_up_authentication');
CREATE INDEX decisions_by_customer ON decisions (customer_id, at);
)sql",
    // 9: decisions_by_customer cost every scored order a page write at random
    // (p50 1.10-1.16 ms without it against 1.24-1.40 ms with it, paced at
    // ~4 500/s; BENCHMARKS.md): a customer's decisions are found by walking
    // decisions_by_at from the newest instead.
    R"sql(
DROP INDEX IF EXISTS decisions_by_customer;
)sql",
    // 10: analysts' labels on payments, audited in their history; a
    // customer's payments and SMS replies for the case page's timeline. None
    // of these is written when an order or a return is scored.
    R"sql(
ALTER TABLE transaction_history ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE transaction_history ADD COLUMN labeled_by_key TEXT NOT NULL DEFAULT '';
ALTER TABLE transaction_history ADD COLUMN labeled_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE transaction_history ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX transactions_by_user ON transactions (user_id, received_at);
CREATE INDEX sms_inbound_by_phone ON sms_inbound (from_phone, received_at);
)sql",
    // 11: the payments list, newest first, with or without a status: with
    // a lake's history imported (`vigil ingest`) the table holds ~10 payments
    // per customer, too many to sort per page. Written on payment intake and
    // status changes only.
    R"sql(
CREATE INDEX transactions_by_received ON transactions (received_at, transaction_id);
CREATE INDEX transactions_by_status ON transactions (status, received_at, transaction_id);
)sql",
    // 12: the overview's counts rolled up per minute, quarter hour and hour
    // (sqlite_store_rollup.cc), so a look at 7 days reads ~170 buckets, not
    // every decision. Written by RollUpDecisions off the scoring path;
    // decisions after through_seq are counted from the table itself.
    R"sql(
CREATE TABLE decision_rollup (
  grain BIGINT NOT NULL,
  bucket_at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  action TEXT NOT NULL,
  score_bin INTEGER NOT NULL,
  decisions BIGINT NOT NULL,
  PRIMARY KEY (grain, bucket_at, kind, risk_level, action, score_bin)
);
CREATE TABLE decision_rollup_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  through_seq BIGINT NOT NULL
);
INSERT INTO decision_rollup_state (id, through_seq) VALUES (1, 0);
)sql",
    // 13: the two indexes by time carry what the dashboard's lists filter
    // and sort on, so a list finds its page in the index alone and reads only
    // the page's rows from the table (a customer's 50 decisions among 100 000:
    // 7 ms against 119 ms; BENCHMARKS.md). Both are appended to in time
    // order, as before: a decision still writes one leaf page of each.
    R"sql(
DROP INDEX decisions_by_at;
CREATE INDEX decisions_by_at
  ON decisions (at, seq, customer_id, kind, risk_level, action, risk_score);
DROP INDEX decisions_for_review;
CREATE INDEX decisions_for_review
  ON decisions (at, seq, customer_id, kind, risk_level, action, risk_score)
  WHERE action IN ('manual_review', 'block', 'deny', 'decline', 'step_up_authentication');
)sql",
    // 14: the payments list without a status (all but imported history)
    // walked the imported rows too, reading each from the table to skip it,
    // whenever the flow had received fewer payments than a page: 46 ms beside
    // 200 000 imported (BENCHMARKS.md). A partial index holds only the
    // payments of the flow; imported history no longer writes an entry.
    R"sql(
DROP INDEX transactions_by_received;
CREATE INDEX transactions_live_by_received ON transactions (received_at, transaction_id)
  WHERE status <> 'historical';
)sql",
    // 15: the overview's SMS funnel read every verification message ever
    // sent to find a range's (90 ms at 900 000 messages for a day's 10 800;
    // 11-19 ms with this). Appended in time order, once per message.
    R"sql(
CREATE INDEX sms_outbound_by_created ON sms_outbound (created_at);
)sql",
    // 16: a customer's timeline found its decisions by walking every
    // decision (7 ms per 100 000, growing with the store); it now looks them
    // up by the orders the feature state keeps for the customer: an order's
    // through decisions_by_subject, its returns' through this index on the
    // order id a return decision's request names. Only return decisions
    // write it. (PostgreSQL: ((document::jsonb #>> '{request,order_id}')).)
    R"sql(
CREATE INDEX decisions_returns_by_order
  ON decisions (json_extract(document, '$.request.order_id')) WHERE kind = 'return';
)sql",
};

Status ApplyMigration(SqliteConnection& connection, int version) {
  RETURN_IF_ERROR(connection.Exec("BEGIN IMMEDIATE"));
  Status status = connection.Exec(kMigrations[version - 1]);
  if (status.ok()) status = connection.Exec(fmt::format("PRAGMA user_version = {}", version));
  if (status.ok()) status = connection.Exec("COMMIT");
  if (!status.ok()) {
    (void)connection.Exec("ROLLBACK");
    return Status(status.code(),
                  fmt::format("schema migration to version {}: {}", version, status.message()));
  }
  return absl::OkStatus();
}

}  // namespace

int SqliteSchemaLatestVersion() { return static_cast<int>(kMigrations.size()); }

StatusOr<int> SqliteSchemaVersion(SqliteConnection& connection) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, connection.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  return row ? static_cast<int>(stmt->ColumnInt(0)) : 0;
}

Status MigrateSqliteSchema(SqliteConnection& connection, int target_version) {
  const int latest = SqliteSchemaLatestVersion();
  if (target_version < 0) target_version = latest;
  ASSIGN_OR_RETURN(const int current, SqliteSchemaVersion(connection));
  if (current > latest || current > target_version) {
    return absl::FailedPreconditionError(fmt::format(
        "the database has schema version {}, newer than this binary's {}; use a newer vigil",
        current, std::min(latest, target_version)));
  }
  for (int version = current + 1; version <= target_version && version <= latest; ++version) {
    RETURN_IF_ERROR(ApplyMigration(connection, version));
  }
  return absl::OkStatus();
}

}  // namespace vigil
