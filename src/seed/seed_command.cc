#include "seed/seed_command.h"

#include <filesystem>
#include <memory>

#include "seed/server_seeder.h"
#include "seed/store_seeder.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

// The first non-empty key.
std::string FirstKey(std::initializer_list<const std::string*> keys) {
  for (const std::string* key : keys) {
    if (!key->empty()) return *key;
  }
  return "";
}

StatusOr<ServerTarget> CheckServerTarget(const SeedRequest& request, SeedParts parts) {
  if (!(request.rate >= 0)) {
    return absl::InvalidArgumentError(fmt::format(
        "--rate {}: want payments per second, 0 for as fast as possible", request.rate));
  }
  auto url = ParseUrl(request.url);
  if (!url.ok()) {
    return absl::InvalidArgumentError(fmt::format("--url {}: {} (want e.g. http://127.0.0.1:8080)",
                                                  request.url, url.status().message()));
  }
  ServerTarget target{.url = *std::move(url), .rate = request.rate};
  target.admin_key = FirstKey({&request.admin_key, &request.api_key});
  target.scorer_key = FirstKey({&request.scorer_key, &request.api_key, &request.admin_key});
  if (parts.accounts && target.admin_key.empty()) {
    return absl::InvalidArgumentError(
        "accounts need an API key with the admin role: give --admin-key or --api-key (create one "
        "with `vigil keys create --data-dir STORE --role admin`), or seed only --what "
        "transactions");
  }
  if (parts.transactions && target.scorer_key.empty()) {
    return absl::InvalidArgumentError(
        "payments need an API key with the scorer (or admin) role: give --scorer-key or "
        "--api-key");
  }
  return target;
}

StatusOr<SeedSummary> SeedStoreAt(const std::string& data_dir, const SeedPlan& plan,
                                  SeedParts parts, Timestamp now) {
  // As `vigil keys list`: a mistyped directory must not become a new, empty store.
  if (!std::filesystem::is_directory(data_dir)) {
    return absl::NotFoundError(fmt::format(
        "--data-dir {}: no such directory (give the store of `vigil serve`, or create it with "
        "`vigil ingest` or `vigil keys create` first)",
        data_dir));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(data_dir));
  auto summary = SeedIntoStore(*store, plan, parts, now);
  store->Close();
  if (summary.ok()) summary->target = data_dir;
  return summary;
}

}  // namespace

StatusOr<SeedSummary> RunSeed(const SeedRequest& request, Timestamp now) {
  ASSIGN_OR_RETURN(const SeedParts parts, ParseSeedParts(request.what));
  RETURN_IF_ERROR(ValidateSeedOptions(request.plan));
  const bool embedded = !request.data_dir.empty();
  if (embedded == !request.url.empty()) {
    return absl::InvalidArgumentError(
        embedded ? "give --url (a running vigil serve) or --data-dir (its store), not both"
                 : "where to? give --url http://HOST:PORT (a running vigil serve) or --data-dir "
                   "STORE (its store directory)");
  }
  if (embedded) {
    if (request.rate != 0) {
      return absl::InvalidArgumentError("--rate paces requests to a server: use it with --url");
    }
    ASSIGN_OR_RETURN(const SeedPlan plan, PlanSeed(request.plan, now));
    return SeedStoreAt(request.data_dir, plan, parts, now);
  }
  ASSIGN_OR_RETURN(const ServerTarget target, CheckServerTarget(request, parts));
  ASSIGN_OR_RETURN(const SeedPlan plan, PlanSeed(request.plan, now));
  return SeedIntoServer(target, plan, parts);
}

}  // namespace vigil
