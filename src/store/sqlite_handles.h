// Move-only owners of SQLite's C handles: SqliteDb (sqlite3*) and
// SqliteStatement (sqlite3_stmt*), plus the mapping of SQLite result codes to
// Status. Every failure names what was being done and carries sqlite3_errmsg.
//
// Thread-safety: none. A SqliteDb and its statements are used by one thread
// at a time (connections are opened with SQLITE_OPEN_NOMUTEX).
#ifndef VIGIL_STORE_SQLITE_HANDLES_H_
#define VIGIL_STORE_SQLITE_HANDLES_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

// OK for SQLITE_OK / SQLITE_ROW / SQLITE_DONE; otherwise a Status whose code
// follows the failure: busy/locked/I/O -> Unavailable, unique or primary key
// violation -> AlreadyExists, other constraints -> InvalidArgument, disk full
// -> ResourceExhausted, permission/read-only/cannot open -> PermissionDenied,
// corrupt -> DataLoss, the rest -> Internal. `db` may be null.
[[nodiscard]] Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

class SqliteDb {
 public:
  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (creating if missing) the database file at `path` read-write with
  // extended result codes on and SQLite's own mutexes off, through the VFS
  // that writes a commit's WAL frames at once (store/wal_batching_vfs.h).
  [[nodiscard]] static StatusOr<SqliteDb> Open(const std::string& path);

  // Runs one or more SQL statements without parameters (DDL, PRAGMA, BEGIN).
  [[nodiscard]] Status Exec(std::string_view sql);

  sqlite3* get() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Marks a value to bind as a BLOB rather than TEXT.
struct SqlBlob {
  std::string_view bytes;
};

class SqliteStatement {
 public:
  SqliteStatement() = default;
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Compiles one SQL statement; `sql` must hold exactly one.
  [[nodiscard]] static StatusOr<SqliteStatement> Prepare(sqlite3* db, std::string_view sql);

  // Parameters are 1-based, as in SQL's `?` order. Text and blobs are copied.
  [[nodiscard]] Status BindInt(int index, int64_t value);
  [[nodiscard]] Status BindDouble(int index, double value);
  [[nodiscard]] Status BindText(int index, std::string_view value);
  [[nodiscard]] Status BindBlob(int index, std::string_view value);
  [[nodiscard]] Status BindNull(int index);

  // Binds `args` to parameters 1, 2, ... in order: integers, doubles, text
  // (anything convertible to string_view), SqlBlob, optional<int64_t>
  // (nullopt binds NULL). Stops at the first failure.
  template <typename... Args>
  [[nodiscard]] Status BindAll(const Args&... args) {
    int index = 0;
    Status status;
    ((status.ok() ? (status = BindValue(++index, args), 0) : 0), ...);
    return status;
  }

  // true: a row is available through the Column* accessors; false: done.
  [[nodiscard]] StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  [[nodiscard]] Status Run();
  // Makes the statement reusable and clears its bindings.
  void Reset();

  // Columns are 0-based. NULL reads as 0 / "".
  int64_t ColumnInt(int index) const;
  double ColumnDouble(int index) const;
  std::string ColumnText(int index) const;  // text or blob bytes
  bool ColumnIsNull(int index) const;

  sqlite3_stmt* get() const { return stmt_; }

 private:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  [[nodiscard]] Status BindResult(int rc, int index);
  Status BindValue(int index, int value) { return BindInt(index, value); }
  Status BindValue(int index, int64_t value) { return BindInt(index, value); }
  Status BindValue(int index, double value) { return BindDouble(index, value); }
  Status BindValue(int index, std::string_view value) { return BindText(index, value); }
  Status BindValue(int index, SqlBlob value) { return BindBlob(index, value.bytes); }
  Status BindValue(int index, const std::optional<int64_t>& value) {
    return value ? BindInt(index, *value) : BindNull(index);
  }

  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace vigil

#endif  // VIGIL_STORE_SQLITE_HANDLES_H_
