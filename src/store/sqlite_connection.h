// SqliteConnection: one SQLite connection configured for Vigil (WAL journal,
// synchronous=FULL, busy timeout, foreign keys) with a cache of prepared
// statements, handed out as leases that reset the statement when released.
//
// Thread-safety: none; a connection is used by one thread at a time (the
// store's writer thread, or a reader that leased it from a ReaderPool).
#ifndef VIGIL_STORE_SQLITE_CONNECTION_H_
#define VIGIL_STORE_SQLITE_CONNECTION_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/status.h"
#include "store/sqlite_handles.h"

namespace vigil {

struct SqliteConnectionOptions {
  int busy_timeout_ms = 5000;
  bool read_only = false;  // PRAGMA query_only: writes fail with PermissionDenied
};

class SqliteConnection {
 public:
  // A cached statement in use; resets it (and its bindings) when destroyed.
  class Lease {
   public:
    explicit Lease(SqliteStatement* stmt) : stmt_(stmt) {}
    ~Lease() {
      if (stmt_ != nullptr) stmt_->Reset();
    }
    Lease(Lease&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    SqliteStatement* operator->() const { return stmt_; }
    SqliteStatement& operator*() const { return *stmt_; }

   private:
    SqliteStatement* stmt_;
  };

  // Opens `path` (creating the file) and applies the pragmas; fails with
  // FailedPrecondition when the file system refuses WAL mode.
  [[nodiscard]] static StatusOr<std::unique_ptr<SqliteConnection>> Open(
      const std::string& path, const SqliteConnectionOptions& options);

  // The statement for `sql`, compiled on first use and kept for the
  // connection's lifetime. At most one lease per SQL text at a time.
  [[nodiscard]] StatusOr<Lease> Prepare(std::string_view sql);

  [[nodiscard]] Status Exec(std::string_view sql) { return db_.Exec(sql); }

  // Rows changed by the last INSERT / UPDATE / DELETE.
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }

  sqlite3* db() const { return db_.get(); }

 private:
  explicit SqliteConnection(SqliteDb db) : db_(std::move(db)) {}
  // The busy handler: retries a locked database every 100 us until
  // busy_timeout_ has passed since the first try.
  static int OnBusy(void* arg, int tries);

  SqliteDb db_;  // declared first: destroyed after the statements
  std::chrono::milliseconds busy_timeout_{5000};
  std::chrono::steady_clock::time_point busy_since_;
  absl::flat_hash_map<std::string, std::unique_ptr<SqliteStatement>> statements_;
};

// A read transaction: the statements run in its scope see one state of the
// database, and pay for one snapshot instead of one each. Declare statement
// leases after it, so that they are reset first.
class ReadTransaction {
 public:
  [[nodiscard]] static StatusOr<ReadTransaction> Begin(SqliteConnection& c) {
    RETURN_IF_ERROR(c.Exec("BEGIN"));
    return ReadTransaction(&c);
  }
  ReadTransaction(ReadTransaction&& other) noexcept : c_(std::exchange(other.c_, nullptr)) {}
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction() {
    if (c_ != nullptr) (void)c_->Exec("COMMIT");
  }

 private:
  explicit ReadTransaction(SqliteConnection* c) : c_(c) {}
  SqliteConnection* c_;
};

}  // namespace vigil

#endif  // VIGIL_STORE_SQLITE_CONNECTION_H_
