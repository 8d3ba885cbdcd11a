#include "store/sqlite_handles.h"

#include <utility>

#include "fmt/format.h"
#include "store/wal_batching_vfs.h"

namespace vigil {
namespace {

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CONSTRAINT:
      return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                 ? absl::StatusCode::kAlreadyExists
                 : absl::StatusCode::kInvalidArgument;
    case SQLITE_FULL:
    case SQLITE_TOOBIG:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return absl::OkStatus();
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(CodeFor(rc), fmt::format("SQLite {}: {} (code {})", what, detail, rc));
}

SqliteDb::~SqliteDb() {
  // Statements are finalized by their owners first; close_v2 defers the close
  // until the last one is gone, so an ordering mistake cannot leak the handle.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

StatusOr<SqliteDb> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, WalBatchingVfsName());
  SqliteDb db(raw);  // owns the handle even when the open failed
  if (rc != SQLITE_OK) return SqliteStatus(raw, rc, fmt::format("open {}", path));
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Status SqliteDb::Exec(std::string_view sql) {
  const std::string text(sql);
  return SqliteStatus(db_, sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr),
                      fmt::format("exec '{}'", sql.substr(0, 60)));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

StatusOr<SqliteStatement> SqliteStatement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  SqliteStatement stmt(raw);
  RETURN_IF_ERROR(SqliteStatus(db, rc, fmt::format("prepare '{}'", sql.substr(0, 60))));
  if (raw == nullptr) return absl::InvalidArgumentError("SQLite prepare: empty statement");
  return stmt;
}

Status SqliteStatement::BindResult(int rc, int index) {
  return SqliteStatus(sqlite3_db_handle(stmt_), rc, fmt::format("bind parameter {}", index));
}

Status SqliteStatement::BindInt(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_, index, value), index);
}

Status SqliteStatement::BindDouble(int index, double value) {
  return BindResult(sqlite3_bind_double(stmt_, index, value), index);
}

Status SqliteStatement::BindText(int index, std::string_view value) {
  return BindResult(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
}

Status SqliteStatement::BindBlob(int index, std::string_view value) {
  // A zero-length blob with a null pointer would bind NULL; keep it a blob.
  return BindResult(sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(),
                                        value.size(), SQLITE_TRANSIENT),
                    index);
}

Status SqliteStatement::BindNull(int index) {
  return BindResult(sqlite3_bind_null(stmt_, index), index);
}

StatusOr<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(sqlite3_db_handle(stmt_), rc,
                      fmt::format("step '{}'", std::string_view(sqlite3_sql(stmt_)).substr(0, 60)));
}

Status SqliteStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStatement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

double SqliteStatement::ColumnDouble(int index) const {
  return sqlite3_column_double(stmt_, index);
}

std::string SqliteStatement::ColumnText(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

bool SqliteStatement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

}  // namespace vigil
