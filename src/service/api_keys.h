// ApiKeys: who may call what. A key is "vk_" followed by 43 characters of
// base64url (256 random bits from OpenSSL's RAND_bytes); only its SHA-256
// is stored, so a leaked database reveals no key. (A fast hash suffices: the
// keys carry full entropy and cannot be guessed from their hash.)
//
// Roles: `scorer` may score and send events; `analyst` may read decisions
// and customers; `admin` may do everything, including lists and models.
//
// Keys created by `vigil keys create` in another process are picked up on
// the first request that presents them (a miss re-reads the store, at most
// once a second); keys revoked by another process stop working within
// kRefreshInterval (the keys are re-read that often). Thread-safe.
#ifndef VIGIL_SERVICE_API_KEYS_H_
#define VIGIL_SERVICE_API_KEYS_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "store/store.h"

namespace vigil {

enum class Role { kScorer, kAnalyst, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// Whether a key of role `have` may use a route that needs `need`.
bool RoleAllows(Role have, Role need);

struct Caller {
  std::string key_id;
  std::string name;
  Role role = Role::kScorer;
};

struct NewApiKey {
  ApiKeyRecord record;
  std::string key;  // shown once, never stored
};

class ApiKeys {
 public:
  static constexpr std::chrono::seconds kRefreshInterval{5};

  explicit ApiKeys(Store* store) : store_(store) {}

  // Reads the keys from the store.
  Status Load();
  // Creates and stores a key. InvalidArgument for an unknown role.
  StatusOr<NewApiKey> Create(std::string_view role, std::string_view name);
  // NotFound for an unknown key id.
  Status Revoke(std::string_view key_id);
  StatusOr<std::vector<ApiKeyRecord>> List() const;

  // The caller a presented key belongs to; nullopt for an unknown or revoked key.
  std::optional<Caller> Authenticate(std::string_view presented);

  static std::string Hash(std::string_view key);

 private:
  Store* const store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Caller> by_hash_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_reload_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace vigil

#endif  // VIGIL_SERVICE_API_KEYS_H_
