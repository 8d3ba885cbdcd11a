// The dashboard's sessions (docs/dashboard.md, "Sessions") end to end: a real
// `vigil serve` on a free port with a real store, signed in to over real
// sockets; the session clock is the test's, so expiry needs no waiting.
#include "service/dashboard_sessions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/sha256.h"
#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "service/service_fixture_for_test.h"
#include "service/vigil_server.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::CreateKey;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using testing::ScratchDir;

constexpr Timestamp kStart = 1'800'000'000;  // 2027-01-15T08:00:00Z
constexpr int64_t kEightHours = 8 * 3600;

struct SignedIn {
  std::string token;  // the cookie's value
  std::string csrf;
  json body;
};

class DashboardSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "models");  // none: scoring is not needed here
    config_.data_dir = dir_ / "data";
    config_.models_dir = dir_ / "models";
    config_.port = 0;
    config_.access_log = false;
    config_.similar_capacity = 0;
    config_.session_clock = [this] { return now_.load(); };
    scorer_ = CreateKey(config_.data_dir, "scorer");
    analyst_ = CreateKey(config_.data_dir, "analyst");
    admin_ = CreateKey(config_.data_dir, "admin");
  }

  void Start() {
    auto server = VigilServer::Start(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // One request on a new connection; `headers` are whole lines ("Name: value\r\n").
  TestHttpResponse Call(std::string_view method, std::string_view target, std::string headers = "",
                        std::string_view body = "") {
    TestHttpClient client(server_->port());
    if (!body.empty()) headers += "Content-Type: application/json\r\n";
    auto response = client.Request(method, target, body, headers);
    EXPECT_TRUE(response.has_value()) << method << " " << target;
    return response.value_or(TestHttpResponse{});
  }
  static std::string Cookie(const SignedIn& s) {
    return fmt::format("Cookie: theme=dark; {}={}\r\n", DashboardSessions::kCookieName, s.token);
  }
  static std::string Csrf(std::string_view token) {
    return fmt::format("X-CSRF-Token: {}\r\n", token);
  }

  TestHttpResponse PostSession(std::string_view body) {
    return Call("POST", "/v1/session", "", body);
  }
  SignedIn SignIn(const std::string& key) {
    TestHttpResponse r = PostSession(json{{"api_key", key}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    SignedIn s;
    s.body = json::parse(r.body, nullptr, false);
    const std::string cookie = r.Header("Set-Cookie").value_or("");
    const std::string prefix = fmt::format("{}=", DashboardSessions::kCookieName);
    EXPECT_THAT(cookie, ::testing::StartsWith(prefix));
    s.token = cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
    if (s.body.is_object()) s.csrf = s.body.value("csrf_token", "");
    return s;
  }
  static std::string ErrorCode(const TestHttpResponse& r) {
    json body = json::parse(r.body, nullptr, false);
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
  // A customer the analyst routes know, made through the scorer's events.
  void AddCustomer(const std::string& customer_id) {
    json order = {{"type", "order.placed"},     {"order_id", "ORD_" + customer_id},
                  {"customer_id", customer_id}, {"product_id", "P_TEST"},
                  {"category", "electronics"},  {"amount", 999.0},
                  {"payment_method", "UPI"},    {"delivery_pincode", 560001},
                  {"device_id", "D_TEST"},      {"ordered_at", "2027-01-15T07:00:00Z"}};
    TestHttpResponse r =
        Call("POST", "/v1/events", fmt::format("X-API-Key: {}\r\n", scorer_), order.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(json::parse(r.body)["accepted"], 1) << r.body;
  }

  ScratchDir dir_{"dashboard_sessions"};
  ServeConfig config_;
  std::atomic<Timestamp> now_{kStart};
  std::string scorer_, analyst_, admin_;
  std::unique_ptr<VigilServer> server_;
};

TEST_F(DashboardSessionsTest, SigningInWithAnAnalystKeySetsTheSessionCookie) {
  Start();
  TestHttpResponse r = PostSession(json{{"api_key", analyst_}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string cookie = r.Header("Set-Cookie").value_or("");
  EXPECT_THAT(cookie, MatchesRegex("vigil_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; "
                                   "Path=/; Max-Age=28800"));
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  json body = json::parse(r.body);
  EXPECT_EQ(body["role"], "analyst");
  EXPECT_THAT(body["key_id"].get<std::string>(), ::testing::StartsWith("key_"));
  EXPECT_EQ(body["key_name"], "test analyst");
  EXPECT_THAT(body["csrf_token"].get<std::string>(), MatchesRegex("[0-9a-f]{64}"));
  EXPECT_EQ(body["expires_at"], FormatTimestamp(kStart + kEightHours));
  EXPECT_EQ(body.size(), 5u) << body;
}

TEST_F(DashboardSessionsTest, AnAdminKeySignsInAsAdmin) {
  Start();
  EXPECT_EQ(SignIn(admin_).body["role"], "admin");
}

TEST_F(DashboardSessionsTest, SecureCookiesAddSecure) {
  config_.secure_cookies = true;
  Start();
  TestHttpResponse r = PostSession(json{{"api_key", analyst_}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_THAT(r.Header("Set-Cookie").value_or(""),
              MatchesRegex("vigil_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/; "
                           "Max-Age=28800; Secure"));
}

TEST_F(DashboardSessionsTest, TheStoreKeepsOnlyTheTokensHash) {
  Start();
  const SignedIn s = SignIn(analyst_);
  server_.reset();  // everything flushed to the file
  std::string bytes;
  for (const char* name : {"vigil.db", "vigil.db-wal"}) {
    std::ifstream in(dir_ / ("data/" + std::string(name)), std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(s.token.empty());
  EXPECT_EQ(bytes.find(s.token), std::string::npos);
  EXPECT_NE(bytes.find(Sha256Hex(s.token)), std::string::npos);
}

TEST_F(DashboardSessionsTest, RefusesScorerKeysUnknownKeysAndBodiesWithoutAKey) {
  Start();
  TestHttpResponse scorer = PostSession(json{{"api_key", scorer_}}.dump());
  EXPECT_EQ(scorer.status, 403) << scorer.body;
  EXPECT_EQ(ErrorCode(scorer), "permission_denied");
  EXPECT_FALSE(scorer.Header("Set-Cookie").has_value());

  TestHttpResponse unknown = PostSession(json{{"api_key", "vk_not_a_key_at_all_000000"}}.dump());
  EXPECT_EQ(unknown.status, 401) << unknown.body;
  EXPECT_EQ(ErrorCode(unknown), "unauthenticated");

  for (const json& body : {json::object(), json{{"api_key", 5}}, json{{"api_key", ""}}}) {
    TestHttpResponse missing = PostSession(body.dump());
    EXPECT_EQ(missing.status, 422) << body;
    EXPECT_EQ(json::parse(missing.body)["error"]["field"], "api_key") << missing.body;
  }
  EXPECT_EQ(PostSession("[1, 2]").status, 400);
  TestHttpClient client(server_->port());
  auto form = client.Request("POST", "/v1/session", "api_key=x",
                             "Content-Type: application/x-www-form-urlencoded\r\n");
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->status, 415);
}

TEST_F(DashboardSessionsTest, GetSessionAnswersTheSameObject) {
  Start();
  const SignedIn s = SignIn(analyst_);
  TestHttpResponse r = Call("GET", "/v1/session", Cookie(s));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), s.body);
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  EXPECT_EQ(Call("GET", "/v1/session").status, 401);
}

TEST_F(DashboardSessionsTest, TheCookieSignsInToTheAnalystRoutes) {
  Start();
  AddCustomer("C_DASH");
  const SignedIn s = SignIn(analyst_);
  TestHttpResponse customer = Call("GET", "/v1/customers/C_DASH", Cookie(s));
  EXPECT_EQ(customer.status, 200) << customer.body;
  EXPECT_EQ(json::parse(customer.body)["customer_id"], "C_DASH");
  // Signed in, so a missing decision is a 404, not a 401.
  TestHttpResponse decision = Call("GET", "/v1/decisions/dec_missing", Cookie(s));
  EXPECT_EQ(decision.status, 404) << decision.body;
  EXPECT_EQ(ErrorCode(decision), "not_found");
  // Without the cookie: as before.
  EXPECT_EQ(Call("GET", "/v1/customers/C_DASH").status, 401);
  // An analyst's session is not an admin's.
  TestHttpResponse lists = Call("GET", "/v1/lists", Cookie(s));
  EXPECT_EQ(lists.status, 403);
  EXPECT_EQ(ErrorCode(lists), "permission_denied");
}

TEST_F(DashboardSessionsTest, ScoringTakesKeysOnly) {
  Start();
  const SignedIn s = SignIn(admin_);
  TestHttpResponse r = Call("POST", "/v1/events", Cookie(s) + Csrf(s.csrf),
                            R"({"type":"order.rto","order_id":"ORD_X"})");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_THAT(r.body, HasSubstr("send an API key"));
}

TEST_F(DashboardSessionsTest, AKeyInTheRequestWinsOverTheCookie) {
  Start();
  const SignedIn admin = SignIn(admin_);
  TestHttpResponse r =
      Call("GET", "/v1/lists", Cookie(admin) + fmt::format("X-API-Key: {}\r\n", analyst_));
  EXPECT_EQ(r.status, 403) << r.body;  // the analyst key decides, not the admin's session
  EXPECT_EQ(Call("GET", "/v1/lists", Cookie(admin)).status, 200);
}

TEST_F(DashboardSessionsTest, StateChangingRequestsNeedTheCsrfToken) {
  Start();
  const SignedIn s = SignIn(admin_);
  const std::string entry = json{
      {"list", "block"},
      {"field", "customer"},
      {"value", "C_CSRF"},
      {"reason", "test"}}.dump();
  TestHttpResponse without = Call("POST", "/v1/lists", Cookie(s), entry);
  EXPECT_EQ(without.status, 403) << without.body;
  EXPECT_EQ(ErrorCode(without), "csrf");
  std::string wrong = s.csrf;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& token : {wrong, s.csrf.substr(1), std::string("x")}) {
    TestHttpResponse r = Call("POST", "/v1/lists", Cookie(s) + Csrf(token), entry);
    EXPECT_EQ(r.status, 403) << token;
    EXPECT_EQ(ErrorCode(r), "csrf");
  }
  EXPECT_THAT(Call("GET", "/v1/lists", Cookie(s)).body, ::testing::Not(HasSubstr("C_CSRF")));

  TestHttpResponse with = Call("POST", "/v1/lists", Cookie(s) + Csrf(s.csrf), entry);
  EXPECT_EQ(with.status, 201) << with.body;
  TestHttpResponse listed = Call("GET", "/v1/lists", Cookie(s));
  ASSERT_EQ(listed.status, 200);
  json entries = json::parse(listed.body)["entries"];
  ASSERT_EQ(entries.size(), 1u) << entries;
  EXPECT_EQ(entries[0]["value"], "C_CSRF");
  EXPECT_EQ(entries[0]["added_by"], s.body["key_id"]);  // recorded as the session's key

  TestHttpResponse removed =
      Call("DELETE", "/v1/lists/block/customer/C_CSRF", Cookie(s) + Csrf(s.csrf));
  EXPECT_EQ(removed.status, 200) << removed.body;
}

TEST_F(DashboardSessionsTest, SigningOutEndsTheSessionAndClearsTheCookie) {
  Start();
  AddCustomer("C_OUT");
  const SignedIn s = SignIn(analyst_);
  const SignedIn other = SignIn(analyst_);
  TestHttpResponse no_csrf = Call("DELETE", "/v1/session", Cookie(s));
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(ErrorCode(no_csrf), "csrf");
  EXPECT_EQ(Call("GET", "/v1/customers/C_OUT", Cookie(s)).status, 200);

  TestHttpResponse out = Call("DELETE", "/v1/session", Cookie(s) + Csrf(s.csrf));
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(out.Header("Set-Cookie"),
            "vigil_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
  TestHttpResponse after = Call("GET", "/v1/customers/C_OUT", Cookie(s));
  EXPECT_EQ(after.status, 401);
  EXPECT_THAT(after.body, HasSubstr("signed out"));
  EXPECT_EQ(Call("GET", "/v1/session", Cookie(s)).status, 401);
  // Signing out again, or without a session, still clears the cookie.
  EXPECT_EQ(Call("DELETE", "/v1/session", Cookie(s)).status, 204);
  EXPECT_EQ(Call("DELETE", "/v1/session").status, 204);
  // Another session of the same key goes on.
  EXPECT_EQ(Call("GET", "/v1/customers/C_OUT", Cookie(other)).status, 200);
}

TEST_F(DashboardSessionsTest, RevokingTheKeyEndsItsSessionsAtOnce) {
  Start();
  AddCustomer("C_REVOKE");
  const SignedIn first = SignIn(analyst_);
  const SignedIn second = SignIn(analyst_);
  const SignedIn admin = SignIn(admin_);
  ASSERT_EQ(Call("GET", "/v1/customers/C_REVOKE", Cookie(first)).status, 200);
  // As an operator does it: `vigil keys revoke`, in another process.
  const std::string command =
      fmt::format("'{}' keys revoke --data-dir '{}' --id '{}' >/dev/null", VIGIL_BINARY,
                  config_.data_dir, first.body["key_id"].get<std::string>());
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  for (const SignedIn* s : {&first, &second}) {
    TestHttpResponse r = Call("GET", "/v1/customers/C_REVOKE", Cookie(*s));
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_THAT(r.body, HasSubstr("API key was revoked"));
    EXPECT_EQ(Call("GET", "/v1/session", Cookie(*s)).status, 401);
  }
  EXPECT_EQ(Call("GET", "/v1/customers/C_REVOKE", Cookie(admin)).status, 200);
  EXPECT_EQ(PostSession(json{{"api_key", analyst_}}.dump()).status, 401);
}

TEST_F(DashboardSessionsTest, ASessionExpiresAfterEightHours) {
  Start();
  AddCustomer("C_LATE");
  const SignedIn s = SignIn(analyst_);
  now_ = kStart + kEightHours - 1;
  EXPECT_EQ(Call("GET", "/v1/customers/C_LATE", Cookie(s)).status, 200);
  now_ = kStart + kEightHours;
  TestHttpResponse r = Call("GET", "/v1/customers/C_LATE", Cookie(s));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("expired"));
  EXPECT_EQ(Call("GET", "/v1/session", Cookie(s)).status, 401);
}

TEST_F(DashboardSessionsTest, RefusesForgedCookies) {
  Start();
  const SignedIn s = SignIn(analyst_);
  std::string forged = s.token;
  forged[0] = forged[0] == 'a' ? 'b' : 'a';
  for (const std::string& token :
       {forged, s.token + "0", std::string("abc"), Sha256Hex(s.token), s.token.substr(0, 63)}) {
    TestHttpResponse r =
        Call("GET", "/v1/session",
             fmt::format("Cookie: {}={}\r\n", DashboardSessions::kCookieName, token));
    EXPECT_EQ(r.status, 401) << token;
    EXPECT_EQ(ErrorCode(r), "unauthenticated");
  }
}

TEST_F(DashboardSessionsTest, SessionsAreRateLimitedLikeTheirKeys) {
  config_.rate_limits["analyst"] = {.tokens_per_second = 0.001, .burst = 3};
  Start();
  const SignedIn s = SignIn(analyst_);                                       // one
  EXPECT_EQ(Call("GET", "/v1/session", Cookie(s)).status, 200);              // two
  EXPECT_EQ(Call("GET", "/v1/decisions/dec_x", Cookie(s)).status, 404);      // three
  TestHttpResponse limited = Call("GET", "/v1/decisions/dec_x", Cookie(s));  // the key's bucket
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.Header("Retry-After").has_value());
  EXPECT_EQ(Call("GET", "/v1/decisions/dec_x", fmt::format("X-API-Key: {}\r\n", analyst_)).status,
            429);
}

TEST(SessionTokenFromCookies, FindsTheSessionAmongOtherCookies) {
  EXPECT_EQ(SessionTokenFromCookies("vigil_session=abc"), "abc");
  EXPECT_EQ(SessionTokenFromCookies("a=1; vigil_session=abc; b=2"), "abc");
  EXPECT_EQ(SessionTokenFromCookies("a=1;vigil_session=abc ;b=2"), "abc");
  EXPECT_EQ(SessionTokenFromCookies("vigil_session=first; vigil_session=second"), "first");
  EXPECT_EQ(SessionTokenFromCookies("xvigil_session=abc; vigil_sessionx=def"), "");
  EXPECT_EQ(SessionTokenFromCookies("vigil_session"), "");
  EXPECT_EQ(SessionTokenFromCookies(""), "");
}

TEST(CsrfTokenMatches, NeedsTheWholeTokenExactly) {
  EXPECT_TRUE(CsrfTokenMatches("abcdef", "abcdef"));
  EXPECT_FALSE(CsrfTokenMatches("abcdef", "abcdeF"));
  EXPECT_FALSE(CsrfTokenMatches("abcdef", "abcde"));
  EXPECT_FALSE(CsrfTokenMatches("abcdef", ""));
  EXPECT_FALSE(CsrfTokenMatches("", ""));
}

TEST(NeedsCsrfToken, OnlyForMethodsThatChangeState) {
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) EXPECT_TRUE(NeedsCsrfToken(m)) << m;
  for (const char* m : {"GET", "HEAD", "OPTIONS"}) EXPECT_FALSE(NeedsCsrfToken(m)) << m;
}

}  // namespace
}  // namespace vigil
