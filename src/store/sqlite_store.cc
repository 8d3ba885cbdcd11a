#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "common/thread_name.h"
#include "fmt/format.h"
#include "store/decision_archive.h"
#include "store/float_blob.h"
#include "store/sqlite_schema.h"

namespace vigil {
namespace {

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (event_id, type, at, payload) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (event_id) DO NOTHING";
constexpr std::string_view kInsertDecision =
    "INSERT INTO decisions (decision_id, subject_id, kind, at, customer_id, model_version, "
    "risk_score, risk_level, action, request_id, document, features, contributions) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
// The columns DecisionFromRow reads, in order.
#define VIGIL_DECISION_COLUMNS                                                              \
  "decision_id, subject_id, kind, at, customer_id, model_version, risk_score, risk_level, " \
  "action, request_id, document, narration, narration_source, features, contributions"

constexpr int64_t kScanPageSize = 1000;
// The archive deletes this many decisions per transaction, and then waits
// as long as that took: each transaction delays the scoring commits queued
// behind it (or, from `vigil archive`, the server's writer waiting for the
// lock), so it stays short and holds the writer at most half of the time.
constexpr int64_t kArchiveDeleteChunk = 500;

bool IsDecisionKind(std::string_view kind) {
  return kind == "order" || kind == "return" || kind == "transaction";
}

Status ValidateBatch(const WriteBatch& batch) {
  for (const EventRecord& event : batch.events) {
    if (event.event_id.empty()) return absl::InvalidArgumentError("an event has an empty event_id");
  }
  for (const DecisionRecord& d : batch.decisions) {
    if (d.decision_id.empty()) {
      return absl::InvalidArgumentError("a decision has an empty decision_id");
    }
    if (d.subject_id.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("decision {} has an empty subject_id", d.decision_id));
    }
    if (!IsDecisionKind(d.kind)) {
      return absl::InvalidArgumentError(
          fmt::format("decision {} has kind '{}'; expected order, return or transaction",
                      d.decision_id, d.kind));
    }
  }
  return absl::OkStatus();
}

size_t BatchBytes(const WriteBatch& batch) {
  size_t bytes = 0;
  for (const EventRecord& e : batch.events) bytes += e.event_id.size() + e.payload.size() + 32;
  for (const DecisionRecord& d : batch.decisions) {
    bytes += d.document.size() + d.features.size() * sizeof(float) +
             d.contributions.size() * sizeof(double) + 128;
  }
  return bytes;
}

Status InsertEvent(SqliteConnection& c, const EventRecord& e, bool* was_new) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(kInsertEvent));
  RETURN_IF_ERROR(stmt->BindAll(e.event_id, e.type, e.at, SqlBlob{e.payload}));
  RETURN_IF_ERROR(stmt->Run());
  *was_new = c.Changes() == 1;
  return absl::OkStatus();
}

Status InsertDecision(SqliteConnection& c, const DecisionRecord& d) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(kInsertDecision));
  RETURN_IF_ERROR(
      stmt->BindAll(d.decision_id, d.subject_id, d.kind, d.at, d.customer_id, d.model_version,
                    d.risk_score, d.risk_level, d.action, d.request_id, d.document,
                    SqlBlob{EncodeFloatBlob(std::span<const float>(d.features))},
                    SqlBlob{EncodeFloatBlob(std::span<const double>(d.contributions))}));
  const Status status = stmt->Run();
  if (absl::IsAlreadyExists(status)) {
    return absl::AlreadyExistsError(fmt::format(
        "decision {} already exists; decisions are immutable (batch rejected)", d.decision_id));
  }
  return status;
}

// A decision from VIGIL_DECISION_COLUMNS starting at column `first`. A float
// blob of a broken length reads as empty (the document still stands).
DecisionRecord DecisionFromRow(const SqliteStatement& row, int first = 0) {
  DecisionRecord d;
  d.decision_id = row.ColumnText(first);
  d.subject_id = row.ColumnText(first + 1);
  d.kind = row.ColumnText(first + 2);
  d.at = row.ColumnInt(first + 3);
  d.customer_id = row.ColumnText(first + 4);
  d.model_version = row.ColumnText(first + 5);
  d.risk_score = row.ColumnDouble(first + 6);
  d.risk_level = row.ColumnText(first + 7);
  d.action = row.ColumnText(first + 8);
  d.request_id = row.ColumnText(first + 9);
  d.document = row.ColumnText(first + 10);
  d.narration = row.ColumnText(first + 11);
  d.narration_source = row.ColumnText(first + 12);
  if (auto features = DecodeFloatBlob<float>(row.ColumnText(first + 13)); features.ok()) {
    d.features = *std::move(features);
  }
  if (auto contributions = DecodeFloatBlob<double>(row.ColumnText(first + 14));
      contributions.ok()) {
    d.contributions = *std::move(contributions);
  }
  return d;
}

// The first decision `sql` (one `?` parameter) returns, or nullopt.
StatusOr<std::optional<DecisionRecord>> QueryDecision(SqliteConnection& c, std::string_view sql,
                                                      std::string_view param) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(sql));
  RETURN_IF_ERROR(stmt->BindAll(param));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::nullopt;
  return DecisionFromRow(*stmt);
}

Status ValidateListKey(std::string_view list, std::string_view field) {
  if (list != "allow" && list != "block") {
    return absl::InvalidArgumentError(fmt::format("list '{}': expected allow or block", list));
  }
  if (field != "customer" && field != "device" && field != "pincode" && field != "phone") {
    return absl::InvalidArgumentError(
        fmt::format("list field '{}': expected customer, device, pincode or phone", field));
  }
  return absl::OkStatus();
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

// One unit of the writer's work, applied inside the group transaction in its
// own savepoint, finished after the transaction commits (or fails).
class SqliteStore::WriteUnit {
 public:
  virtual ~WriteUnit() = default;
  [[nodiscard]] virtual Status Apply(SqliteConnection& c) = 0;
  virtual void Finish(Status status) = 0;
  // Submit's batches, as opposed to the store's own tasks; only they count
  // in StoreStats::batches / failed_batches.
  virtual bool IsWriteBatch() const { return false; }
};

namespace {

class BatchUnit final : public SqliteStore::WriteUnit {
 public:
  BatchUnit(WriteBatch batch, Store::WriteCallback done)
      : batch_(std::move(batch)), done_(std::move(done)) {}

  Status Apply(SqliteConnection& c) override {
    RETURN_IF_ERROR(ValidateBatch(batch_));
    result_.event_was_new.assign(batch_.events.size(), false);
    for (size_t i = 0; i < batch_.events.size(); ++i) {
      bool was_new = false;
      RETURN_IF_ERROR(InsertEvent(c, batch_.events[i], &was_new));
      result_.event_was_new[i] = was_new;
    }
    for (const DecisionRecord& d : batch_.decisions) RETURN_IF_ERROR(InsertDecision(c, d));
    return absl::OkStatus();
  }

  void Finish(Status status) override {
    if (status.ok()) {
      done_(std::move(result_));
    } else {
      done_(std::move(status));
    }
  }

  bool IsWriteBatch() const override { return true; }
  size_t bytes() const { return BatchBytes(batch_); }

 private:
  WriteBatch batch_;
  Store::WriteCallback done_;
  WriteResult result_;
};

class TaskUnit final : public SqliteStore::WriteUnit {
 public:
  TaskUnit(std::function<Status(SqliteConnection&)> task, std::function<void(Status)> done)
      : task_(std::move(task)), done_(std::move(done)) {}

  Status Apply(SqliteConnection& c) override { return task_(c); }
  void Finish(Status status) override { done_(std::move(status)); }

 private:
  std::function<Status(SqliteConnection&)> task_;
  std::function<void(Status)> done_;
};

Status RunStatement(SqliteConnection& c, std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, c.Prepare(sql));
  return stmt->Run();
}

// Applies `unit` so that its failure undoes only its own changes.
Status ApplyInSavepoint(SqliteConnection& c, SqliteStore::WriteUnit& unit) {
  RETURN_IF_ERROR(RunStatement(c, "SAVEPOINT unit"));
  Status status = unit.Apply(c);
  if (!status.ok()) (void)RunStatement(c, "ROLLBACK TO unit");
  const Status released = RunStatement(c, "RELEASE unit");
  return status.ok() ? released : status;
}

// One attempt at the group's transaction; per-unit outcomes go to `results`.
// Without savepoints the first failing unit ends the attempt: everything is
// rolled back and *retry is set. Returns a failure of the whole transaction.
Status TryGroup(SqliteConnection& c, std::vector<std::unique_ptr<SqliteStore::WriteUnit>>& group,
                bool savepoints, std::vector<Status>& results, bool* retry) {
  RETURN_IF_ERROR(RunStatement(c, "BEGIN IMMEDIATE"));
  for (size_t i = 0; i < group.size(); ++i) {
    results[i] = savepoints ? ApplyInSavepoint(c, *group[i]) : group[i]->Apply(c);
    if (results[i].ok()) continue;
    // Some errors (I/O, disk full) make SQLite roll back the whole
    // transaction; then nothing of the group can be committed.
    if (sqlite3_get_autocommit(c.db()) != 0) return results[i];
    if (!savepoints) {
      *retry = true;
      return RunStatement(c, "ROLLBACK");
    }
  }
  return RunStatement(c, "COMMIT");
}

// Visits the rows of `sql` with seq > after_seq in seq order, a page at a
// time. `sql` selects seq first and takes `leading...`, then the seq and the
// page size, as parameters. The reader goes back to the pool before `fn` runs.
template <typename Record, typename ReadRow, typename... Leading>
Status ScanBySeq(ReaderPool& readers, std::string_view sql, int64_t after_seq,
                 const std::function<Status(int64_t, const Record&)>& fn, ReadRow read_row,
                 const Leading&... leading) {
  while (true) {
    std::vector<std::pair<int64_t, Record>> page;
    {
      ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers.Acquire());
      ASSIGN_OR_RETURN(SqliteConnection::Lease stmt, reader->Prepare(sql));
      RETURN_IF_ERROR(stmt->BindAll(leading..., after_seq, kScanPageSize));
      while (true) {
        ASSIGN_OR_RETURN(const bool row, stmt->Step());
        if (!row) break;
        page.emplace_back(stmt->ColumnInt(0), read_row(*stmt));
      }
    }
    for (const auto& [seq, record] : page) RETURN_IF_ERROR(fn(seq, record));
    if (static_cast<int64_t>(page.size()) < kScanPageSize) return absl::OkStatus();
    after_seq = page.back().first;
  }
}

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir,
                                                 SqliteStoreOptions options) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        fmt::format("cannot create the store directory {}: {}", data_dir, error.message()));
  }
  const std::string path = data_dir + "/vigil.db";
  StatusOr<std::unique_ptr<SqliteConnection>> writer =
      SqliteConnection::Open(path, {options.busy_timeout_ms, /*read_only=*/false});
  if (!writer.ok()) {
    return Status(writer.status().code(),
                  fmt::format("cannot open the store at {}: {}", path, writer.status().message()));
  }
  RETURN_IF_ERROR(MigrateSqliteSchema(**writer));
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options, *std::move(writer)));
  RETURN_IF_ERROR(store->RemoveIncompleteSnapshots());
  return store;
}

SqliteStore::SqliteStore(std::string path, SqliteStoreOptions options,
                         std::unique_ptr<SqliteConnection> writer)
    : path_(std::move(path)),
      options_(options),
      writer_(std::move(writer)),
      readers_(path_, {options.busy_timeout_ms, /*read_only=*/true}, options.reader_connections),
      queue_(options.max_queued_units) {
  // Replaces SQLite's autocheckpoint, which would copy the WAL inside the
  // commit, before the group's callbacks. Installed before the writer starts.
  sqlite3_wal_hook(writer_->db(), &SqliteStore::OnWalCommit, this);
  writer_thread_ = std::thread([this] {
    NameThisThread("vigil-store");
    WriterLoop();
  });
  writer_thread_id_.store(writer_thread_.get_id());
  if (options_.background_checkpoint) {
    checkpoint_thread_ = std::thread([this] {
      NameThisThread("vigil-checkpoint");
      CheckpointLoop();
    });
  }
}

// The writer's WAL hook, inside each commit: records the WAL's size for
// WriterLoop or the checkpointer. With a checkpointer, also checkpoints
// inline past 4x the threshold should that thread fall behind.
int SqliteStore::OnWalCommit(void* arg, sqlite3* db, const char*, int pages) {
  auto* store = static_cast<SqliteStore*>(arg);
  store->wal_pages_.store(pages, std::memory_order_relaxed);
  if (!store->options_.background_checkpoint) return SQLITE_OK;
  if (pages >= 4 * std::max(1, store->options_.wal_checkpoint_pages)) {
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  auto connection = SqliteConnection::Open(path_, {options_.busy_timeout_ms, /*read_only=*/false});
  if (!connection.ok()) return;  // the writer's inline checkpoints still bound the WAL
  const int threshold = std::max(1, options_.wal_checkpoint_pages);
  while (true) {
    {
      absl::MutexLock lock(&checkpoint_mu_);
      if (checkpoint_mu_.AwaitWithTimeout(absl::Condition(&checkpoint_stop_),
                                          absl::Milliseconds(50))) {
        return;
      }
    }
    if (wal_pages_.load(std::memory_order_relaxed) < threshold) continue;
    int log_frames = 0, checkpointed = 0;
    // PASSIVE copies what it can without the write lock; what commits add
    // meanwhile waits for the next pass. Once everything is copied the
    // writer starts the WAL over at its next commit.
    if (sqlite3_wal_checkpoint_v2((*connection)->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                  &log_frames, &checkpointed) == SQLITE_OK) {
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
      if (checkpointed == log_frames) wal_pages_.store(0, std::memory_order_relaxed);
    }
  }
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  absl::MutexLock lock(&close_mu_);
  {
    absl::MutexLock stop(&checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  if (checkpoint_thread_.joinable() && std::this_thread::get_id() != checkpoint_thread_.get_id()) {
    checkpoint_thread_.join();
  }
  queue_.Close();
  // From a callback the writer cannot join itself; it exits after draining.
  if (std::this_thread::get_id() == writer_thread_id_.load()) return;
  if (writer_thread_.joinable()) writer_thread_.join();
}

void SqliteStore::Submit(WriteBatch batch, WriteCallback done) {
  auto unit = std::make_unique<BatchUnit>(std::move(batch), std::move(done));
  const size_t bytes = unit->bytes();
  std::unique_ptr<WriteUnit> generic = std::move(unit);
  const Status queued = queue_.Push(std::move(generic), bytes);
  if (!queued.ok()) {
    failed_batches_.fetch_add(1, std::memory_order_relaxed);
    generic->Finish(queued);
  }
}

class SqliteStore::Reservation final : public WriteReservation {
 public:
  Reservation(SqliteStore* store, uint64_t ticket) : store_(store), ticket_(ticket) {}
  ~Reservation() override {
    if (!submitted_) store_->queue_.Cancel(ticket_);
  }

  void Submit(WriteBatch batch, Store::WriteCallback done) override {
    submitted_ = true;
    auto unit = std::make_unique<BatchUnit>(std::move(batch), std::move(done));
    const size_t bytes = unit->bytes();
    store_->queue_.Fill(ticket_, std::move(unit), bytes);
  }

 private:
  SqliteStore* const store_;
  const uint64_t ticket_;
  bool submitted_ = false;
};

StatusOr<std::unique_ptr<WriteReservation>> SqliteStore::Reserve() {
  ASSIGN_OR_RETURN(const uint64_t ticket, queue_.Reserve());
  return std::make_unique<Reservation>(this, ticket);
}

Status SqliteStore::CheckNotOnWriter() const {
  if (std::this_thread::get_id() == writer_thread_id_.load()) {
    return absl::FailedPreconditionError(
        "a blocking store write was called from a write callback (the writer thread)");
  }
  return absl::OkStatus();
}

Status SqliteStore::RunOnWriter(WriterTask task, size_t bytes) {
  RETURN_IF_ERROR(CheckNotOnWriter());
  absl::Notification done;
  Status result;
  std::unique_ptr<WriteUnit> unit = std::make_unique<TaskUnit>(std::move(task), [&](Status s) {
    result = std::move(s);
    done.Notify();
  });
  const Status queued = queue_.Push(std::move(unit), bytes);
  if (!queued.ok()) return queued;
  done.WaitForNotification();
  return result;
}

Status SqliteStore::SubmitTask(WriterTask task, std::function<void(Status)> done, size_t bytes) {
  std::unique_ptr<WriteUnit> unit = std::make_unique<TaskUnit>(std::move(task), std::move(done));
  return queue_.Push(std::move(unit), bytes);
}

void SqliteStore::WriterLoop() {
  while (true) {
    std::vector<std::unique_ptr<WriteUnit>> group =
        queue_.TakeGroup(options_.max_group_units, options_.max_group_bytes);
    if (group.empty()) return;
    CommitGroup(group);
    if (!options_.background_checkpoint) CheckpointIfDue();
  }
}

// Runs after the group's callbacks, so no acknowledgement waits for the copy
// (at 5 000 scores/s a checkpoint of 250 pages took ~0.9 ms, half of it the
// database file's fsync); only the groups queued behind it wait.
void SqliteStore::CheckpointIfDue() {
  if (wal_pages_.load(std::memory_order_relaxed) < std::max(1, options_.wal_checkpoint_pages)) {
    return;
  }
  int log_frames = 0;
  int checkpointed = 0;
  if (sqlite3_wal_checkpoint_v2(writer_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                &checkpointed) != SQLITE_OK) {
    return;  // e.g. busy with another process's checkpoint: tried again after the next commit
  }
  checkpoints_.fetch_add(1, std::memory_order_relaxed);
  if (checkpointed == log_frames) wal_pages_.store(0, std::memory_order_relaxed);
}

void SqliteStore::CommitGroup(std::vector<std::unique_ptr<WriteUnit>>& group) {
  const auto start = std::chrono::steady_clock::now();
  SqliteConnection& c = *writer_;
  std::vector<Status> results(group.size());
  // Savepoints copy every page a unit touches into a statement journal; pay
  // for them only when a unit of the group fails.
  bool retry = false;
  Status status = TryGroup(c, group, /*savepoints=*/false, results, &retry);
  if (status.ok() && retry) status = TryGroup(c, group, /*savepoints=*/true, results, &retry);
  if (!status.ok()) {
    if (sqlite3_get_autocommit(c.db()) == 0) (void)RunStatement(c, "ROLLBACK");
    const Status lost(status.code(),
                      fmt::format("store commit failed, batch not written: {}", status.message()));
    std::fill(results.begin(), results.end(), lost);
  }
  size_t batches = 0;
  size_t failed = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    if (!group[i]->IsWriteBatch()) continue;
    ++batches;
    failed += results[i].ok() ? 0 : 1;
  }
  RecordCommit(group.size(), batches, failed, MicrosSince(start));
  for (size_t i = 0; i < group.size(); ++i) group[i]->Finish(std::move(results[i]));
}

void SqliteStore::RecordCommit(size_t units, size_t batches, size_t failed, int64_t micros) {
  commits_.fetch_add(1, std::memory_order_relaxed);
  batches_.fetch_add(static_cast<int64_t>(batches - failed), std::memory_order_relaxed);
  failed_batches_.fetch_add(static_cast<int64_t>(failed), std::memory_order_relaxed);
  last_group_size_.store(static_cast<int64_t>(units), std::memory_order_relaxed);
  last_commit_micros_.store(micros, std::memory_order_relaxed);
  total_commit_micros_.fetch_add(micros, std::memory_order_relaxed);
  if (micros > max_commit_micros_.load(std::memory_order_relaxed)) {
    max_commit_micros_.store(micros, std::memory_order_relaxed);  // only the writer stores
  }
  if (options_.on_commit) options_.on_commit(micros);
}

StoreStats SqliteStore::Stats() const {
  StoreStats stats;
  stats.queue_depth = static_cast<int64_t>(queue_.depth());
  stats.commits = commits_.load(std::memory_order_relaxed);
  stats.batches = batches_.load(std::memory_order_relaxed);
  stats.failed_batches = failed_batches_.load(std::memory_order_relaxed);
  stats.last_group_size = last_group_size_.load(std::memory_order_relaxed);
  stats.last_commit_micros = last_commit_micros_.load(std::memory_order_relaxed);
  stats.max_commit_micros = max_commit_micros_.load(std::memory_order_relaxed);
  stats.total_commit_micros = total_commit_micros_.load(std::memory_order_relaxed);
  stats.checkpoints = checkpoints_.load(std::memory_order_relaxed);
  return stats;
}

// ---- events ----

Status SqliteStore::ScanEvents(int64_t after_seq,
                               const std::function<Status(int64_t, const EventRecord&)>& fn) {
  return ScanBySeq<EventRecord>(
      readers_,
      "SELECT seq, event_id, type, at, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
      after_seq, fn, [](const SqliteStatement& row) {
        return EventRecord{row.ColumnText(1), row.ColumnText(2), row.ColumnInt(3),
                           row.ColumnText(4)};
      });
}

Status SqliteStore::ScanDecisions(std::string_view kind, int64_t after_seq,
                                  const std::function<Status(int64_t, const DecisionRecord&)>& fn) {
  return ScanBySeq<DecisionRecord>(
      readers_,
      "SELECT seq, " VIGIL_DECISION_COLUMNS
      " FROM decisions WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?",
      after_seq, fn, [](const SqliteStatement& row) { return DecisionFromRow(row, 1); }, kind);
}

StatusOr<int64_t> SqliteStore::LastEventSeq() {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT COALESCE(MAX(seq), 0) FROM events"));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

StatusOr<bool> SqliteStore::HasEvent(std::string_view event_id) {
  const std::string id(event_id);
  ASSIGN_OR_RETURN(const std::vector<bool> known, KnownEvents(std::span(&id, 1)));
  return known[0];
}

StatusOr<std::vector<bool>> SqliteStore::KnownEvents(std::span<const std::string> event_ids) {
  std::vector<bool> known(event_ids.size(), false);
  if (event_ids.empty()) return known;
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(ReadTransaction transaction, ReadTransaction::Begin(*reader));
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT 1 FROM events WHERE event_id = ?"));
  for (size_t i = 0; i < event_ids.size(); ++i) {
    RETURN_IF_ERROR(stmt->BindAll(event_ids[i]));
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    known[i] = row;
    stmt->Reset();
  }
  return known;
}

StatusOr<std::optional<EventRecord>> SqliteStore::FindEvent(std::string_view event_id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT event_id, type, at, payload FROM events "
                                   "WHERE event_id = ?"));
  RETURN_IF_ERROR(stmt->BindAll(event_id));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::optional<EventRecord>();
  return std::optional<EventRecord>(EventRecord{stmt->ColumnText(0), stmt->ColumnText(1),
                                                stmt->ColumnInt(2), stmt->ColumnText(3)});
}

// ---- decisions ----

StatusOr<std::optional<DecisionRecord>> SqliteStore::FindDecision(std::string_view id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(
      std::optional<DecisionRecord> by_id,
      QueryDecision(*reader,
                    "SELECT " VIGIL_DECISION_COLUMNS " FROM decisions WHERE decision_id = ?", id));
  if (by_id) return by_id;
  return QueryDecision(*reader,
                       "SELECT " VIGIL_DECISION_COLUMNS
                       " FROM decisions WHERE subject_id = ? ORDER BY at DESC, seq DESC LIMIT 1",
                       id);
}

Status SqliteStore::AttachNarration(std::string_view decision_id, std::string_view text,
                                    std::string_view source) {
  return RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     c.Prepare("UPDATE decisions SET narration = ?, narration_source = ? "
                               "WHERE decision_id = ?"));
    RETURN_IF_ERROR(stmt->BindAll(text, source, decision_id));
    RETURN_IF_ERROR(stmt->Run());
    if (c.Changes() == 0) {
      return absl::NotFoundError(fmt::format("no decision with decision_id {}", decision_id));
    }
    return absl::OkStatus();
  });
}

// ---- lists ----

Status SqliteStore::PutListEntry(const ListEntry& e) {
  RETURN_IF_ERROR(ValidateListKey(e.list, e.field));
  if (e.value.empty()) return absl::InvalidArgumentError("a list entry needs a value");
  return RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease stmt,
        c.Prepare("INSERT INTO list_entries (list, field, value, reason, added_at, added_by) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (list, field, value) DO UPDATE SET "
                  "reason = excluded.reason, added_at = excluded.added_at, "
                  "added_by = excluded.added_by"));
    RETURN_IF_ERROR(stmt->BindAll(e.list, e.field, e.value, e.reason, e.added_at, e.added_by));
    return stmt->Run();
  });
}

StatusOr<bool> SqliteStore::RemoveListEntry(std::string_view list, std::string_view field,
                                            std::string_view value) {
  RETURN_IF_ERROR(ValidateListKey(list, field));
  bool removed = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease stmt,
        c.Prepare("DELETE FROM list_entries WHERE list = ? AND field = ? AND value = ?"));
    RETURN_IF_ERROR(stmt->BindAll(list, field, value));
    RETURN_IF_ERROR(stmt->Run());
    removed = c.Changes() > 0;
    return absl::OkStatus();
  }));
  return removed;
}

StatusOr<std::vector<ListEntry>> SqliteStore::ListEntries() {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT list, field, value, reason, added_at, added_by "
                                   "FROM list_entries ORDER BY list, field, value"));
  std::vector<ListEntry> entries;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return entries;
    entries.push_back(ListEntry{stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2),
                                stmt->ColumnText(3), stmt->ColumnInt(4), stmt->ColumnText(5)});
  }
}

// ---- accounts ----

namespace {

constexpr std::string_view kAccountColumns =
    "user_id, name, phone, sms_opt_out, status, language, created_at, updated_at";

AccountRecord AccountFromRow(const SqliteStatement& row) {
  return AccountRecord{.user_id = row.ColumnText(0),
                       .name = row.ColumnText(1),
                       .phone = row.ColumnText(2),
                       .sms_opt_out = row.ColumnInt(3) != 0,
                       .status = row.ColumnText(4),
                       .language = row.ColumnText(5),
                       .created_at = row.ColumnInt(6),
                       .updated_at = row.ColumnInt(7)};
}

}  // namespace

StatusOr<bool> SqliteStore::PutAccount(const AccountRecord& a) {
  if (a.user_id.empty()) return absl::InvalidArgumentError("an account needs a user_id");
  if (a.phone.empty()) {
    return absl::InvalidArgumentError(fmt::format("account {} has no phone number", a.user_id));
  }
  if (a.status != "active" && a.status != "blocked") {
    return absl::InvalidArgumentError(
        fmt::format("account status '{}': expected active or blocked", a.status));
  }
  bool created = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    {
      ASSIGN_OR_RETURN(SqliteConnection::Lease exists,
                       c.Prepare("SELECT 1 FROM accounts WHERE user_id = ?"));
      RETURN_IF_ERROR(exists->BindAll(a.user_id));
      ASSIGN_OR_RETURN(const bool found, exists->Step());
      created = !found;
    }
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease stmt,
        c.Prepare("INSERT INTO accounts (user_id, name, phone, sms_opt_out, status, language, "
                  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, "
                  "phone = excluded.phone, sms_opt_out = excluded.sms_opt_out, "
                  "status = excluded.status, language = excluded.language, "
                  "updated_at = excluded.updated_at"));
    RETURN_IF_ERROR(stmt->BindAll(a.user_id, a.name, a.phone, int64_t{a.sms_opt_out ? 1 : 0},
                                  a.status, a.language, a.created_at, a.updated_at));
    return stmt->Run();
  }));
  return created;
}

StatusOr<std::optional<AccountRecord>> SqliteStore::FindAccount(std::string_view user_id) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(
      SqliteConnection::Lease stmt,
      reader->Prepare(fmt::format("SELECT {} FROM accounts WHERE user_id = ?", kAccountColumns)));
  RETURN_IF_ERROR(stmt->BindAll(user_id));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::optional<AccountRecord>();
  return std::optional<AccountRecord>(AccountFromRow(*stmt));
}

StatusOr<std::vector<AccountRecord>> SqliteStore::AccountsByPhone(std::string_view phone) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare(fmt::format(
                       "SELECT {} FROM accounts WHERE phone = ? ORDER BY updated_at DESC, user_id",
                       kAccountColumns)));
  RETURN_IF_ERROR(stmt->BindAll(phone));
  std::vector<AccountRecord> accounts;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return accounts;
    accounts.push_back(AccountFromRow(*stmt));
  }
}

// ---- API keys ----

Status SqliteStore::PutApiKey(const ApiKeyRecord& k) {
  if (k.key_id.empty()) return absl::InvalidArgumentError("an API key needs a key_id");
  if (k.key_hash.empty()) {
    return absl::InvalidArgumentError(fmt::format("API key {} has an empty key_hash", k.key_id));
  }
  return RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease stmt,
        c.Prepare("INSERT INTO api_keys (key_id, name, role, key_hash, created_at, revoked_at) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET "
                  "name = excluded.name, role = excluded.role, key_hash = excluded.key_hash, "
                  "revoked_at = COALESCE(api_keys.revoked_at, excluded.revoked_at)"));
    RETURN_IF_ERROR(
        stmt->BindAll(k.key_id, k.name, k.role, k.key_hash, k.created_at, k.revoked_at));
    return stmt->Run();
  });
}

StatusOr<std::vector<ApiKeyRecord>> SqliteStore::ApiKeys() {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                   reader->Prepare("SELECT key_id, name, role, key_hash, created_at, revoked_at "
                                   "FROM api_keys ORDER BY created_at, key_id"));
  std::vector<ApiKeyRecord> keys;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return keys;
    ApiKeyRecord& k = keys.emplace_back();
    k.key_id = stmt->ColumnText(0);
    k.name = stmt->ColumnText(1);
    k.role = stmt->ColumnText(2);
    k.key_hash = stmt->ColumnText(3);
    k.created_at = stmt->ColumnInt(4);
    if (!stmt->ColumnIsNull(5)) k.revoked_at = stmt->ColumnInt(5);
  }
}

StatusOr<bool> SqliteStore::RevokeApiKey(std::string_view key_id, Timestamp at) {
  bool revoked = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     c.Prepare("UPDATE api_keys SET revoked_at = ? "
                               "WHERE key_id = ? AND revoked_at IS NULL"));
    RETURN_IF_ERROR(stmt->BindAll(at, key_id));
    RETURN_IF_ERROR(stmt->Run());
    revoked = c.Changes() > 0;
    if (revoked) return absl::OkStatus();
    ASSIGN_OR_RETURN(SqliteConnection::Lease exists,
                     c.Prepare("SELECT 1 FROM api_keys WHERE key_id = ?"));
    RETURN_IF_ERROR(exists->BindAll(key_id));
    ASSIGN_OR_RETURN(const bool found, exists->Step());
    if (!found) return absl::NotFoundError(fmt::format("no API key with key_id {}", key_id));
    return absl::OkStatus();
  }));
  return revoked;
}

// ---- snapshots ----

Status SqliteStore::RemoveIncompleteSnapshots() {
  return RunOnWriter([](SqliteConnection& c) {
    return RunStatement(c, "DELETE FROM snapshots WHERE complete = 0");
  });
}

Status SqliteStore::PutSnapshot(int64_t seq, std::string_view blob) {
  absl::MutexLock lock(&snapshot_mu_);
  int64_t id = 0;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     c.Prepare("INSERT INTO snapshots (seq, size, complete) VALUES (?, ?, 0) "
                               "RETURNING id"));
    RETURN_IF_ERROR(stmt->BindAll(seq, static_cast<int64_t>(blob.size())));
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) return absl::InternalError("INSERT ... RETURNING gave no snapshot id");
    id = stmt->ColumnInt(0);
    return stmt->Run();
  }));
  // One chunk per transaction: group commits of scoring traffic interleave.
  const size_t chunk_bytes = std::max<size_t>(1, options_.snapshot_chunk_bytes);
  for (size_t offset = 0, chunk = 0; offset < blob.size(); offset += chunk_bytes, ++chunk) {
    const std::string_view piece = blob.substr(offset, chunk_bytes);
    const Status written = RunOnWriter(
        [&](SqliteConnection& c) -> Status {
          ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                           c.Prepare("INSERT INTO snapshot_chunks (snapshot_id, chunk, data) "
                                     "VALUES (?, ?, ?)"));
          RETURN_IF_ERROR(stmt->BindAll(id, static_cast<int64_t>(chunk), SqlBlob{piece}));
          return stmt->Run();
        },
        piece.size());
    if (!written.ok()) {
      (void)RemoveIncompleteSnapshots();
      return written;
    }
  }
  return RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease done,
                     c.Prepare("UPDATE snapshots SET complete = 1 WHERE id = ?"));
    RETURN_IF_ERROR(done->BindAll(id));
    RETURN_IF_ERROR(done->Run());
    // Chunks go with their snapshot (ON DELETE CASCADE).
    return RunStatement(c,
                        "DELETE FROM snapshots WHERE id NOT IN (SELECT id FROM snapshots "
                        "WHERE complete = 1 ORDER BY seq DESC, id DESC LIMIT 2)");
  });
}

StatusOr<std::optional<std::pair<int64_t, std::string>>> SqliteStore::LatestSnapshot() {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(ReadTransaction transaction, ReadTransaction::Begin(*reader));
  ASSIGN_OR_RETURN(SqliteConnection::Lease head,
                   reader->Prepare("SELECT id, seq, size FROM snapshots WHERE complete = 1 "
                                   "ORDER BY seq DESC, id DESC LIMIT 1"));
  ASSIGN_OR_RETURN(const bool found, head->Step());
  if (!found) return std::nullopt;
  const int64_t id = head->ColumnInt(0);
  std::pair<int64_t, std::string> snapshot(head->ColumnInt(1), std::string());
  snapshot.second.reserve(static_cast<size_t>(head->ColumnInt(2)));
  ASSIGN_OR_RETURN(SqliteConnection::Lease chunks,
                   reader->Prepare("SELECT data FROM snapshot_chunks WHERE snapshot_id = ? "
                                   "ORDER BY chunk"));
  RETURN_IF_ERROR(chunks->BindAll(id));
  while (true) {
    ASSIGN_OR_RETURN(const bool row, chunks->Step());
    if (!row) break;
    snapshot.second += chunks->ColumnText(0);
  }
  if (static_cast<int64_t>(snapshot.second.size()) != head->ColumnInt(2)) {
    return absl::DataLossError(fmt::format("snapshot at seq {} has {} bytes, expected {}",
                                           snapshot.first, snapshot.second.size(),
                                           head->ColumnInt(2)));
  }
  return snapshot;
}

// ---- retention ----

StatusOr<int64_t> SqliteStore::WriteArchiveFile(Timestamp cutoff, const std::string& dir,
                                                int64_t* max_seq) {
  ASSIGN_OR_RETURN(DecisionArchiveWriter archive, DecisionArchiveWriter::Create(dir));
  {
    ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
    ASSIGN_OR_RETURN(ReadTransaction transaction, ReadTransaction::Begin(*reader));
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     reader->Prepare("SELECT seq, " VIGIL_DECISION_COLUMNS
                                     " FROM decisions WHERE at < ? ORDER BY seq"));
    RETURN_IF_ERROR(stmt->BindAll(cutoff));
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt->Step());
      if (!row) break;
      *max_seq = stmt->ColumnInt(0);
      RETURN_IF_ERROR(archive.Append(DecisionFromRow(*stmt, /*first=*/1)));
    }
  }
  if (archive.count() == 0) return 0;
  RETURN_IF_ERROR(archive.Commit().status());
  return archive.count();
}

StatusOr<int64_t> SqliteStore::ArchiveDecisions(Timestamp cutoff, const std::string& archive_dir) {
  RETURN_IF_ERROR(CheckNotOnWriter());  // before writing a file it could not finish
  absl::MutexLock lock(&archive_mu_);
  int64_t max_seq = 0;
  ASSIGN_OR_RETURN(const int64_t archived, WriteArchiveFile(cutoff, archive_dir, &max_seq));
  if (archived == 0) return 0;
  // Only rows the file holds: a decision committed after the read has a
  // larger seq (seq only grows while the archived rows still exist). Deleted
  // in chunks so that no single transaction stalls scoring traffic.
  int64_t deleted = 0;
  for (int64_t changes = -1; changes != 0;) {
    const auto start = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
      ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                       c.Prepare("DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions "
                                 "WHERE at < ? AND seq <= ? ORDER BY seq LIMIT ?)"));
      RETURN_IF_ERROR(stmt->BindAll(cutoff, max_seq, kArchiveDeleteChunk));
      RETURN_IF_ERROR(stmt->Run());
      changes = c.Changes();
      return absl::OkStatus();
    }));
    deleted += changes;
    std::this_thread::sleep_for(std::chrono::steady_clock::now() - start);
  }
  if (deleted != archived) {
    return absl::InternalError(
        fmt::format("archived {} decisions but deleted {}; the archive file holds all of them",
                    archived, deleted));
  }
  return archived;
}

}  // namespace vigil
