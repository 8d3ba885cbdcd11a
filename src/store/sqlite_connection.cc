#include "store/sqlite_connection.h"

#include <chrono>
#include <thread>
#include <utility>

#include "fmt/format.h"

namespace vigil {

// SQLite's own busy timeout sleeps 1, 2, 5, 10, 15, 20, 25 ... 100 ms
// between tries: a writer that meets another process's short transaction
// (`vigil archive`, `vigil keys` beside the server) sleeps tens of
// milliseconds for a lock that was free after one. Polling every 100 us
// costs nothing while nobody waits, and scoring commits were held up to
// ~40 ms by the archive with SQLite's sleeps.
int SqliteConnection::OnBusy(void* arg, int tries) {
  auto* connection = static_cast<SqliteConnection*>(arg);
  const auto now = std::chrono::steady_clock::now();
  if (tries == 0) connection->busy_since_ = now;
  if (now - connection->busy_since_ >= connection->busy_timeout_) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(100));
  return 1;
}

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, const SqliteConnectionOptions& options) {
  ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(std::move(db)));
  connection->busy_timeout_ = std::chrono::milliseconds(options.busy_timeout_ms);
  sqlite3_busy_handler(connection->db(), &SqliteConnection::OnBusy, connection.get());
  // Takes effect only in a new, empty file: a ~2 KB decision document and
  // its row share a page with others instead of filling a 4 KiB page alone.
  RETURN_IF_ERROR(connection->Exec("PRAGMA page_size = 8192"));
  {
    ASSIGN_OR_RETURN(Lease mode, connection->Prepare("PRAGMA journal_mode = WAL"));
    ASSIGN_OR_RETURN(const bool row, mode->Step());
    if (!row || mode->ColumnText(0) != "wal") {
      return absl::FailedPreconditionError(
          fmt::format("SQLite database {}: the file system does not support WAL mode", path));
    }
  }
  // FULL: the WAL is fsync'd at every commit, so a commit that returned
  // survives power loss, not only a process crash.
  RETURN_IF_ERROR(connection->Exec("PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(connection->Exec("PRAGMA foreign_keys = ON"));
  // Debian builds SQLite with secure_delete on: every page a DELETE frees is
  // overwritten with zeros, so archiving 100 000 decisions wrote ~40 000
  // pages to the WAL (~20x the pages it changes), which the server's writer
  // then had to checkpoint while scoring waited. FAST still clears deleted
  // rows inside the pages a DELETE writes anyway; freed pages keep their old
  // bytes until reused (VACUUM clears them).
  RETURN_IF_ERROR(connection->Exec("PRAGMA secure_delete = FAST"));
  // Keep the WAL file from staying huge after a burst once it is checkpointed.
  RETURN_IF_ERROR(connection->Exec("PRAGMA journal_size_limit = 67108864"));
  if (options.read_only) RETURN_IF_ERROR(connection->Exec("PRAGMA query_only = 1"));
  return connection;
}

StatusOr<SqliteConnection::Lease> SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(absl::string_view(sql.data(), sql.size()));
  if (it == statements_.end()) {
    ASSIGN_OR_RETURN(SqliteStatement stmt, SqliteStatement::Prepare(db_.get(), sql));
    it = statements_.emplace(std::string(sql), std::make_unique<SqliteStatement>(std::move(stmt)))
             .first;
  }
  return Lease(it->second.get());
}

}  // namespace vigil
