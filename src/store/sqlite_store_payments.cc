// SqliteStore's part of the payment flow (issue 5): transactions, their
// history, the outbox that drives the worker, verification messages and the
// replies received through the webhook.
#include <algorithm>

#include "fmt/format.h"
#include "store/sqlite_store.h"
#include "store/transaction_rows.h"

namespace vigil {
namespace {

using store_internal::kTransactionColumns;
using store_internal::TransactionFromRow;

constexpr std::string_view kSmsColumns =
    "message_key, transaction_id, to_phone, body, status, sender, message_sid, attempts, "
    "created_at, attempt_at, sent_at, updated_at, error";

OutboundSms SmsFromRow(const SqliteStatement& row) {
  return OutboundSms{.message_key = row.ColumnText(0),
                     .transaction_id = row.ColumnText(1),
                     .to_phone = row.ColumnText(2),
                     .body = row.ColumnText(3),
                     .status = row.ColumnText(4),
                     .sender = row.ColumnText(5),
                     .message_sid = row.ColumnText(6),
                     .attempts = row.ColumnInt(7),
                     .created_at = row.ColumnInt(8),
                     .attempt_at = row.ColumnInt(9),
                     .sent_at = row.ColumnInt(10),
                     .updated_at = row.ColumnInt(11),
                     .error = row.ColumnText(12)};
}

// How far along a provider status is, so that a late callback ("sent")
// does not undo a later one ("delivered").
int SmsStatusRank(std::string_view status) {
  if (status == "pending" || status == "sending") return 0;
  if (status == "accepted" || status == "scheduled" || status == "queued") return 1;
  if (status == "sending_provider" || status == "sent" || status == "logged") return 2;
  return 3;  // delivered, undelivered, failed, read, canceled
}

Status ApplySmsUpdate(SqliteConnection& c, const SmsUpdate& u, Timestamp at) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare("UPDATE sms_outbound SET status = ?, "
                             "sender = CASE WHEN ? = '' THEN sender ELSE ? END, "
                             "message_sid = CASE WHEN ? = '' THEN message_sid ELSE ? END, "
                             "sent_at = CASE WHEN ? = 0 THEN sent_at ELSE ? END, "
                             "error = CASE WHEN ? = '' THEN error ELSE ? END, "
                             "attempts = attempts + ?, "
                             "attempt_at = CASE WHEN ? = 1 THEN ? ELSE attempt_at END, "
                             "updated_at = ? WHERE message_key = ?"));
  const int64_t attempt = u.new_attempt ? 1 : 0;
  RETURN_IF_ERROR(stmt->BindAll(u.status, u.sender, u.sender, u.message_sid, u.message_sid,
                                u.sent_at, u.sent_at, u.error, u.error, attempt, attempt, at, at,
                                u.message_key));
  RETURN_IF_ERROR(stmt->Run());
  if (c.Changes() != 1) {
    return absl::NotFoundError(fmt::format("no verification SMS '{}'", u.message_key));
  }
  return absl::OkStatus();
}

Status InsertWork(SqliteConnection& c, const OutboxItem& item) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare("INSERT INTO outbox (step, subject_id, due_at, attempts, last_error) "
                             "VALUES (?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(
      stmt->BindAll(item.step, item.subject_id, item.due_at, item.attempts, item.last_error));
  return stmt->Run();
}

Status DeleteWork(SqliteConnection& c, int64_t seq) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare("DELETE FROM outbox WHERE seq = ?"));
  RETURN_IF_ERROR(stmt->BindAll(seq));
  return stmt->Run();
}

// The transaction's columns that a step sets, when it sets them.
Status UpdateTransactionRow(SqliteConnection& c, const TransactionStep& s) {
  const std::optional<std::string> status =
      s.transitions.empty() ? std::nullopt : std::optional(s.transitions.back().status);
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare("UPDATE transactions SET "
                             "status = COALESCE(?, status), updated_at = ?, "
                             "risk_score = CASE WHEN ? THEN ? ELSE risk_score END, "
                             "decision = COALESCE(?, decision), phone = COALESCE(?, phone), "
                             "user_response = COALESCE(?, user_response), "
                             "user_response_at = CASE WHEN ? THEN ? ELSE user_response_at END, "
                             "reprompted = COALESCE(?, reprompted), "
                             "label = CASE WHEN ? THEN ? ELSE label END "
                             "WHERE transaction_id = ?"));
  int index = 0;
  auto bind_text = [&](const std::optional<std::string>& v) {
    return v ? stmt->BindText(++index, *v) : stmt->BindNull(++index);
  };
  RETURN_IF_ERROR(bind_text(status));
  RETURN_IF_ERROR(stmt->BindInt(++index, s.at));
  RETURN_IF_ERROR(stmt->BindInt(++index, s.risk_score.has_value()));
  RETURN_IF_ERROR(stmt->BindDouble(++index, s.risk_score.value_or(0)));
  RETURN_IF_ERROR(bind_text(s.decision));
  RETURN_IF_ERROR(bind_text(s.phone));
  RETURN_IF_ERROR(bind_text(s.user_response));
  RETURN_IF_ERROR(stmt->BindInt(++index, s.user_response.has_value()));
  RETURN_IF_ERROR(stmt->BindInt(++index, s.at));
  if (s.reprompted) {
    RETURN_IF_ERROR(stmt->BindInt(++index, *s.reprompted ? 1 : 0));
  } else {
    RETURN_IF_ERROR(stmt->BindNull(++index));
  }
  RETURN_IF_ERROR(stmt->BindInt(++index, s.label.has_value()));
  RETURN_IF_ERROR(stmt->BindInt(++index, s.label.value_or(0)));
  RETURN_IF_ERROR(stmt->BindText(++index, s.transaction_id));
  return stmt->Run();
}

// The body of ApplyTransactionStep, on the writer's connection.
Status ApplyStep(SqliteConnection& c, const TransactionStep& s, bool* applied) {
  *applied = false;
  if (s.done_work) RETURN_IF_ERROR(DeleteWork(c, *s.done_work));
  std::string user_id, current;
  {
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease found,
        c.Prepare("SELECT status, user_id FROM transactions WHERE transaction_id = ?"));
    RETURN_IF_ERROR(found->BindAll(s.transaction_id));
    ASSIGN_OR_RETURN(const bool row, found->Step());
    if (!row) {
      // Work left for a transaction that is gone is simply done.
      if (s.done_work) return absl::OkStatus();
      return absl::NotFoundError(fmt::format("no transaction '{}'", s.transaction_id));
    }
    current = found->ColumnText(0);
    user_id = found->ColumnText(1);
  }
  if (!s.expected_statuses.empty() &&
      std::find(s.expected_statuses.begin(), s.expected_statuses.end(), current) ==
          s.expected_statuses.end()) {
    return absl::OkStatus();
  }
  *applied = true;
  RETURN_IF_ERROR(UpdateTransactionRow(c, s));
  for (const TransactionTransition& t : s.transitions) {
    ASSIGN_OR_RETURN(SqliteConnection::Lease history,
                     c.Prepare("INSERT INTO transaction_history (transaction_id, status, at, "
                               "reason) VALUES (?, ?, ?, ?)"));
    RETURN_IF_ERROR(history->BindAll(s.transaction_id, t.status, t.at, t.reason));
    RETURN_IF_ERROR(history->Run());
  }
  if (s.block_account) {
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease block,
        c.Prepare("UPDATE accounts SET status = 'blocked', updated_at = ? WHERE user_id = ?"));
    RETURN_IF_ERROR(block->BindAll(s.at, user_id));
    RETURN_IF_ERROR(block->Run());
  }
  if (s.new_sms) {
    const OutboundSms& m = *s.new_sms;
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease insert,
        c.Prepare("INSERT INTO sms_outbound (message_key, transaction_id, to_phone, body, status, "
                  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(
        insert->BindAll(m.message_key, s.transaction_id, m.to_phone, m.body, m.status, s.at, s.at));
    RETURN_IF_ERROR(insert->Run());
  }
  if (s.sms_update) RETURN_IF_ERROR(ApplySmsUpdate(c, *s.sms_update, s.at));
  for (const std::string& step : s.cancel_steps) {
    ASSIGN_OR_RETURN(SqliteConnection::Lease cancel,
                     c.Prepare("DELETE FROM outbox WHERE subject_id = ? AND step = ?"));
    RETURN_IF_ERROR(cancel->BindAll(s.transaction_id, step));
    RETURN_IF_ERROR(cancel->Run());
  }
  for (OutboxItem item : s.new_work) {
    item.subject_id = s.transaction_id;
    RETURN_IF_ERROR(InsertWork(c, item));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- inbound SMS ----

StatusOr<std::optional<InboundSmsRecord>> SqliteStore::RecordInboundSms(
    const InboundSmsRecord& sms, std::optional<bool> set_opt_out, const TransactionStep* step) {
  if (sms.message_sid.empty()) {
    return absl::InvalidArgumentError("an inbound SMS needs a message_sid");
  }
  std::optional<InboundSmsRecord> earlier;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    {
      ASSIGN_OR_RETURN(SqliteConnection::Lease found,
                       c.Prepare("SELECT message_sid, from_phone, body, received_at, outcome, "
                                 "answer FROM sms_inbound WHERE message_sid = ?"));
      RETURN_IF_ERROR(found->BindAll(sms.message_sid));
      ASSIGN_OR_RETURN(const bool row, found->Step());
      if (row) {
        earlier =
            InboundSmsRecord{found->ColumnText(0), found->ColumnText(1), found->ColumnText(2),
                             found->ColumnInt(3),  found->ColumnText(4), found->ColumnText(5)};
        return absl::OkStatus();
      }
    }
    ASSIGN_OR_RETURN(SqliteConnection::Lease insert,
                     c.Prepare("INSERT INTO sms_inbound (message_sid, from_phone, body, "
                               "received_at, outcome, answer) VALUES (?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(insert->BindAll(sms.message_sid, sms.from_phone, sms.body, sms.received_at,
                                    sms.outcome, sms.answer));
    RETURN_IF_ERROR(insert->Run());
    if (step != nullptr) {
      bool applied = false;
      RETURN_IF_ERROR(ApplyStep(c, *step, &applied));
    }
    if (!set_opt_out.has_value()) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease update,
        c.Prepare("UPDATE accounts SET sms_opt_out = ?, updated_at = ? WHERE phone = ?"));
    RETURN_IF_ERROR(
        update->BindAll(int64_t{*set_opt_out ? 1 : 0}, sms.received_at, sms.from_phone));
    return update->Run();
  }));
  return earlier;
}

// ---- transactions ----

StatusOr<bool> SqliteStore::ReceiveTransaction(const TransactionRecord& t) {
  if (t.transaction_id.empty()) return absl::InvalidArgumentError("a transaction needs an id");
  if (t.user_id.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("transaction {} has no user_id", t.transaction_id));
  }
  bool created = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease insert,
        c.Prepare("INSERT INTO transactions (transaction_id, user_id, amount, currency, merchant, "
                  "location, created_at, received_at, status, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', ?) "
                  "ON CONFLICT (transaction_id) DO NOTHING"));
    RETURN_IF_ERROR(insert->BindAll(t.transaction_id, t.user_id, t.amount, t.currency, t.merchant,
                                    t.location, t.created_at, t.received_at, t.received_at));
    RETURN_IF_ERROR(insert->Run());
    created = c.Changes() == 1;
    if (!created) return absl::OkStatus();
    ASSIGN_OR_RETURN(SqliteConnection::Lease history,
                     c.Prepare("INSERT INTO transaction_history (transaction_id, status, at, "
                               "reason) VALUES (?, 'received', ?, 'stored')"));
    RETURN_IF_ERROR(history->BindAll(t.transaction_id, t.received_at));
    RETURN_IF_ERROR(history->Run());
    return InsertWork(c, OutboxItem{.step = "score_transaction",
                                    .subject_id = t.transaction_id,
                                    .due_at = t.received_at});
  }));
  return created;
}

StatusOr<int64_t> SqliteStore::ImportTransactions(const std::vector<TransactionRecord>& rows) {
  for (const TransactionRecord& t : rows) {
    if (t.transaction_id.empty() || t.user_id.empty()) {
      return absl::InvalidArgumentError(fmt::format(
          "an imported transaction needs an id and a user_id ('{}')", t.transaction_id));
    }
  }
  int64_t created = 0;
  size_t bytes = 0;
  for (const TransactionRecord& t : rows) bytes += 96 + t.transaction_id.size() + t.merchant.size();
  RETURN_IF_ERROR(RunOnWriter(
      [&](SqliteConnection& c) -> Status {
        ASSIGN_OR_RETURN(
            SqliteConnection::Lease insert,
            c.Prepare("INSERT INTO transactions (transaction_id, user_id, amount, currency, "
                      "merchant, location, created_at, received_at, status, updated_at, label) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'historical', ?, ?) "
                      "ON CONFLICT (transaction_id) DO NOTHING"));
        for (const TransactionRecord& t : rows) {
          insert->Reset();
          RETURN_IF_ERROR(insert->BindAll(t.transaction_id, t.user_id, t.amount, t.currency,
                                          t.merchant, t.location, t.created_at, t.created_at,
                                          t.updated_at, t.label));
          RETURN_IF_ERROR(insert->Run());
          created += c.Changes();
        }
        return absl::OkStatus();
      },
      bytes));
  return created;
}

StatusOr<std::optional<TransactionRecord>> SqliteStore::FindTransaction(
    std::string_view transaction_id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(
      SqliteConnection::Lease stmt,
      reader->Prepare(fmt::format("SELECT {} FROM transactions WHERE transaction_id = ?",
                                  kTransactionColumns)));
  RETURN_IF_ERROR(stmt->BindAll(transaction_id));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::optional<TransactionRecord>();
  return std::optional<TransactionRecord>(TransactionFromRow(*stmt));
}

StatusOr<std::vector<TransactionTransition>> SqliteStore::TransactionHistory(
    std::string_view transaction_id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT status, at, reason, label, labeled_by_key, "
                                   "labeled_by_name, note FROM transaction_history "
                                   "WHERE transaction_id = ? ORDER BY seq"));
  RETURN_IF_ERROR(stmt->BindAll(transaction_id));
  std::vector<TransactionTransition> history;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return history;
    history.push_back({.status = stmt->ColumnText(0),
                       .at = stmt->ColumnInt(1),
                       .reason = stmt->ColumnText(2),
                       .label = stmt->ColumnText(3),
                       .by_key_id = stmt->ColumnText(4),
                       .by_name = stmt->ColumnText(5),
                       .note = stmt->ColumnText(6)});
  }
}

Status SqliteStore::ScanScoredTransactions(
    const std::function<Status(const TransactionRecord&)>& fn) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare(fmt::format(
                       "SELECT {} FROM transactions WHERE status <> 'received' ORDER BY rowid",
                       kTransactionColumns)));
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return absl::OkStatus();
    RETURN_IF_ERROR(fn(TransactionFromRow(*stmt)));
  }
}

StatusOr<std::optional<TransactionRecord>> SqliteStore::PendingVerification(
    std::string_view phone) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare(fmt::format(
                       "SELECT {} FROM transactions WHERE phone = ? AND "
                       "status = 'pending_verification' ORDER BY received_at DESC, rowid DESC "
                       "LIMIT 1",
                       kTransactionColumns)));
  RETURN_IF_ERROR(stmt->BindAll(phone));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::optional<TransactionRecord>();
  return std::optional<TransactionRecord>(TransactionFromRow(*stmt));
}

StatusOr<TransactionRecord> SqliteStore::LabelTransaction(const TransactionLabel& label) {
  if (label.label != 0 && label.label != 1) {
    return absl::InvalidArgumentError("a payment's label is 1 (fraud) or 0 (genuine)");
  }
  const std::string word = label.label == 1 ? "fraud" : "genuine";
  TransactionRecord before;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    {
      ASSIGN_OR_RETURN(SqliteConnection::Lease found,
                       c.Prepare(fmt::format("SELECT {} FROM transactions WHERE transaction_id = ?",
                                             kTransactionColumns)));
      RETURN_IF_ERROR(found->BindAll(label.transaction_id));
      ASSIGN_OR_RETURN(const bool row, found->Step());
      if (!row)
        return absl::NotFoundError(fmt::format("no transaction '{}'", label.transaction_id));
      before = TransactionFromRow(*found);
    }
    if (before.status == "received" || before.status == "scored" ||
        before.status == "pending_verification") {
      return absl::FailedPreconditionError(fmt::format(
          "transaction '{}' is {}: it can be labelled once it is settled (approved, declined, "
          "manual_review or expired)",
          label.transaction_id, before.status));
    }
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease update,
        c.Prepare("UPDATE transactions SET label = ?, updated_at = ? WHERE transaction_id = ?"));
    RETURN_IF_ERROR(update->BindAll(label.label, label.at, label.transaction_id));
    RETURN_IF_ERROR(update->Run());
    ASSIGN_OR_RETURN(SqliteConnection::Lease history,
                     c.Prepare("INSERT INTO transaction_history (transaction_id, status, at, "
                               "reason, label, labeled_by_key, labeled_by_name, note) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(history->BindAll(
        label.transaction_id, before.status, label.at,
        fmt::format("labelled {} by {} ({})", word, label.by_name, label.by_key_id), word,
        label.by_key_id, label.by_name, label.note));
    return history->Run();
  }));
  return before;
}

StatusOr<std::vector<TransactionRecord>> SqliteStore::TransactionsOfUser(std::string_view user_id,
                                                                         int64_t limit) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare(fmt::format("SELECT {} FROM transactions WHERE user_id = ? "
                                               "ORDER BY received_at DESC, rowid DESC LIMIT ?",
                                               kTransactionColumns)));
  RETURN_IF_ERROR(stmt->BindAll(user_id, limit));
  std::vector<TransactionRecord> found;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return found;
    found.push_back(TransactionFromRow(*stmt));
  }
}

StatusOr<std::vector<InboundSmsRecord>> SqliteStore::InboundSmsFrom(std::string_view phone,
                                                                    int64_t limit) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT message_sid, from_phone, body, received_at, outcome, "
                                   "answer FROM sms_inbound WHERE from_phone = ? "
                                   "ORDER BY received_at DESC, rowid DESC LIMIT ?"));
  RETURN_IF_ERROR(stmt->BindAll(phone, limit));
  std::vector<InboundSmsRecord> found;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return found;
    found.push_back(InboundSmsRecord{stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2),
                                     stmt->ColumnInt(3), stmt->ColumnText(4), stmt->ColumnText(5)});
  }
}

StatusOr<bool> SqliteStore::ApplyTransactionStep(const TransactionStep& step) {
  bool applied = false;
  RETURN_IF_ERROR(
      RunOnWriter([&](SqliteConnection& c) -> Status { return ApplyStep(c, step, &applied); }));
  return applied;
}

// ---- the outbox ----

StatusOr<std::vector<OutboxItem>> SqliteStore::DueWork(Timestamp now, size_t limit) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT seq, step, subject_id, due_at, attempts, last_error "
                                   "FROM outbox WHERE due_at <= ? ORDER BY due_at, seq LIMIT ?"));
  RETURN_IF_ERROR(stmt->BindAll(now, static_cast<int64_t>(limit)));
  std::vector<OutboxItem> items;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return items;
    items.push_back(OutboxItem{.seq = stmt->ColumnInt(0),
                               .step = stmt->ColumnText(1),
                               .subject_id = stmt->ColumnText(2),
                               .due_at = stmt->ColumnInt(3),
                               .attempts = stmt->ColumnInt(4),
                               .last_error = stmt->ColumnText(5)});
  }
}

StatusOr<std::optional<Timestamp>> SqliteStore::NextWorkDue() {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, reader->Prepare("SELECT MIN(due_at) FROM outbox"));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row || stmt->ColumnIsNull(0)) return std::optional<Timestamp>();
  return std::optional<Timestamp>(stmt->ColumnInt(0));
}

Status SqliteStore::RescheduleWork(int64_t seq, Timestamp due_at, std::string_view error) {
  return RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     c.Prepare("UPDATE outbox SET attempts = attempts + 1, due_at = ?, "
                               "last_error = ? WHERE seq = ?"));
    RETURN_IF_ERROR(stmt->BindAll(due_at, error, seq));
    return stmt->Run();
  });
}

// ---- verification messages ----

Status SqliteStore::UpdateSms(const SmsUpdate& update, Timestamp at) {
  return RunOnWriter([&](SqliteConnection& c) { return ApplySmsUpdate(c, update, at); });
}

StatusOr<bool> SqliteStore::UpdateSmsStatusBySid(std::string_view message_sid,
                                                 std::string_view status, Timestamp at) {
  bool found = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    std::string current;
    {
      ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                       c.Prepare("SELECT status FROM sms_outbound WHERE message_sid = ?"));
      RETURN_IF_ERROR(stmt->BindAll(message_sid));
      ASSIGN_OR_RETURN(found, stmt->Step());
      if (!found) return absl::OkStatus();
      current = stmt->ColumnText(0);
    }
    if (SmsStatusRank(status) < SmsStatusRank(current)) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease update,
        c.Prepare("UPDATE sms_outbound SET status = ?, updated_at = ? WHERE message_sid = ?"));
    RETURN_IF_ERROR(update->BindAll(status, at, message_sid));
    return update->Run();
  }));
  return found;
}

StatusOr<std::optional<OutboundSms>> SqliteStore::FindSms(std::string_view message_key) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare(fmt::format("SELECT {} FROM sms_outbound WHERE message_key = ?",
                                               kSmsColumns)));
  RETURN_IF_ERROR(stmt->BindAll(message_key));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::optional<OutboundSms>();
  return std::optional<OutboundSms>(SmsFromRow(*stmt));
}

StatusOr<std::vector<OutboundSms>> SqliteStore::SmsForTransaction(std::string_view transaction_id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare(fmt::format("SELECT {} FROM sms_outbound WHERE "
                                               "transaction_id = ? ORDER BY created_at, rowid",
                                               kSmsColumns)));
  RETURN_IF_ERROR(stmt->BindAll(transaction_id));
  std::vector<OutboundSms> messages;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return messages;
    messages.push_back(SmsFromRow(*stmt));
  }
}

}  // namespace vigil
