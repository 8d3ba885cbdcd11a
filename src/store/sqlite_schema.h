// The store's schema and its migrations. The schema version lives in
// PRAGMA user_version: version N means migrations 1..N have been applied,
// each in its own transaction together with the version bump. The SQL is
// kept portable (see docs/store.md for the PostgreSQL equivalents).
//
// Thread-safety: functions use only the connection they are given.
#ifndef VIGIL_STORE_SQLITE_SCHEMA_H_
#define VIGIL_STORE_SQLITE_SCHEMA_H_

#include <cstdint>

#include "common/status.h"
#include "store/sqlite_connection.h"

namespace vigil {

// The version this binary writes.
int SqliteSchemaLatestVersion();

// The database's current schema version (0 for a new file).
[[nodiscard]] StatusOr<int> SqliteSchemaVersion(SqliteConnection& connection);

// Applies the migrations after the current version up to `target_version`
// (default: the latest). FailedPrecondition when the database is newer than
// this binary or newer than `target_version`.
[[nodiscard]] Status MigrateSqliteSchema(SqliteConnection& connection, int target_version = -1);

}  // namespace vigil

#endif  // VIGIL_STORE_SQLITE_SCHEMA_H_
