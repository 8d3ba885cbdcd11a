// SqliteStore's part of the dashboard (docs/dashboard.md "Data routes"):
// analysts' labels on decisions, the review queue and the other lists of
// decisions and payments (the overview's counts: sqlite_store_counts.cc). Lists page by keyset
// (the sort key and a unique tie-breaker of the last row), never by OFFSET,
// so a page costs the same wherever it is.
#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "store/sqlite_store.h"
#include "store/transaction_rows.h"

namespace vigil {
namespace {

using store_internal::kTransactionColumns;
using store_internal::TransactionFromRow;

// Rows a list may return at most, whatever the caller asks.
constexpr int64_t kMaxListLimit = 1000;

// "Name <key_id>" (as git writes an author): a key id is base64url after
// "key_", so the last '<' starts it even when the name has one.
std::string EncodeLabeledBy(std::string_view key_id, std::string_view name) {
  return fmt::format("{} <{}>", name, key_id);
}

void DecodeLabeledBy(std::string_view text, DecisionLabelRecord* label) {
  const size_t open = text.rfind('<');
  if (open == std::string_view::npos || text.empty() || text.back() != '>') {
    label->by_name = std::string(text);
    return;
  }
  label->by_key_id = std::string(text.substr(open + 1, text.size() - open - 2));
  std::string_view name = text.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  label->by_name = std::string(name);
}

constexpr std::string_view kLabelColumns =
    "seq, decision_id, subject_id, kind, label, note, labeled_by, at, event_id";

DecisionLabelRecord LabelFromRow(const SqliteStatement& row) {
  DecisionLabelRecord label{.label_id = row.ColumnInt(0),
                            .decision_id = row.ColumnText(1),
                            .subject_id = row.ColumnText(2),
                            .kind = row.ColumnText(3),
                            .label = row.ColumnText(4),
                            .note = row.ColumnText(5),
                            .at = row.ColumnInt(7),
                            .event_id = row.ColumnText(8)};
  DecodeLabeledBy(row.ColumnText(6), &label);
  return label;
}

// The term of the partial index decisions_for_review, written as the schema
// writes it: SQLite uses a partial index only when the query's WHERE has
// the index's own term.
std::string ReviewActionsTerm() {
  std::string term = "action IN (";
  for (const char* action : kReviewActions) {
    if (term.back() != '(') term += ", ";
    term += fmt::format("'{}'", action);
  }
  return term + ")";
}

// A WHERE clause and its parameters, built term by term.
class Conditions {
 public:
  void Add(std::string term) { terms_.push_back(std::move(term)); }
  void AddText(std::string term, std::string value) {
    Add(std::move(term));
    params_.emplace_back(std::move(value));
  }
  void AddInt(std::string term, int64_t value) {
    Add(std::move(term));
    params_.emplace_back(value);
  }
  // A term with two parameters, e.g. a keyset bound "(at, seq) < (?, ?)".
  template <typename A, typename B>
  void AddPair(std::string term, A a, B b) {
    Add(std::move(term));
    params_.emplace_back(std::move(a));
    params_.emplace_back(std::move(b));
  }
  void AddParam(int64_t value) { params_.emplace_back(value); }

  std::string Where() const {
    if (terms_.empty()) return "";
    std::string out = " WHERE ";
    for (size_t i = 0; i < terms_.size(); ++i) out += (i == 0 ? "" : " AND ") + terms_[i];
    return out;
  }

  Status Bind(SqliteStatement& stmt) const {
    for (size_t i = 0; i < params_.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const Param& p = params_[i];
      if (const auto* text = std::get_if<std::string>(&p)) {
        RETURN_IF_ERROR(stmt.BindText(index, *text));
      } else if (const auto* number = std::get_if<int64_t>(&p)) {
        RETURN_IF_ERROR(stmt.BindInt(index, *number));
      } else {
        RETURN_IF_ERROR(stmt.BindDouble(index, std::get<double>(p)));
      }
    }
    return absl::OkStatus();
  }

 private:
  using Param = std::variant<std::string, int64_t, double>;
  std::vector<std::string> terms_;
  std::vector<Param> params_;
};

int64_t ClampLimit(int64_t limit) { return std::clamp<int64_t>(limit, 1, kMaxListLimit); }

// A JSON array of strings, for "x IN (SELECT value FROM json_each(?))": one
// statement for any number of ids, instead of one per count of '?'.
template <typename Range, typename Get>
std::string JsonIds(const Range& items, Get get) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& item : items) ids.push_back(get(item));
  return ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StatusOr<absl::flat_hash_map<std::string, DecisionLabelRecord>> LatestLabels(
    SqliteConnection& c, const std::vector<DecisionSummary>& decisions) {
  absl::flat_hash_map<std::string, DecisionLabelRecord> latest;
  if (decisions.empty()) return latest;
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare(fmt::format("SELECT {} FROM decision_labels WHERE decision_id IN "
                                         "(SELECT value FROM json_each(?)) ORDER BY seq",
                                         kLabelColumns)));
  RETURN_IF_ERROR(
      stmt->BindAll(JsonIds(decisions, [](const DecisionSummary& d) { return d.decision_id; })));
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) break;
    DecisionLabelRecord label = LabelFromRow(*stmt);
    latest[label.decision_id] = std::move(label);  // later seqs replace earlier ones
  }
  return latest;
}

// Each decision's latest label, if it has one.
Status AttachLatestLabels(SqliteConnection& c, std::vector<DecisionSummary>& decisions) {
  ASSIGN_OR_RETURN(auto labels, LatestLabels(c, decisions));
  for (DecisionSummary& d : decisions) {
    if (auto it = labels.find(d.decision_id); it != labels.end()) d.label = std::move(it->second);
  }
  return absl::OkStatus();
}

// A summary from columns 1-9 of "SELECT seq, decision_id, kind, subject_id,
// customer_id, at, risk_score, risk_level, action, model_version".
DecisionSummary SummaryFromRow(const SqliteStatement& row) {
  return DecisionSummary{.decision_id = row.ColumnText(1),
                         .kind = row.ColumnText(2),
                         .subject_id = row.ColumnText(3),
                         .customer_id = row.ColumnText(4),
                         .at = row.ColumnInt(5),
                         .risk_score = row.ColumnDouble(6),
                         .risk_level = row.ColumnText(7),
                         .action = row.ColumnText(8),
                         .model_version = row.ColumnText(9)};
}

}  // namespace

Status SqliteStore::SubmitDecisionLabel(DecisionLabelRecord label, EventRecord event,
                                        std::function<void(StatusOr<DecisionLabelRecord>)> done) {
  if (label.decision_id.empty()) return absl::InvalidArgumentError("a label needs a decision_id");
  if (event.event_id.empty()) return absl::InvalidArgumentError("a label event needs an event_id");
  label.event_id = event.event_id;
  const size_t bytes = event.payload.size() + label.note.size() + 256;
  auto shared = std::make_shared<DecisionLabelRecord>(std::move(label));
  return SubmitTask(
      [shared, event = std::move(event)](SqliteConnection& c) -> Status {
        {
          // No ON CONFLICT: a label's event is new, or the write fails.
          ASSIGN_OR_RETURN(SqliteConnection::Lease insert,
                           c.Prepare("INSERT INTO events (event_id, type, at, payload) "
                                     "VALUES (?, ?, ?, ?)"));
          RETURN_IF_ERROR(
              insert->BindAll(event.event_id, event.type, event.at, SqlBlob{event.payload}));
          RETURN_IF_ERROR(insert->Run());
        }
        const DecisionLabelRecord& l = *shared;
        ASSIGN_OR_RETURN(SqliteConnection::Lease insert,
                         c.Prepare("INSERT INTO decision_labels (decision_id, subject_id, kind, "
                                   "label, note, labeled_by, at, event_id) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        RETURN_IF_ERROR(insert->BindAll(l.decision_id, l.subject_id, l.kind, l.label, l.note,
                                        EncodeLabeledBy(l.by_key_id, l.by_name), l.at, l.event_id));
        RETURN_IF_ERROR(insert->Run());
        shared->label_id = sqlite3_last_insert_rowid(c.db());
        return absl::OkStatus();
      },
      [shared, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(std::move(*shared));
      },
      bytes);
}

StatusOr<std::vector<DecisionLabelRecord>> SqliteStore::DecisionLabels(
    std::string_view decision_id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(
      SqliteConnection::Lease stmt,
      reader->Prepare(fmt::format(
          "SELECT {} FROM decision_labels WHERE decision_id = ? ORDER BY seq", kLabelColumns)));
  RETURN_IF_ERROR(stmt->BindAll(decision_id));
  std::vector<DecisionLabelRecord> labels;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return labels;
    labels.push_back(LabelFromRow(*stmt));
  }
}

StatusOr<DecisionPage> SqliteStore::ListDecisions(const DecisionQuery& query) {
  Conditions where;
  if (query.queue) where.Add(ReviewActionsTerm());
  if (!query.kind.empty()) where.AddText("kind = ?", query.kind);
  if (!query.action.empty()) where.AddText("action = ?", query.action);
  if (!query.risk_level.empty()) where.AddText("risk_level = ?", query.risk_level);
  if (!query.customer_id.empty()) where.AddText("customer_id = ?", query.customer_id);
  if (query.labelled.has_value()) {
    where.Add(
        fmt::format("{}EXISTS (SELECT 1 FROM decision_labels l WHERE l.decision_id = "
                    "decisions.decision_id)",
                    *query.labelled ? "" : "NOT "));
  }
  if (query.from.has_value()) where.AddInt("at >= ?", *query.from);
  if (query.until.has_value()) where.AddInt("at < ?", *query.until);
  const char* cmp = query.ascending ? ">" : "<";
  if (query.after.has_value()) {
    if (query.by_score) {
      where.AddPair(fmt::format("(risk_score, seq) {} (?, ?)", cmp), query.after->key,
                    query.after->seq);
    } else {
      // The plain bound on `at` lets the planner seek in the index; the pair
      // then skips the rows of that second already shown.
      const auto at = static_cast<int64_t>(query.after->key);
      where.AddInt(fmt::format("at {}= ?", cmp), at);
      where.AddPair(fmt::format("(at, seq) {} (?, ?)", cmp), at, query.after->seq);
    }
  }
  const int64_t limit = ClampLimit(query.limit);
  where.AddParam(limit + 1);  // one more tells whether another page follows
  const char* dir = query.ascending ? "ASC" : "DESC";
  const std::string order =
      fmt::format("ORDER BY {} {}, seq {}", query.by_score ? "risk_score" : "at", dir, dir);
  // The page's seqs first, from an index by time that holds every column
  // the filters and the order read (schema 13), then only the page's rows
  // from the table: a filter that matches few rows no longer reads every
  // row it passes over.
  const std::string sql = fmt::format(
      "SELECT seq, decision_id, kind, subject_id, customer_id, at, risk_score, risk_level, "
      "action, model_version FROM decisions WHERE seq IN (SELECT seq FROM decisions{} {} "
      "LIMIT ?) {}",
      where.Where(), order, order);

  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  DecisionPage page;
  std::vector<int64_t> seqs;
  {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, reader->Prepare(sql));
    RETURN_IF_ERROR(where.Bind(*stmt));
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt->Step());
      if (!row) break;
      seqs.push_back(stmt->ColumnInt(0));
      page.decisions.push_back(SummaryFromRow(*stmt));
    }
  }
  if (static_cast<int64_t>(page.decisions.size()) > limit) {
    page.decisions.resize(limit);
    const DecisionSummary& last = page.decisions.back();
    page.next =
        DecisionPosition{.key = query.by_score ? last.risk_score : static_cast<double>(last.at),
                         .seq = seqs[limit - 1]};
  }
  RETURN_IF_ERROR(AttachLatestLabels(*reader, page.decisions));
  return page;
}

// The order's own decisions through decisions_by_subject; its returns'
// through decisions_returns_by_order (schema 16), an index on the order id in
// a return decision's request, which only return decisions write.
const char kDecisionsAboutOrderSql[] =
    "SELECT seq, decision_id, kind, subject_id, customer_id, at, risk_score, risk_level, "
    "action, model_version FROM decisions WHERE subject_id = ? AND kind = 'order' "
    "UNION ALL "
    "SELECT seq, decision_id, kind, subject_id, customer_id, at, risk_score, risk_level, "
    "action, model_version FROM decisions "
    "WHERE kind = 'return' AND json_extract(document, '$.request.order_id') = ?";

StatusOr<std::vector<DecisionSummary>> SqliteStore::DecisionsAboutOrders(
    std::span<const std::string> order_ids) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  std::vector<std::pair<int64_t, DecisionSummary>> found;
  for (const std::string& order_id : order_ids) {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, reader->Prepare(kDecisionsAboutOrderSql));
    RETURN_IF_ERROR(stmt->BindAll(order_id, order_id));
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt->Step());
      if (!row) break;
      found.emplace_back(stmt->ColumnInt(0), SummaryFromRow(*stmt));
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.at, a.first) > std::tie(b.second.at, b.first);
  });
  std::vector<DecisionSummary> decisions;
  decisions.reserve(found.size());
  for (auto& [seq, d] : found) decisions.push_back(std::move(d));
  RETURN_IF_ERROR(AttachLatestLabels(*reader, decisions));
  return decisions;
}

StatusOr<TransactionPage> SqliteStore::ListTransactions(const TransactionQuery& query) {
  Conditions where;
  if (!query.status.empty()) {
    where.AddText("status = ?", query.status);
  } else {
    where.Add("status <> 'historical'");  // imported history only when asked for
  }
  if (query.after.has_value()) {
    where.AddPair("(received_at, transaction_id) < (?, ?)", query.after->received_at,
                  query.after->transaction_id);
  }
  const int64_t limit = ClampLimit(query.limit);
  where.AddParam(limit + 1);
  const std::string sql = fmt::format(
      "SELECT {} FROM transactions{} ORDER BY received_at DESC, transaction_id DESC "
      "LIMIT ?",
      kTransactionColumns, where.Where());

  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  // One snapshot for the page and its messages.
  ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(*reader));
  TransactionPage page;
  {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, reader->Prepare(sql));
    RETURN_IF_ERROR(where.Bind(*stmt));
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt->Step());
      if (!row) break;
      page.transactions.push_back({.transaction = TransactionFromRow(*stmt), .sms_status = {}});
    }
  }
  if (static_cast<int64_t>(page.transactions.size()) > limit) {
    page.transactions.resize(limit);
    const TransactionRecord& last = page.transactions.back().transaction;
    page.next = TransactionPosition{last.received_at, last.transaction_id};
  }
  if (page.transactions.empty()) return page;
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT transaction_id, status FROM sms_outbound "
                                   "WHERE transaction_id IN (SELECT value FROM json_each(?)) "
                                   "ORDER BY created_at, rowid"));
  RETURN_IF_ERROR(stmt->BindAll(JsonIds(page.transactions, [](const TransactionSummary& t) {
    return t.transaction.transaction_id;
  })));
  absl::flat_hash_map<std::string, std::string> latest;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) break;
    latest[stmt->ColumnText(0)] = stmt->ColumnText(1);  // the newest message wins
  }
  for (TransactionSummary& t : page.transactions) {
    if (auto it = latest.find(t.transaction.transaction_id); it != latest.end()) {
      t.sms_status = it->second;
    }
  }
  return page;
}

}  // namespace vigil
