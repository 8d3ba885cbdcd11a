#include "service/api_keys.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "common/sha256.h"
#include "common/time.h"

namespace vigil {
namespace {

constexpr std::string_view kPrefix = "vk_";

std::string Base64Url(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      out.push_back(kAlphabet[(buffer >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kScorer:
      return "scorer";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
  }
  return "scorer";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kScorer, Role::kAnalyst, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool RoleAllows(Role have, Role need) { return have == Role::kAdmin || have == need; }

std::string ApiKeys::Hash(std::string_view key) { return Sha256Hex(key); }

Status ApiKeys::Load() {
  ASSIGN_OR_RETURN(std::vector<ApiKeyRecord> records, store_->ApiKeys());
  absl::flat_hash_map<std::string, Caller> fresh;
  for (const ApiKeyRecord& r : records) {
    if (r.revoked_at.has_value()) continue;
    const auto role = ParseRole(r.role);
    if (!role.has_value()) continue;
    fresh[r.key_hash] = Caller{r.key_id, r.name, *role};
  }
  absl::MutexLock lock(&mu_);
  by_hash_ = std::move(fresh);
  last_reload_ = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

StatusOr<NewApiKey> ApiKeys::Create(std::string_view role, std::string_view name) {
  if (!ParseRole(role).has_value()) {
    return absl::InvalidArgumentError(
        fmt::format("role '{}' is not one of scorer, analyst, admin", role));
  }
  std::array<unsigned char, 32> secret{};
  std::array<unsigned char, 6> id{};
  if (RAND_bytes(secret.data(), secret.size()) != 1 || RAND_bytes(id.data(), id.size()) != 1) {
    return absl::InternalError("the system's random generator failed");
  }
  NewApiKey out;
  out.key = fmt::format("{}{}", kPrefix, Base64Url(secret.data(), secret.size()));
  out.record.key_id = fmt::format("key_{}", Base64Url(id.data(), id.size()));
  out.record.name = std::string(name);
  out.record.role = std::string(role);
  out.record.key_hash = Hash(out.key);
  out.record.created_at = NowSeconds();
  RETURN_IF_ERROR(store_->PutApiKey(out.record));
  RETURN_IF_ERROR(Load());
  return out;
}

Status ApiKeys::Revoke(std::string_view key_id) {
  ASSIGN_OR_RETURN(const bool revoked, store_->RevokeApiKey(key_id, NowSeconds()));
  if (!revoked) return absl::NotFoundError(fmt::format("no active key '{}'", key_id));
  return Load();
}

StatusOr<std::vector<ApiKeyRecord>> ApiKeys::List() const { return store_->ApiKeys(); }

std::optional<Caller> ApiKeys::Authenticate(std::string_view presented) {
  if (presented.size() < kPrefix.size() + 10 || presented.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  const std::string hash = Hash(presented);
  {
    const auto now = std::chrono::steady_clock::now();
    absl::MutexLock lock(&mu_);
    auto it = by_hash_.find(hash);
    // Revocations by another process: re-read the keys every so often.
    const bool stale = now - last_reload_ >= kRefreshInterval;
    if (it != by_hash_.end() && !stale) return it->second;
    // A key made by another process since the last look: look again, but
    // not more than once a second, so unknown keys cannot hammer the store.
    if (it == by_hash_.end() && now - last_reload_ < std::chrono::seconds(1)) {
      return std::nullopt;
    }
    last_reload_ = now;
  }
  if (!Load().ok()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) return it->second;
  return std::nullopt;
}

}  // namespace vigil
