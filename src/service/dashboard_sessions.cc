#include "service/dashboard_sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "common/field_error.h"
#include "common/sha256.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

constexpr size_t kSecretBytes = 32;
constexpr size_t kTokenChars = 2 * kSecretBytes;  // hex

StatusOr<std::string> RandomHex() {
  std::array<unsigned char, kSecretBytes> bytes{};
  if (RAND_bytes(bytes.data(), bytes.size()) != 1) {
    return absl::InternalError("the system's random generator failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(kTokenChars, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    hex[2 * i] = kHex[bytes[i] >> 4];
    hex[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return hex;
}

// Only what Begin could have made is looked up: other values cost no read.
bool LooksLikeToken(std::string_view token) {
  return token.size() == kTokenChars && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status SignInAgain(std::string_view why) {
  return absl::UnauthenticatedError(fmt::format("{}; sign in again", why));
}

}  // namespace

DashboardSessions::DashboardSessions(Store* store, DashboardSessionOptions options)
    : store_(store), options_(std::move(options)) {}

Timestamp DashboardSessions::Now() const {
  return options_.clock ? options_.clock() : NowSeconds();
}

StatusOr<NewDashboardSession> DashboardSessions::Begin(const Caller& caller) {
  NewDashboardSession out;
  ASSIGN_OR_RETURN(out.token, RandomHex());
  ASSIGN_OR_RETURN(out.session.csrf_token, RandomHex());
  out.session.token_hash = Sha256Hex(out.token);
  out.session.caller = caller;
  const Timestamp now = Now();
  out.session.expires_at = now + options_.ttl_seconds;
  RETURN_IF_ERROR(store_->CreateSession(SessionRecord{.token_hash = out.session.token_hash,
                                                      .key_id = caller.key_id,
                                                      .role = std::string(RoleName(caller.role)),
                                                      .csrf_token = out.session.csrf_token,
                                                      .created_at = now,
                                                      .expires_at = out.session.expires_at}));
  // The caller's key was checked against a cache that may be a few seconds
  // behind a revocation by another process; the store is not.
  ASSIGN_OR_RETURN(out.session, Authenticate(out.token));
  return out;
}

StatusOr<DashboardSession> DashboardSessions::Authenticate(std::string_view token) {
  if (!LooksLikeToken(token)) return SignInAgain("the session cookie is not valid");
  const std::string token_hash = Sha256Hex(token);
  ASSIGN_OR_RETURN(std::optional<SessionAndKey> found, store_->FindSession(token_hash));
  if (!found.has_value()) return SignInAgain("the session is not known");
  const SessionRecord& s = found->session;
  const Timestamp now = Now();
  const std::optional<ApiKeyRecord>& key = found->key;
  const std::optional<Role> role = key.has_value() ? ParseRole(key->role) : std::nullopt;
  if (!key.has_value() || key->revoked_at.has_value() || !role.has_value()) {
    // Recorded on the sessions too, once. A failure changes nothing for the
    // caller: the key is checked on every request.
    if (!s.revoked_at.has_value()) (void)store_->RevokeSessionsOfKey(s.key_id, now);
    return SignInAgain("the session's API key was revoked");
  }
  if (s.revoked_at.has_value()) return SignInAgain("the session was signed out");
  if (now >= s.expires_at) return SignInAgain("the session expired");
  return DashboardSession{.token_hash = token_hash,
                          .caller = Caller{key->key_id, key->name, *role},
                          .csrf_token = s.csrf_token,
                          .expires_at = s.expires_at};
}

Status DashboardSessions::End(const DashboardSession& session) {
  return store_->RevokeSession(session.token_hash, Now()).status();
}

std::string DashboardSessions::SessionCookie(std::string_view token) const {
  return fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}", kCookieName, token,
                     options_.ttl_seconds, options_.secure_cookies ? "; Secure" : "");
}

std::string DashboardSessions::ClearedCookie() const {
  return fmt::format("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}", kCookieName,
                     options_.secure_cookies ? "; Secure" : "");
}

std::string DashboardSessions::SessionJson(const DashboardSession& session) {
  return nlohmann::json{{"role", RoleName(session.caller.role)},
                        {"key_id", session.caller.key_id},
                        {"key_name", session.caller.name},
                        {"csrf_token", session.csrf_token},
                        {"expires_at", FormatTimestamp(session.expires_at)}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view SessionTokenFromCookies(std::string_view header) {
  // "a=1; vigil_session=...; b=2" (RFC 6265 5.4); the first one wins.
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != DashboardSessions::kCookieName) {
      continue;
    }
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
  }
  return {};
}

bool NeedsCsrfToken(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool CsrfTokenMatches(std::string_view expected, std::string_view presented) {
  // The length is not secret: every CSRF token has the same.
  return !expected.empty() && expected.size() == presented.size() &&
         CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) == 0;
}

StatusOr<std::string> SignInKey(std::string_view body) {
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError(R"(the body must be a JSON object: {"api_key": "vk_..."})");
  }
  auto it = parsed.find("api_key");
  if (it == parsed.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return FieldError("api_key", "send the API key to sign in with as a string");
  }
  return it->get<std::string>();
}

}  // namespace vigil
