#include "store/sqlite_connection.h"

#include <utility>

#include "fmt/format.h"

namespace vigil {

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, const SqliteConnectionOptions& options) {
  ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(std::move(db)));
  RETURN_IF_ERROR(
      connection->Exec(fmt::format("PRAGMA busy_timeout = {}", options.busy_timeout_ms)));
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
