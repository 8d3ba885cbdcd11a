// SqliteStore's part of the dashboard's sign-in (docs/dashboard.md,
// "Sessions"): sessions stored by the SHA-256 of their token, found together
// with their API key, and revoked one by one or all of a key's at once.
#include "fmt/format.h"
#include "store/sqlite_store.h"

namespace vigil {

Status SqliteStore::CreateSession(const SessionRecord& s) {
  if (s.token_hash.empty() || s.key_id.empty() || s.csrf_token.empty()) {
    return absl::InvalidArgumentError("a session needs a token_hash, a key_id and a csrf_token");
  }
  return RunOnWriter([&](SqliteConnection& c) -> Status {
    {
      // Schema 8 has no index on expiry; the table holds a row per sign-in
      // of the last month, so a scan on sign-in is cheap.
      ASSIGN_OR_RETURN(SqliteConnection::Lease prune,
                       c.Prepare("DELETE FROM sessions WHERE MIN(expires_at, "
                                 "COALESCE(revoked_at, expires_at)) < ?"));
      RETURN_IF_ERROR(prune->BindAll(s.created_at - kSessionRetentionSeconds));
      RETURN_IF_ERROR(prune->Run());
    }
    ASSIGN_OR_RETURN(
        SqliteConnection::Lease stmt,
        c.Prepare("INSERT INTO sessions (token_hash, key_id, role, csrf_token, created_at, "
                  "expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (token_hash) DO NOTHING"));
    RETURN_IF_ERROR(stmt->BindAll(s.token_hash, s.key_id, s.role, s.csrf_token, s.created_at,
                                  s.expires_at, s.revoked_at));
    RETURN_IF_ERROR(stmt->Run());
    if (c.Changes() == 0) return absl::AlreadyExistsError("a session with this token exists");
    return absl::OkStatus();
  });
}

StatusOr<std::optional<SessionAndKey>> SqliteStore::FindSession(std::string_view token_hash) {
  ASSIGN_OR_RETURN(ReaderPool::Lease reader, readers_.Acquire());
  ASSIGN_OR_RETURN(
      SqliteConnection::Lease stmt,
      reader->Prepare("SELECT s.token_hash, s.key_id, s.role, s.csrf_token, s.created_at, "
                      "s.expires_at, s.revoked_at, k.key_id, k.name, k.role, k.key_hash, "
                      "k.created_at, k.revoked_at FROM sessions s "
                      "LEFT JOIN api_keys k ON k.key_id = s.key_id WHERE s.token_hash = ?"));
  RETURN_IF_ERROR(stmt->BindAll(token_hash));
  ASSIGN_OR_RETURN(const bool row, stmt->Step());
  if (!row) return std::optional<SessionAndKey>();
  SessionAndKey found;
  SessionRecord& s = found.session;
  s.token_hash = stmt->ColumnText(0);
  s.key_id = stmt->ColumnText(1);
  s.role = stmt->ColumnText(2);
  s.csrf_token = stmt->ColumnText(3);
  s.created_at = stmt->ColumnInt(4);
  s.expires_at = stmt->ColumnInt(5);
  if (!stmt->ColumnIsNull(6)) s.revoked_at = stmt->ColumnInt(6);
  if (!stmt->ColumnIsNull(7)) {
    ApiKeyRecord& k = found.key.emplace();
    k.key_id = stmt->ColumnText(7);
    k.name = stmt->ColumnText(8);
    k.role = stmt->ColumnText(9);
    k.key_hash = stmt->ColumnText(10);
    k.created_at = stmt->ColumnInt(11);
    if (!stmt->ColumnIsNull(12)) k.revoked_at = stmt->ColumnInt(12);
  }
  return std::optional<SessionAndKey>(std::move(found));
}

StatusOr<bool> SqliteStore::RevokeSession(std::string_view token_hash, Timestamp at) {
  bool revoked = false;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     c.Prepare("UPDATE sessions SET revoked_at = ? "
                               "WHERE token_hash = ? AND revoked_at IS NULL"));
    RETURN_IF_ERROR(stmt->BindAll(at, token_hash));
    RETURN_IF_ERROR(stmt->Run());
    revoked = c.Changes() > 0;
    return absl::OkStatus();
  }));
  return revoked;
}

StatusOr<int64_t> SqliteStore::RevokeSessionsOfKey(std::string_view key_id, Timestamp at) {
  int64_t revoked = 0;
  RETURN_IF_ERROR(RunOnWriter([&](SqliteConnection& c) -> Status {
    ASSIGN_OR_RETURN(SqliteConnection::Lease stmt,
                     c.Prepare("UPDATE sessions SET revoked_at = ? "
                               "WHERE key_id = ? AND revoked_at IS NULL"));
    RETURN_IF_ERROR(stmt->BindAll(at, key_id));
    RETURN_IF_ERROR(stmt->Run());
    revoked = c.Changes();
    return absl::OkStatus();
  }));
  return revoked;
}

}  // namespace vigil
