// SqliteStore's counts for the dashboard's overview (CountDecisions) and the
// roll-up that keeps them from growing with the number of decisions
// (RollUpDecisions).
//
// The roll-up (schema 12) holds, per grain of 1 min, 15 min and 1 h, how
// many decisions of each kind, level, action and score bin fell in each
// bucket. decision_rollup_state.through_seq says which decisions it counts:
// those with seq <= through_seq. A count over a range at one of those grains
// reads the range's buckets and adds the decisions after through_seq from
// the table itself (a range of row ids: what committed since the last
// roll-up), so it is exact whenever the roll-up last ran. Nothing of this is
// written on the scoring path: RollUpDecisions reads the new decisions on a
// reader connection and writes a few rows per bucket in one small unit.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/time.h"
#include "fmt/format.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

// The roll-up's grains (the overview's bucket lengths) and how long each
// keeps its buckets, counted back from the newest decision rolled up: the
// overview looks at 1 h by the minute, 24 h by the quarter hour and 7 d by
// the hour.
struct Grain {
  int64_t seconds;
  int64_t kept_seconds;
};
constexpr std::array<Grain, 3> kGrains = {
    {{60, 2 * 86'400}, {900, 8 * 86'400}, {3'600, 400 * 86'400}}};

const Grain* FindGrain(int64_t seconds) {
  auto it = std::find_if(kGrains.begin(), kGrains.end(),
                         [&](const Grain& g) { return g.seconds == seconds; });
  return it == kGrains.end() ? nullptr : &*it;
}

// kind, bucket (its index from `from`, or in the roll-up its start), level,
// action, score bin.
using CountKey = std::tuple<std::string, int64_t, std::string, std::string, int>;
using CountGroups = absl::flat_hash_map<CountKey, int64_t>;

constexpr std::string_view kScoreBin = "MAX(0, MIN(19, CAST(risk_score * 20 AS INTEGER)))";

// Adds one row (kind, bucket, level, action, bin[, count]) to `groups`.
void AddRow(const SqliteStatement& row, CountGroups& groups, int64_t count) {
  groups[CountKey{row.ColumnText(0), row.ColumnInt(1), row.ColumnText(2), row.ColumnText(3),
                  static_cast<int>(row.ColumnInt(4))}] += count;
}

Status AddEachRow(SqliteStatement& stmt, CountGroups& groups, bool counted) {
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) return absl::OkStatus();
    AddRow(stmt, groups, counted ? stmt.ColumnInt(5) : 1);
  }
}

// Decisions after the roll-up beyond which a count reads the range through
// decisions_by_at instead (the roll-up has not run for a while, or not yet
// since the migration): 10 s of scoring at 5 000/s, the server's roll-up
// interval.
constexpr int64_t kLongestTail = 50'000;

StatusOr<int64_t> ReadInt(SqliteConnection& c, std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(sql));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

StatusOr<int64_t> RolledUpThrough(SqliteConnection& c) {
  return ReadInt(c, "SELECT through_seq FROM decision_rollup_state WHERE id = 1");
}

StatusOr<int64_t> LastDecisionSeq(SqliteConnection& c) {
  return ReadInt(c, "SELECT COALESCE(MAX(seq), 0) FROM decisions");
}

// Whether the roll-up still holds every bucket of `grain` from `from` on:
// it drops buckets older than kept_seconds before its newest.
StatusOr<bool> RollUpCovers(SqliteConnection& c, const Grain& grain, Timestamp from) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare("SELECT MAX(bucket_at) FROM decision_rollup WHERE grain = ?"));
  RETURN_IF_ERROR(stmt->BindAll(grain.seconds));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row || stmt->ColumnIsNull(0)) return true;
  return from >= stmt->ColumnInt(0) - grain.kept_seconds;
}

Status AddRolledUp(SqliteConnection& c, Timestamp from, Timestamp until, int64_t grain,
                   CountGroups& groups) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare("SELECT kind, (bucket_at - ?1) / ?3, risk_level, action, score_bin, "
                             "decisions FROM decision_rollup "
                             "WHERE grain = ?3 AND bucket_at >= ?1 AND bucket_at < ?2"));
  RETURN_IF_ERROR(stmt->BindAll(from, until, grain));
  return AddEachRow(*stmt, groups, /*counted=*/true);
}

// The decisions in [from, until) themselves: all of them, or (after_seq > 0)
// only those after the roll-up, found by row id. Payments are decisions of
// kind "transaction" from their own table (the payment flow keeps its scores
// there); decision rows of that kind are left out so none counts twice. The
// groups are counted here, not by GROUP BY: SQLite's sorter for the GROUP BY
// cost more than the scan (at 100 000 decisions, 166 ms against 105 ms).
Status AddDecisionRows(SqliteConnection& c, Timestamp from, Timestamp until, int64_t bucket_seconds,
                       std::optional<int64_t> after_seq, CountGroups& groups) {
  // NOT INDEXED: the rows after the roll-up are a short range of row ids;
  // left to itself the planner would walk decisions_by_at over the range.
  const std::string sql = fmt::format(
      "SELECT kind, (at - ?1) / ?3, risk_level, action, {} FROM decisions{} "
      "WHERE at >= ?1 AND at < ?2 AND kind <> 'transaction'{}",
      kScoreBin, after_seq ? " NOT INDEXED" : "", after_seq ? " AND seq > ?4" : "");
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(sql));
  if (after_seq) {
    RETURN_IF_ERROR(stmt->BindAll(from, until, bucket_seconds, *after_seq));
  } else {
    RETURN_IF_ERROR(stmt->BindAll(from, until, bucket_seconds));
  }
  return AddEachRow(*stmt, groups, /*counted=*/false);
}

// Imported history is never scored; saying so lets the planner use the
// partial index of the flow's payments (schema 14).
Status AddPaymentRows(SqliteConnection& c, Timestamp from, Timestamp until, int64_t bucket_seconds,
                      CountGroups& groups) {
  const std::string sql = fmt::format(R"sql(
SELECT 'transaction', (received_at - ?1) / ?3,
       CASE WHEN json_valid(decision) THEN COALESCE(json_extract(decision, '$.risk_level'), '') ELSE '' END,
       CASE WHEN json_valid(decision) THEN COALESCE(json_extract(decision, '$.action'), '') ELSE '' END,
       {}
FROM transactions
WHERE received_at >= ?1 AND received_at < ?2 AND risk_score IS NOT NULL AND status <> 'historical'
)sql",
                                      kScoreBin);
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(sql));
  RETURN_IF_ERROR(stmt->BindAll(from, until, bucket_seconds));
  return AddEachRow(*stmt, groups, /*counted=*/false);
}

StatusOr<SmsFunnel> CountSms(SqliteConnection& c, Timestamp from, Timestamp until) {
  constexpr std::string_view kSmsFunnel = R"sql(
SELECT COALESCE(SUM(o.sent_at > 0), 0),
       COALESCE(SUM(t.label = 0 AND t.user_response_at > 0), 0),
       COALESCE(SUM(t.label = 1 AND t.user_response_at > 0), 0),
       COALESCE(SUM(EXISTS (SELECT 1 FROM transaction_history h
                            WHERE h.transaction_id = t.transaction_id AND h.status = 'expired')), 0),
       COALESCE(SUM(t.status = 'pending_verification'), 0)
FROM sms_outbound o JOIN transactions t ON t.transaction_id = o.transaction_id
WHERE o.created_at >= ?1 AND o.created_at < ?2
)sql";
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(kSmsFunnel));
  RETURN_IF_ERROR(stmt->BindAll(from, until));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return SmsFunnel{};
  return SmsFunnel{.sent = stmt->ColumnInt(0),
                   .confirmed = stmt->ColumnInt(1),
                   .denied = stmt->ColumnInt(2),
                   .expired = stmt->ColumnInt(3),
                   .pending = stmt->ColumnInt(4)};
}

// What one roll-up read: the new decisions' counts by minute, and the
// newest decision's time.
struct NewCounts {
  int64_t stored_through = 0;  // decision_rollup_state as read
  int64_t through = 0;         // the last seq read
  int64_t decisions = 0;
  Timestamp newest = 0;
  CountGroups minutes;  // bucket: the minute's start
};

StatusOr<NewCounts> ReadNewDecisions(SqliteConnection& c, int64_t max_decisions) {
  ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(c));
  NewCounts counts;
  ASSIGN_OR_RETURN(counts.stored_through, RolledUpThrough(c));
  ASSIGN_OR_RETURN(const int64_t last_seq, LastDecisionSeq(c));
  // Seqs start again at 1 only when every decision was archived (row ids
  // are not AUTOINCREMENT): then whatever is there now is new. (Were more
  // decisions made after that than had been rolled up before, before the
  // next roll-up, the first of them would go uncounted; the server rolls
  // up every few seconds.)
  const int64_t after = last_seq < counts.stored_through ? 0 : counts.stored_through;
  counts.through = std::min(last_seq, after + max_decisions);
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   c.Prepare(fmt::format("SELECT kind, at, risk_level, action, {} "
                                         "FROM decisions NOT INDEXED "
                                         "WHERE seq > ? AND seq <= ? AND kind <> 'transaction'",
                                         kScoreBin)));
  RETURN_IF_ERROR(stmt->BindAll(after, counts.through));
  while (true) {
    ASSIGN_OR_RETURN(const bool more, stmt->Step());
    if (!more) break;
    const Timestamp at = stmt->ColumnInt(1);
    CountKey key{stmt->ColumnText(0), StartOfBucket(at, 60), stmt->ColumnText(2),
                 stmt->ColumnText(3), static_cast<int>(stmt->ColumnInt(4))};
    ++counts.minutes[std::move(key)];
    counts.newest = counts.decisions == 0 ? at : std::max(counts.newest, at);
    ++counts.decisions;
  }
  return counts;
}

// Adds `counts` to every grain's buckets (leaving out those it no longer
// keeps) and drops the buckets that have aged out.
Status WriteRollUp(SqliteConnection& c, const NewCounts& counts) {
  ASSIGN_OR_RETURN(
      SqliteConnection::Lease upsert,
      c.Prepare("INSERT INTO decision_rollup (grain, bucket_at, kind, risk_level, action, "
                "score_bin, decisions) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (grain, bucket_at, kind, risk_level, action, score_bin) "
                "DO UPDATE SET decisions = decisions + excluded.decisions"));
  for (const Grain& grain : kGrains) {
    const Timestamp oldest = StartOfBucket(counts.newest, grain.seconds) - grain.kept_seconds;
    CountGroups buckets;
    for (const auto& [key, n] : counts.minutes) {
      CountKey coarse = key;
      std::get<1>(coarse) = StartOfBucket(std::get<1>(key), grain.seconds);
      if (std::get<1>(coarse) >= oldest) buckets[std::move(coarse)] += n;
    }
    for (const auto& [key, n] : buckets) {
      const auto& [kind, bucket_at, level, action, bin] = key;
      upsert->Reset();
      RETURN_IF_ERROR(upsert->BindAll(grain.seconds, bucket_at, kind, level, action, bin, n));
      RETURN_IF_ERROR(upsert->Run());
    }
    ASSIGN_OR_RETURN(SqliteConnection::Lease prune,
                     c.Prepare("DELETE FROM decision_rollup WHERE grain = ? AND bucket_at < ?"));
    RETURN_IF_ERROR(prune->BindAll(grain.seconds, oldest));
    RETURN_IF_ERROR(prune->Run());
  }
  return absl::OkStatus();
}

}  // namespace

StatusOr<int64_t> SqliteStore::RollUpDecisions(int64_t max_decisions) {
  RETURN_IF_ERROR(CheckNotOnWriter());
  if (max_decisions < 1) return absl::InvalidArgumentError("max_decisions must be at least 1");
  absl::MutexLock lock(&rollup_mu_);
  NewCounts counts;
  {
    ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
    ASSIGN_OR_RETURN(counts, ReadNewDecisions(*reader, max_decisions));
  }
  if (counts.through == counts.stored_through) return 0;
  bool raced = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    // Another process (a second `vigil serve` on the same directory is
    // refused, but a tool may run beside it) may have rolled up meanwhile.
    ASSIGN_OR_RETURN(const int64_t stored, RolledUpThrough(c));
    if (stored != counts.stored_through) {
      raced = true;
      return absl::OkStatus();
    }
    if (counts.decisions > 0) RETURN_IF_ERROR(WriteRollUp(c, counts));
    ASSIGN_OR_RETURN(SqliteConnection::Lease done,
                     c.Prepare("UPDATE decision_rollup_state SET through_seq = ? WHERE id = 1"));
    RETURN_IF_ERROR(done->BindAll(counts.through));
    return done->Run();
  }));
  return raced ? 0 : counts.decisions;
}

StatusOr<DashboardCounts> SqliteStore::CountDecisions(Timestamp from, Timestamp until,
                                                      int64_t bucket_seconds) {
  if (bucket_seconds < 1) return absl::InvalidArgumentError("bucket_seconds must be at least 1");
  if (until < from) return absl::InvalidArgumentError("the range ends before it starts");
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(*reader));
  CountGroups groups;
  // The roll-up answers for a grain's whole buckets; any other range is
  // counted from the decisions themselves.
  const Grain* grain = FindGrain(bucket_seconds);
  std::optional<int64_t> after_seq;
  if (grain != nullptr && StartOfBucket(from, bucket_seconds) == from) {
    ASSIGN_OR_RETURN(const bool covered, RollUpCovers(*reader, *grain, from));
    ASSIGN_OR_RETURN(const int64_t through, RolledUpThrough(*reader));
    ASSIGN_OR_RETURN(const int64_t last, LastDecisionSeq(*reader));
    if (covered && through <= last && last - through <= kLongestTail) {
      after_seq = through;
      RETURN_IF_ERROR(AddRolledUp(*reader, from, until, bucket_seconds, groups));
    }
  }
  RETURN_IF_ERROR(AddDecisionRows(*reader, from, until, bucket_seconds, after_seq, groups));
  RETURN_IF_ERROR(AddPaymentRows(*reader, from, until, bucket_seconds, groups));
  DashboardCounts counts;
  counts.decisions.reserve(groups.size());
  for (const auto& [key, n] : groups) {
    counts.decisions.push_back(DecisionCount{.kind = std::get<0>(key),
                                             .bucket = std::get<1>(key),
                                             .risk_level = std::get<2>(key),
                                             .action = std::get<3>(key),
                                             .score_bin = std::get<4>(key),
                                             .count = n});
  }
  ASSIGN_OR_RETURN(counts.sms, CountSms(*reader, from, until));
  return counts;
}

}  // namespace vigil
