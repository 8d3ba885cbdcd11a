#include "service/admin_commands.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include "common/time.h"
#include "fmt/format.h"
#include "service/api_keys.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

// The commands work on an existing deployment; a mistyped directory must not
// silently create an empty one.
StatusOr<std::unique_ptr<Store>> OpenExisting(const std::string& data_dir) {
  if (!std::filesystem::is_directory(data_dir)) {
    return absl::NotFoundError(fmt::format(
        "--data-dir {}: no such directory (start `vigil serve` or `vigil ingest` there first)",
        data_dir));
  }
  // `vigil serve` may be running on the directory. Checkpoint as often as it
  // does by default: frames left in the WAL would otherwise be copied by the
  // server's writer, all at once, while its scoring requests wait.
  return OpenSqliteStore(data_dir, {.wal_checkpoint_pages = 250});
}

}  // namespace

Status RunKeysCreate(const std::string& data_dir, const std::string& role, const std::string& name,
                     FILE* out, FILE* log) {
  if (!ParseRole(role).has_value()) {
    return absl::InvalidArgumentError(
        fmt::format("--role {}: want scorer, analyst or admin", role));
  }
  // Keys are the first thing a new deployment needs: create the directory.
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(data_dir));
  ApiKeys keys(store.get());
  ASSIGN_OR_RETURN(NewApiKey created, keys.Create(role, name));
  fmt::print(out, "{}\n", created.key);
  fmt::print(log, "created {} key {} ({}); it is shown only this once\n", role,
             created.record.key_id, name.empty() ? "no name" : name);
  store->Close();
  return absl::OkStatus();
}

Status RunKeysList(const std::string& data_dir, FILE* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenExisting(data_dir));
  ASSIGN_OR_RETURN(std::vector<ApiKeyRecord> records, store->ApiKeys());
  fmt::print(out, "{:<28} {:<8} {:<20} {:<21} {}\n", "key_id", "role", "name", "created_at",
             "revoked_at");
  for (const ApiKeyRecord& r : records) {
    fmt::print(out, "{:<28} {:<8} {:<20} {:<21} {}\n", r.key_id, r.role, r.name,
               FormatTimestamp(r.created_at),
               r.revoked_at.has_value() ? FormatTimestamp(*r.revoked_at) : "");
  }
  store->Close();
  return absl::OkStatus();
}

Status RunKeysRevoke(const std::string& data_dir, const std::string& key_id, FILE* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenExisting(data_dir));
  ApiKeys keys(store.get());
  RETURN_IF_ERROR(keys.Revoke(key_id));
  fmt::print(out, "revoked {}\n", key_id);
  store->Close();
  return absl::OkStatus();
}

Status RunArchive(const std::string& data_dir, int older_than_days, FILE* out) {
  if (older_than_days < 1) {
    return absl::InvalidArgumentError("--older-than-days: must be at least 1");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenExisting(data_dir));
  const Timestamp cutoff = NowSeconds() - int64_t{older_than_days} * 86'400;
  const std::string archive_dir = (std::filesystem::path(data_dir) / "archive").string();
  ASSIGN_OR_RETURN(const int64_t archived, store->ArchiveDecisions(cutoff, archive_dir));
  fmt::print(out, "archived {} decisions made before {} into {}\n", archived,
             FormatTimestamp(cutoff), archive_dir);
  store->Close();
  return absl::OkStatus();
}

}  // namespace vigil
