// DashboardSessions: the dashboard's sign-in (docs/dashboard.md, "Sessions").
// An analyst or admin trades an API key for a session: a random token in an
// HttpOnly, SameSite=Strict cookie, and a random CSRF token that the pages
// send back in X-CSRF-Token with every state-changing request. The store keeps
// only the token's SHA-256. A session lasts kTtlSeconds (8 hours) and ends
// early when it is signed out or its API key is revoked: the key is read
// with the session on every request, so a revocation by `vigil keys revoke`
// in another process ends it at once.
//
// Authorisation (which role may use which route) and rate limits stay in the
// server's Admit; this file authenticates. Thread-safe (the store is).
#ifndef VIGIL_SERVICE_DASHBOARD_SESSIONS_H_
#define VIGIL_SERVICE_DASHBOARD_SESSIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "service/api_keys.h"
#include "store/store.h"

namespace vigil {

// A live session, as a request authenticated by it sees it.
struct DashboardSession {
  std::string token_hash;  // SHA-256 hex of the cookie's token
  Caller caller;           // the API key's id, name and role as stored now
  std::string csrf_token;
  Timestamp expires_at = 0;
};

struct NewDashboardSession {
  DashboardSession session;
  std::string token;  // for the cookie; never stored
};

struct DashboardSessionOptions {
  int64_t ttl_seconds = 8 * kSecondsPerHour;
  bool secure_cookies = false;       // adds Secure to the cookie (serve over HTTPS)
  std::function<Timestamp()> clock;  // NowSeconds when empty; tests set it
};

class DashboardSessions {
 public:
  static constexpr std::string_view kCookieName = "vigil_session";

  // `store` must outlive this object.
  DashboardSessions(Store* store, DashboardSessionOptions options);

  // Opens a session for `caller`, whom the caller authenticated by an API
  // key and allowed on the dashboard. Unauthenticated when the store says
  // the key is revoked (ApiKeys' cache may not know yet); Internal when the
  // system's random generator fails; the store's errors otherwise.
  [[nodiscard]] StatusOr<NewDashboardSession> Begin(const Caller& caller);

  // The live session of a cookie's token. Unauthenticated, with a message
  // for the user, when the token is unknown, the session expired or was
  // signed out, or its key is revoked or gone (then every session of that
  // key is revoked in the store too). The store's errors otherwise.
  [[nodiscard]] StatusOr<DashboardSession> Authenticate(std::string_view token);

  // Signs the session out (revokes it in the store).
  [[nodiscard]] Status End(const DashboardSession& session);

  // The Set-Cookie value that stores `token`, and the one that clears it.
  std::string SessionCookie(std::string_view token) const;
  std::string ClearedCookie() const;

  // {"role","key_id","key_name","csrf_token","expires_at"}: what POST and
  // GET /v1/session answer.
  static std::string SessionJson(const DashboardSession& session);

 private:
  Timestamp Now() const;

  Store* const store_;
  const DashboardSessionOptions options_;
};

// The value of the vigil_session cookie in a Cookie header; empty if none.
std::string_view SessionTokenFromCookies(std::string_view cookie_header);

// Whether a request with this method changes state, so that one
// authenticated by the cookie must carry X-CSRF-Token.
bool NeedsCsrfToken(std::string_view method);

// Compares in time independent of where the two differ.
bool CsrfTokenMatches(std::string_view expected, std::string_view presented);

// The api_key of POST /v1/session's body. InvalidArgument when the body is
// not a JSON object (400), a field error naming api_key when it is missing,
// empty or not a string (422).
[[nodiscard]] StatusOr<std::string> SignInKey(std::string_view body);

}  // namespace vigil

#endif  // VIGIL_SERVICE_DASHBOARD_SESSIONS_H_
