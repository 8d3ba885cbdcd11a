// SqliteStore: the embedded Store on one SQLite file (data_dir/vigil.db) in
// WAL mode with synchronous=FULL. One writer thread owns the only write
// connection and group-commits everything queued (write batches from Submit
// and the small synchronous writes: lists, keys, narration, snapshot chunks,
// archive deletes) in one transaction with one fsync, each unit inside its
// own savepoint so a rejected batch does not affect its neighbours. Reads use
// a pool of read-only connections and never wait for the writer.
//
// Thread-safety: as for Store (store.h): any method from any thread.
#ifndef VIGIL_STORE_SQLITE_STORE_H_
#define VIGIL_STORE_SQLITE_STORE_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "store/group_commit_queue.h"
#include "store/reader_pool.h"
#include "store/sqlite_connection.h"
#include "store/store.h"

struct sqlite3;

namespace vigil {

struct SqliteStoreOptions {
  size_t max_group_units = 1000;          // write units per transaction
  size_t max_group_bytes = 8 << 20;       // ... and their payload bytes
  size_t max_queued_units = 100'000;      // Submit beyond this: ResourceExhausted
  int reader_connections = 4;             // read-only connections, opened on demand
  int busy_timeout_ms = 5000;             // waiting for another process's lock
  size_t snapshot_chunk_bytes = 4 << 20;  // PutSnapshot writes blobs in pieces this big
  // The WAL is checkpointed into the database file once it holds this many
  // 8 KiB pages (8 000: 64 MiB). Larger: fewer checkpoints (a page rewritten
  // by many commits is copied once) and a bigger WAL file.
  int wal_checkpoint_pages = 8'000;
  // true: checkpoint on a thread and connection of their own (PASSIVE: it
  // never blocks a commit); the writer still checkpoints itself past
  // 4 × wal_checkpoint_pages should that thread fall behind. false (the
  // default): the writer checkpoints once a commit leaves the WAL at
  // wal_checkpoint_pages or more, after that group's callbacks have run, so
  // only the groups queued behind it wait. Off by default because it measured worse: under
  // `bench/load.sh` the p99 rose from 25–34 ms to 44–85 ms, the checkpoint's
  // fsyncs of the database file competing with the commits' WAL fsyncs.
  bool background_checkpoint = false;
  // Called on the writer thread after every group commit with its duration
  // (BEGIN until durable) in microseconds, e.g. for a latency histogram.
  // Must be quick and must not call the store.
  std::function<void(int64_t micros)> on_commit;
};

// Opens (creating) data_dir/vigil.db, migrates its schema and starts the
// writer thread. Errors: PermissionDenied / Unavailable naming the path when
// the directory or file cannot be created or opened, FailedPrecondition when
// the database's schema is newer than this binary or WAL is unavailable.
[[nodiscard]] StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& data_dir,
                                                               SqliteStoreOptions options = {});

// The statement DecisionsAboutOrders runs for each order, binding its id
// twice; its test checks that SQLite answers it from indexes.
extern const char kDecisionsAboutOrderSql[];

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override;

  void Submit(WriteBatch batch, WriteCallback done) override;
  StatusOr<std::unique_ptr<WriteReservation>> Reserve() override;
  Status ScanDecisions(std::string_view kind, int64_t after_seq,
                       const std::function<Status(int64_t, const DecisionRecord&)>& fn) override;
  Status ScanEvents(int64_t after_seq,
                    const std::function<Status(int64_t, const EventRecord&)>& fn) override;
  StatusOr<int64_t> LastEventSeq() override;
  StatusOr<bool> HasEvent(std::string_view event_id) override;
  StatusOr<std::vector<bool>> KnownEvents(std::span<const std::string> event_ids) override;
  StatusOr<std::optional<EventRecord>> FindEvent(std::string_view event_id) override;
  StatusOr<std::optional<DecisionRecord>> FindDecision(std::string_view id) override;
  Status AttachNarration(std::string_view decision_id, std::string_view text,
                         std::string_view source) override;
  Status PutListEntry(const ListEntry& entry) override;
  StatusOr<bool> RemoveListEntry(std::string_view list, std::string_view field,
                                 std::string_view value) override;
  StatusOr<std::vector<ListEntry>> ListEntries() override;
  StatusOr<bool> PutAccount(const AccountRecord& account) override;
  StatusOr<std::optional<AccountRecord>> FindAccount(std::string_view user_id) override;
  StatusOr<std::vector<AccountRecord>> AccountsByPhone(std::string_view phone) override;
  StatusOr<std::optional<InboundSmsRecord>> RecordInboundSms(
      const InboundSmsRecord& sms, std::optional<bool> set_opt_out,
      const TransactionStep* step = nullptr) override;
  StatusOr<bool> ReceiveTransaction(const TransactionRecord& transaction) override;
  StatusOr<int64_t> ImportTransactions(const std::vector<TransactionRecord>& rows) override;
  StatusOr<std::optional<TransactionRecord>> FindTransaction(
      std::string_view transaction_id) override;
  StatusOr<std::vector<TransactionTransition>> TransactionHistory(
      std::string_view transaction_id) override;
  Status ScanScoredTransactions(const std::function<Status(const TransactionRecord&)>& fn) override;
  StatusOr<std::optional<TransactionRecord>> PendingVerification(std::string_view phone) override;
  StatusOr<TransactionRecord> LabelTransaction(const TransactionLabel& label) override;
  StatusOr<std::vector<TransactionRecord>> TransactionsOfUser(std::string_view user_id,
                                                              int64_t limit) override;
  StatusOr<std::vector<InboundSmsRecord>> InboundSmsFrom(std::string_view phone,
                                                         int64_t limit) override;
  StatusOr<bool> ApplyTransactionStep(const TransactionStep& step) override;
  StatusOr<std::vector<OutboxItem>> DueWork(Timestamp now, size_t limit) override;
  StatusOr<std::optional<Timestamp>> NextWorkDue() override;
  Status RescheduleWork(int64_t seq, Timestamp due_at, std::string_view error) override;
  Status UpdateSms(const SmsUpdate& update, Timestamp at) override;
  StatusOr<bool> UpdateSmsStatusBySid(std::string_view message_sid, std::string_view status,
                                      Timestamp at) override;
  StatusOr<std::optional<OutboundSms>> FindSms(std::string_view message_key) override;
  StatusOr<std::vector<OutboundSms>> SmsForTransaction(std::string_view transaction_id) override;
  Status PutApiKey(const ApiKeyRecord& key) override;
  StatusOr<std::vector<ApiKeyRecord>> ApiKeys() override;
  StatusOr<bool> RevokeApiKey(std::string_view key_id, Timestamp at) override;
  // Dashboard sessions: sqlite_store_sessions.cc.
  Status CreateSession(const SessionRecord& session) override;
  StatusOr<std::optional<SessionAndKey>> FindSession(std::string_view token_hash) override;
  StatusOr<bool> RevokeSession(std::string_view token_hash, Timestamp at) override;
  StatusOr<int64_t> RevokeSessionsOfKey(std::string_view key_id, Timestamp at) override;
  Status PutSnapshot(int64_t seq, std::string_view blob) override;
  StatusOr<std::optional<std::pair<int64_t, std::string>>> LatestSnapshot() override;
  StatusOr<int64_t> ArchiveDecisions(Timestamp cutoff, const std::string& archive_dir) override;
  // The dashboard's data: sqlite_store_dashboard.cc.
  Status SubmitDecisionLabel(DecisionLabelRecord label, EventRecord event,
                             std::function<void(StatusOr<DecisionLabelRecord>)> done) override;
  StatusOr<std::vector<DecisionLabelRecord>> DecisionLabels(std::string_view decision_id) override;
  StatusOr<DecisionPage> ListDecisions(const DecisionQuery& query) override;
  StatusOr<std::vector<DecisionSummary>> DecisionsAboutOrders(
      std::span<const std::string> order_ids) override;
  StatusOr<TransactionPage> ListTransactions(const TransactionQuery& query) override;
  StatusOr<DashboardCounts> CountDecisions(Timestamp from, Timestamp until,
                                           int64_t bucket_seconds) override;
  StatusOr<int64_t> RollUpDecisions(int64_t max_decisions) override;
  StoreStats Stats() const override;
  void Close() override;

  // One unit of the writer's work; see sqlite_store.cc.
  class WriteUnit;
  class Reservation;

 private:
  friend StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string&, SqliteStoreOptions);
  using WriterTask = std::function<Status(SqliteConnection&)>;

  SqliteStore(std::string path, SqliteStoreOptions options,
              std::unique_ptr<SqliteConnection> writer);

  void WriterLoop();
  void CheckpointIfDue();  // on the writer thread, between groups
  void CommitGroup(std::vector<std::unique_ptr<WriteUnit>>& group);
  void RecordCommit(size_t units, size_t batches, size_t failed, int64_t micros);
  // Runs `task` on the writer thread inside the next group transaction and
  // waits until it is durable (or failed).
  [[nodiscard]] Status RunOnWriter(WriterTask task, size_t bytes = 0);
  // Queues `task` as RunOnWriter does, without waiting: `done` runs on the
  // writer thread once the task's transaction is durable (or failed). The
  // queue's refusal is returned, and then `done` never runs.
  [[nodiscard]] Status SubmitTask(WriterTask task, std::function<void(Status)> done,
                                  size_t bytes = 0);
  // FailedPrecondition on the writer thread (inside a write callback).
  [[nodiscard]] Status CheckNotOnWriter() const;
  [[nodiscard]] Status RemoveIncompleteSnapshots();
  [[nodiscard]] StatusOr<int64_t> WriteArchiveFile(Timestamp cutoff, const std::string& dir,
                                                   int64_t* max_seq);

  const std::string path_;
  const SqliteStoreOptions options_;
  std::unique_ptr<SqliteConnection> writer_;  // used only by writer_thread_
  ReaderPool readers_;
  GroupCommitQueue<std::unique_ptr<WriteUnit>> queue_;
  std::thread writer_thread_;
  // Checkpoints: the writer's (CheckpointIfDue) or a thread's of their own
  // (options_.background_checkpoint).
  void CheckpointLoop();
  static int OnWalCommit(void* arg, sqlite3* db, const char* name, int pages);
  std::atomic<int> wal_pages_{0};  // the WAL's size after the last commit
  absl::Mutex checkpoint_mu_;
  bool checkpoint_stop_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  std::thread checkpoint_thread_;
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<std::thread::id> writer_thread_id_;

  absl::Mutex close_mu_;     // serialises Close
  absl::Mutex snapshot_mu_;  // one PutSnapshot at a time
  absl::Mutex archive_mu_;   // one ArchiveDecisions at a time
  absl::Mutex rollup_mu_;    // one RollUpDecisions at a time

  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> batches_{0};
  std::atomic<int64_t> failed_batches_{0};
  std::atomic<int64_t> last_group_size_{0};
  std::atomic<int64_t> last_commit_micros_{0};
  std::atomic<int64_t> max_commit_micros_{0};
  std::atomic<int64_t> total_commit_micros_{0};
};

}  // namespace vigil

#endif  // VIGIL_STORE_SQLITE_STORE_H_
