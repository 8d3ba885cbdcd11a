#include "service/vigil_server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "common/ascii.h"
#include "common/field_error.h"
#include "common/json_writer.h"
#include "common/thread_name.h"
#include "http/access_log.h"
#include "http/handler_pool.h"
#include "http/http_response.h"
#include "http/http_server.h"
#include "http/metrics_registry.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "nlohmann/json.hpp"
#include "service/account_json.h"
#include "service/api_keys.h"
#include "service/dashboard_routes.h"
#include "service/dashboard_sessions.h"
#include "service/payment_flow.h"
#include "service/risk_service.h"
#include "service/static_files.h"
#include "service/store_festivals.h"
#include "service/transaction_json.h"
#include "service/twilio_webhook.h"
#include "sms/log_sender.h"
#include "sms/twilio_client.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

using nlohmann::json;

HttpResponse JsonResponse(std::string body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The API key a request presents: X-API-Key, or Authorization: Bearer.
std::string_view PresentedKey(const HttpRequest& req) {
  if (auto key = req.Header("X-API-Key"); key.has_value() && !key->empty()) return *key;
  if (auto auth = req.Header("Authorization"); auth.has_value()) {
    std::string_view v = *auth;
    if (v.size() > 7 && StartsWithIgnoreCase(v, "Bearer ")) {
      v.remove_prefix(7);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    }
  }
  return {};
}

// The media type of Content-Type, lower case, without parameters.
std::string MediaType(const HttpRequest& req) {
  std::string_view v = req.Header("Content-Type").value_or("");
  v = v.substr(0, v.find(';'));
  std::string out(v);
  absl::AsciiStrToLower(&out);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

constexpr std::array<std::string_view, 4> kLevels = {"low", "medium", "high", "critical"};

// The SMS sender: the test's, else Twilio's REST API when its credentials
// are in the environment, else the log (the demo works offline).
StatusOr<std::shared_ptr<SmsSender>> MakeSmsSender(const ServeConfig& config) {
  if (config.sms_sender != nullptr) return config.sms_sender;
  if (std::optional<TwilioOptions> twilio = TwilioOptionsFromEnvironment()) {
    // One attempt per Send: the payment flow retries, durably and with
    // reconciliation, because a retry after a timeout could send twice.
    twilio->max_attempts = 1;
    ASSIGN_OR_RETURN(std::unique_ptr<TwilioClient> client, TwilioClient::Create(*twilio));
    return std::shared_ptr<SmsSender>(std::move(client));
  }
  return std::shared_ptr<SmsSender>(std::make_shared<LogSender>());
}

PaymentFlowOptions PaymentFlowOptionsFrom(const ServeConfig& config, MetricsRegistry* metrics) {
  PaymentFlowOptions options{.fraud_threshold = config.fraud_threshold,
                             .verification_ttl_seconds = config.verification_ttl_seconds,
                             .expired_status = config.expired_status,
                             .no_sms_status = config.no_sms_status,
                             .sms_shows_amount = config.sms_shows_amount};
  std::string_view base = config.public_base_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  if (!base.empty() && !config.twilio_auth_token.empty()) {
    options.status_callback_url = std::string(base) + "/webhook/twilio";
  }
  options.on_step = [metrics](std::string_view step, std::string_view outcome) {
    metrics
        ->GetCounter("vigil_payment_steps_total", "Steps of the payment flow by outcome",
                     {{"step", std::string(step)}, {"outcome", std::string(outcome)}})
        ->Increment();
  };
  return options;
}

// Days from now until the festival calendar's last festival starts: after
// it, every order's days-to-festival feature is missing, which the models
// never saw in training. Negative once past; -inf for an empty calendar.
double FestivalCalendarDaysLeft(const RiskService& service) {
  const Timestamp last = service.FestivalCalendarEnd();
  if (last == 0) return -std::numeric_limits<double>::infinity();
  return static_cast<double>(last - NowSeconds()) / kSecondsPerDay;
}

constexpr double kFestivalCalendarWarningDays = 60;

// At start, on stderr: rows of the store's festivals.csv that were skipped,
// and a calendar that runs out within kFestivalCalendarWarningDays.
void WarnAboutFestivalCalendar(const RiskService& service, const std::string& path) {
  for (const LoadIssue& issue : service.festival_issues()) {
    fmt::print(stderr, "vigil serve: {}:{}: {} (row skipped)\n", path, issue.line, issue.message);
  }
  const double days_left = FestivalCalendarDaysLeft(service);
  if (days_left >= kFestivalCalendarWarningDays) return;
  const Timestamp last = service.FestivalCalendarEnd();
  fmt::print(stderr,
             "vigil serve: the festival calendar {} {}: orders placed after it get no "
             "days-to-festival feature. Add the coming year's festivals and sales to it "
             "(docs/configuration.md) and restart\n",
             path,
             last == 0 ? "has no festival"
                       : fmt::format("has no festival after the one starting {}",
                                     FormatDate(last, kIstOffsetSeconds)));
}

}  // namespace

struct VigilServer::Impl {
  ServeConfig config;
  // Before the store: its writer observes commits into a histogram here
  // until the store is closed.
  MetricsRegistry metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<RiskService> service;
  std::unique_ptr<ApiKeys> keys;
  std::unique_ptr<DashboardSessions> sessions;
  std::unique_ptr<StaticFiles> web;
  std::unique_ptr<TwilioWebhook> twilio;
  std::shared_ptr<SmsSender> sms_sender;
  std::unique_ptr<PaymentFlow> payments;                 // before the store closes, stopped
  std::array<std::unique_ptr<RateLimiter>, 3> limiters;  // by Role
  std::unique_ptr<HttpServer> http;
  // After http, so that it is destroyed first: handlers it still holds keep
  // the server's Responders. Stopped before the store closes.
  std::unique_ptr<HandlerPool> workers;
  std::atomic<bool> shut_down{false};

  // Upkeep on one thread: the overview's roll-up every
  // rollup_interval_seconds, and retention (decisions older than
  // retention_days archived) a minute after start and then every
  // archive_interval_minutes.
  absl::Mutex upkeep_mu;
  bool upkeep_stop ABSL_GUARDED_BY(upkeep_mu) = false;
  std::thread upkeep;
  Counter* archived = nullptr;
  Counter* rolled_up = nullptr;

  Counter* unauthenticated = nullptr;
  Counter* forbidden = nullptr;
  std::array<Counter*, 3> rate_limited{};
  Counter* events_accepted = nullptr;
  Counter* events_duplicate = nullptr;
  Counter* events_rejected = nullptr;

  // (kind, version) pairs served since start; only RenderMetrics touches it,
  // under metrics_render_mu.
  absl::Mutex metrics_render_mu;
  std::set<std::pair<std::string, std::string>> served_versions ABSL_GUARDED_BY(metrics_render_mu);

  // Filled once at start and read-only afterwards: no lock and no
  // allocation on the hot path. The keys view string literals.
  using DecisionKey = std::tuple<std::string_view, std::string_view, std::string_view>;
  absl::flat_hash_map<DecisionKey, Counter*> decision_counters;

  Counter* DecisionCounter(std::string_view kind, std::string_view level, std::string_view action) {
    auto it = decision_counters.find(DecisionKey{kind, level, action});
    if (it != decision_counters.end()) return it->second;
    return metrics.GetCounter("vigil_decisions_total", "Decisions by kind, risk level and action",
                              {{"kind", std::string(kind)},
                               {"level", std::string(level)},
                               {"action", std::string(action)}});
  }

  void StartUpkeep() {
    upkeep = std::thread([this] {
      NameThisThread("vigil-upkeep");
      // Nice 10: its bursts (a roll-up reads ~50 000 decisions in 0.2 s at
      // 5 000 scores/s; an archive gzips for seconds) yield the two cores to
      // the scoring threads, yet it keeps ~10 % of a core under full load,
      // so retention still happens (SCHED_IDLE, as the similar-case thread
      // has, could starve it). Failing leaves it at the default priority.
      (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
      absl::Time next_archive = absl::Now() + absl::Minutes(1);
      while (!AwaitUpkeepStop(absl::Seconds(config.rollup_interval_seconds))) {
        RollUp();
        if (config.archive_interval_minutes > 0 && absl::Now() >= next_archive) {
          Archive();
          next_archive = absl::Now() + absl::Minutes(config.archive_interval_minutes);
        }
      }
    });
  }

  // True once StopUpkeep was called, else false after `wait`.
  bool AwaitUpkeepStop(absl::Duration wait) {
    absl::MutexLock lock(&upkeep_mu);
    return upkeep_mu.AwaitWithTimeout(absl::Condition(&upkeep_stop), wait);
  }

  // Folds everything new, in pieces of 10 000 decisions: each piece's write
  // holds the store's writer (and the scoring commits queued behind it) for
  // its few hundred rows, not for a backlog's (a store just upgraded to
  // schema 12 folds all its decisions once). A shutdown stops it between
  // pieces.
  void RollUp() {
    for (int pieces = 0; pieces < 1'000 && !AwaitUpkeepStop(absl::ZeroDuration()); ++pieces) {
      auto folded = store->RollUpDecisions(10'000);
      if (!folded.ok()) {
        fmt::print(stderr, "vigil serve: rolling up the overview's counts failed: {}\n",
                   folded.status().message());
        return;
      }
      if (*folded == 0) return;
      rolled_up->Increment(*folded);
    }
  }

  void Archive() {
    const Timestamp cutoff = NowSeconds() - int64_t{config.retention_days} * 86'400;
    auto n = store->ArchiveDecisions(cutoff,
                                     (std::filesystem::path(config.data_dir) / "archive").string());
    if (n.ok()) {
      archived->Increment(*n);
    } else {
      fmt::print(stderr, "vigil serve: archiving decisions failed: {}\n", n.status().message());
    }
  }

  void StopUpkeep() {
    {
      absl::MutexLock lock(&upkeep_mu);
      upkeep_stop = true;
    }
    if (upkeep.joinable()) upkeep.join();
  }

  // Shadow decisions by whether the challenger chose the champion's action.
  std::array<Counter*, 4> challenger_counters{};  // [kind * 2 + agrees]
  Counter* ChallengerCounter(std::string_view kind, bool agrees) {
    return challenger_counters[(kind == "return" ? 2 : 0) + (agrees ? 1 : 0)];
  }

  void InitMetrics() {
    for (std::string_view kind : {"order", "return"}) {
      for (bool agrees : {false, true}) {
        challenger_counters[(kind == "return" ? 2 : 0) + (agrees ? 1 : 0)] = metrics.GetCounter(
            "vigil_challenger_decisions_total",
            "Decisions scored in shadow by a challenger, by whether it chose the same action",
            {{"kind", std::string(kind)}, {"agreement", agrees ? "same_action" : "other_action"}});
      }
    }
    archived = metrics.GetCounter("vigil_decisions_archived_total",
                                  "Decisions moved to archive files by the retention job");
    rolled_up = metrics.GetCounter("vigil_decisions_rolled_up_total",
                                   "Decisions folded into the overview's per-minute counts");
    unauthenticated = metrics.GetCounter("vigil_auth_failures_total",
                                         "Requests refused for authentication or role",
                                         {{"reason", "unauthenticated"}});
    forbidden = metrics.GetCounter("vigil_auth_failures_total",
                                   "Requests refused for authentication or role",
                                   {{"reason", "forbidden"}});
    for (Role role : {Role::kScorer, Role::kAnalyst, Role::kAdmin}) {
      rate_limited[static_cast<size_t>(role)] =
          metrics.GetCounter("vigil_rate_limited_total", "Requests refused by a key's rate limit",
                             {{"role", std::string(RoleName(role))}});
    }
    const char* kEvents = "vigil_events_total";
    const char* kEventsHelp = "Events offered through /v1/events, by outcome";
    events_accepted = metrics.GetCounter(kEvents, kEventsHelp, {{"outcome", "accepted"}});
    events_duplicate = metrics.GetCounter(kEvents, kEventsHelp, {{"outcome", "duplicate"}});
    events_rejected = metrics.GetCounter(kEvents, kEventsHelp, {{"outcome", "rejected"}});
    // Every series exists from the start, so dashboards see zeros, not gaps.
    for (std::string_view level : kLevels) {
      for (std::string_view action :
           {"allow", "otp_verification", "prepaid_only", "manual_review", "block"}) {
        decision_counters[{"order", level, action}] = DecisionCounter("order", level, action);
      }
      for (std::string_view action : {"instant_refund", "pickup_qc", "manual_review", "deny"}) {
        decision_counters[{"return", level, action}] = DecisionCounter("return", level, action);
      }
    }
  }

  // The caller, or nullopt after answering 401, 403 or 429. A request with
  // no API key may be signed in by the dashboard's session cookie on the
  // analyst and admin routes (docs/dashboard.md); scoring takes keys only,
  // and a request with a key never looks at cookies.
  std::optional<Caller> Admit(const HttpRequest& req, Role need, const Responder& respond) {
    const std::string_view presented = PresentedKey(req);
    if (presented.empty() && need != Role::kScorer) {
      const std::string_view token = SessionTokenFromCookies(req.Header("Cookie").value_or(""));
      if (!token.empty()) return AdmitSession(req, token, need, respond);
    }
    return AdmitKey(presented, need, respond);
  }

  std::optional<Caller> AdmitKey(std::string_view presented, Role need, const Responder& respond) {
    const auto caller = AuthenticateKey(presented, respond);
    if (!caller.has_value()) return std::nullopt;
    return AdmitCaller(*caller, need, respond);
  }

  // The key's caller, or nullopt after answering 401.
  std::optional<Caller> AuthenticateKey(std::string_view presented, const Responder& respond) {
    if (presented.empty()) {
      unauthenticated->Increment();
      respond(ErrorResponse(401, "unauthenticated",
                            "send an API key as X-API-Key or Authorization: Bearer"));
      return std::nullopt;
    }
    auto caller = keys->Authenticate(presented);
    if (!caller.has_value()) {
      unauthenticated->Increment();
      respond(ErrorResponse(401, "unauthenticated", "the API key is not valid or was revoked"));
    }
    return caller;
  }

  // A state-changing request signed in by the cookie must also carry the
  // session's CSRF token, which another site cannot read.
  std::optional<Caller> AdmitSession(const HttpRequest& req, std::string_view token, Role need,
                                     const Responder& respond) {
    const auto session = AuthenticateSession(token, respond);
    if (!session.has_value()) return std::nullopt;
    if (NeedsCsrfToken(req.method()) &&
        !CsrfTokenMatches(session->csrf_token, req.Header("X-CSRF-Token").value_or(""))) {
      forbidden->Increment();
      respond(ErrorResponse(403, "csrf",
                            "a request signed in by the session cookie must send the session's "
                            "csrf_token as X-CSRF-Token"));
      return std::nullopt;
    }
    return AdmitCaller(session->caller, need, respond);
  }

  // The live session of `token`, or nullopt after answering 401 (or the
  // store's error).
  std::optional<DashboardSession> AuthenticateSession(std::string_view token,
                                                      const Responder& respond) {
    auto session = sessions->Authenticate(token);
    if (session.ok()) return *std::move(session);
    if (absl::IsUnauthenticated(session.status())) unauthenticated->Increment();
    respond(ResponseFromStatus(session.status()));
    return std::nullopt;
  }

  // The role check and the rate limit of an authenticated caller.
  std::optional<Caller> AdmitCaller(const Caller& caller, Role need, const Responder& respond) {
    if (!RoleAllows(caller.role, need)) {
      forbidden->Increment();
      respond(ErrorResponse(403, "permission_denied",
                            fmt::format("this route needs the {} role; the key is {}",
                                        RoleName(need), RoleName(caller.role))));
      return std::nullopt;
    }
    const size_t r = static_cast<size_t>(caller.role);
    const auto decision = limiters[r]->TryAcquire(caller.key_id, std::chrono::steady_clock::now());
    if (!decision.allowed) {
      rate_limited[r]->Increment();
      respond(TooManyRequestsResponse(decision.retry_after_seconds));
      return std::nullopt;
    }
    return caller;
  }

  // POST, GET and DELETE /v1/session: signing in to the dashboard with an
  // analyst or admin key, and out (docs/dashboard.md, "Sessions").
  void AddSessionRoutes(Router& router) {
    router.Add("POST", "/v1/session", [this](HttpRequest& req, Responder respond) {
      if (!AcceptsJsonBody(req, respond)) return;
      auto key = SignInKey(req.body());
      if (!key.ok()) return respond(ResponseFromStatus(key.status()));
      const auto caller = AuthenticateKey(*key, respond);
      if (!caller.has_value()) return;
      if (caller->role == Role::kScorer) {
        forbidden->Increment();
        return respond(ErrorResponse(403, "permission_denied",
                                     "the dashboard is for analyst and admin keys; this key is "
                                     "a scorer key"));
      }
      if (!AdmitCaller(*caller, Role::kAnalyst, respond)) return;
      auto begun = sessions->Begin(*caller);
      if (absl::IsUnauthenticated(begun.status())) {
        unauthenticated->Increment();  // revoked by another process a moment ago
        return respond(
            ErrorResponse(401, "unauthenticated", "the API key is not valid or was revoked"));
      }
      if (!begun.ok()) return respond(ResponseFromStatus(begun.status()));
      HttpResponse r = SessionResponse(begun->session, 201);
      r.headers.emplace_back("Set-Cookie", sessions->SessionCookie(begun->token));
      respond(std::move(r));
    });
    router.Add("GET", "/v1/session", [this](HttpRequest& req, Responder respond) {
      const std::string_view token = SessionTokenFromCookies(req.Header("Cookie").value_or(""));
      if (token.empty()) {
        unauthenticated->Increment();
        return respond(ErrorResponse(401, "unauthenticated", "not signed in"));
      }
      const auto session = AuthenticateSession(token, respond);
      if (!session || !AdmitCaller(session->caller, Role::kAnalyst, respond)) return;
      respond(SessionResponse(*session, 200));
    });
    // Signing out of a session that has ended already succeeds too: the
    // cookie is cleared either way.
    router.Add("DELETE", "/v1/session", [this](HttpRequest& req, Responder respond) {
      const std::string_view token = SessionTokenFromCookies(req.Header("Cookie").value_or(""));
      if (!token.empty()) {
        auto session = sessions->Authenticate(token);
        if (!session.ok() && !absl::IsUnauthenticated(session.status())) {
          return respond(ResponseFromStatus(session.status()));
        }
        if (session.ok()) {
          if (!CsrfTokenMatches(session->csrf_token, req.Header("X-CSRF-Token").value_or(""))) {
            forbidden->Increment();
            return respond(ErrorResponse(403, "csrf",
                                         "signing out needs the session's csrf_token as "
                                         "X-CSRF-Token"));
          }
          if (Status s = sessions->End(*session); !s.ok()) return respond(ResponseFromStatus(s));
        }
      }
      HttpResponse r;
      r.status = 204;
      r.headers.emplace_back("Set-Cookie", sessions->ClearedCookie());
      r.headers.emplace_back("Cache-Control", "no-store");
      respond(std::move(r));
    });
  }

  static HttpResponse SessionResponse(const DashboardSession& session, int status) {
    HttpResponse r = JsonResponse(DashboardSessions::SessionJson(session), status);
    r.headers.emplace_back("Cache-Control", "no-store");  // it holds the CSRF token
    return r;
  }

  // GET / and GET /assets/...: the dashboard's files. The router matches
  // whole segments, so /assets/ takes paths up to kAssetDepth deep.
  static constexpr int kAssetDepth = 6;
  void AddDashboardRoutes(Router& router) {
    router.Add("GET", "/",
               [this](HttpRequest& req, Responder respond) { respond(web->Index(req)); });
    std::string pattern = "/assets";
    for (int depth = 1; depth <= kAssetDepth; ++depth) {
      pattern += fmt::format("/{{p{}}}", depth);
      router.Add("GET", pattern,
                 [this](HttpRequest& req, Responder respond) { respond(web->Asset(req)); });
    }
  }

  // Every route runs on the worker pool except these, which never wait:
  // scoring hands its write to the store's writer and answers from its
  // callback (a replayed id's stored decision is read on a worker:
  // RiskServiceOptions::offload_read), and the probes read memory. So a
  // slow store read, a synchronous durable write (payments, lists, labels,
  // sessions) or a model load cannot hold up the checkout scoring served by
  // the same I/O thread.
  //
  // /v1/events stays on the I/O thread for one event or a few, and goes to a
  // worker for a batch that Ingest writes in several commits (and waits
  // for) or that is large to decode. A batch of 500 NDJSON lines is ~5 ms
  // of decoding, look-ups and state updates, which scoring on the same I/O
  // thread used to wait for.
  static constexpr size_t kInlineEventBytes = 64 << 10;
  void OffloadBlockingRoutes(Router& router) {
    static constexpr std::array<std::string_view, 5> kOnIoThreads = {
        "/v1/orders/score", "/v1/returns/score", "/healthz", "/readyz", "/metrics"};
    router.WrapHandlers([this](std::string_view, std::string_view pattern, Handler handler) {
      if (std::find(kOnIoThreads.begin(), kOnIoThreads.end(), pattern) != kOnIoThreads.end()) {
        return handler;
      }
      Handler offloaded = workers->Offload(handler);
      if (pattern != "/v1/events") return offloaded;
      return Handler([inline_handler = std::move(handler), offloaded = std::move(offloaded)](
                         HttpRequest& request, Responder respond) {
        const bool ndjson = MediaType(request) == "application/x-ndjson";
        if (request.body().size() <= kInlineEventBytes &&
            !RiskService::IngestWaitsForCommits(request.body(), ndjson)) {
          return inline_handler(request, std::move(respond));
        }
        offloaded(request, std::move(respond));
      });
    });
  }

  void AddRoutes(Router& router) {
    AddSessionRoutes(router);
    AddDashboardRoutes(router);
    router.Add("POST", "/v1/orders/score", [this](HttpRequest& req, Responder respond) {
      Score(DecisionKind::kOrder, req, std::move(respond));
    });
    router.Add("POST", "/v1/returns/score", [this](HttpRequest& req, Responder respond) {
      Score(DecisionKind::kReturn, req, std::move(respond));
    });
    router.Add("POST", "/v1/events",
               [this](HttpRequest& req, Responder respond) { Events(req, std::move(respond)); });
    router.Add("GET", "/v1/decisions/{id}", [this](HttpRequest& req, Responder respond) {
      if (!Admit(req, Role::kAnalyst, respond)) return;
      Reply(service->Decision(*req.Param("id"), req.Query("language").value_or("")), respond);
    });
    router.Add("GET", "/v1/decisions/{id}/similar", [this](HttpRequest& req, Responder respond) {
      if (!Admit(req, Role::kAnalyst, respond)) return;
      size_t k = 10;
      if (auto text = req.Query("k"); text.has_value()) {
        if (!absl::SimpleAtoi(absl::string_view(text->data(), text->size()), &k) || k < 1 ||
            k > 100) {
          return respond(
              ResponseFromStatus(FieldError("k", "must be a whole number from 1 to 100")));
        }
      }
      Reply(service->SimilarDecisions(*req.Param("id"), k), respond);
    });
    router.Add("GET", "/v1/customers/{id}", [this](HttpRequest& req, Responder respond) {
      if (!Admit(req, Role::kAnalyst, respond)) return;
      Reply(service->Customer(*req.Param("id")), respond);
    });
    router.Add("GET", "/v1/lists", [this](HttpRequest& req, Responder respond) {
      if (!Admit(req, Role::kAdmin, respond)) return;
      json entries = json::array();
      for (const ListEntry& e : service->lists().Entries()) {
        entries.push_back({{"list", e.list},
                           {"field", e.field},
                           {"value", e.value},
                           {"reason", e.reason},
                           {"added_at", FormatTimestamp(e.added_at)},
                           {"added_by", e.added_by}});
      }
      respond(JsonResponse(json{{"entries", entries}}.dump()));
    });
    router.Add("POST", "/v1/lists", [this](HttpRequest& req, Responder respond) {
      const auto caller = Admit(req, Role::kAdmin, respond);
      if (!caller) return;
      PutListEntry(req, *caller, respond);
    });
    router.Add(
        "DELETE", "/v1/lists/{list}/{field}/{value}", [this](HttpRequest& req, Responder respond) {
          if (!Admit(req, Role::kAdmin, respond)) return;
          Status s =
              service->lists().Remove(*req.Param("list"), *req.Param("field"), *req.Param("value"));
          if (!s.ok()) return respond(ResponseFromStatus(s));
          respond(JsonResponse(R"({"removed":true})"));
        });
    // The second seed's paths, and the same under /v1.
    for (const std::string prefix : {"", "/v1"}) {
      router.Add("POST", prefix + "/accounts", [this](HttpRequest& req, Responder respond) {
        if (!Admit(req, Role::kAdmin, respond)) return;
        PutAccount(req, respond);
      });
      router.Add(
          "GET", prefix + "/accounts/{user_id}", [this](HttpRequest& req, Responder respond) {
            if (!Admit(req, Role::kAnalyst, respond)) return;
            auto account = store->FindAccount(*req.Param("user_id"));
            if (!account.ok()) return respond(ResponseFromStatus(account.status()));
            if (!account->has_value()) {
              return respond(
                  ErrorResponse(404, "not_found",
                                fmt::format("no account for user '{}'", *req.Param("user_id"))));
            }
            respond(JsonResponse(AccountJson(**account)));
          });
    }
    for (const auto& [post, get] :
         {std::pair<std::string, std::string>{"/transaction", "/transaction/{id}"},
          {"/v1/transactions", "/v1/transactions/{id}"}}) {
      router.Add("POST", post, [this](HttpRequest& req, Responder respond) {
        if (!Admit(req, Role::kScorer, respond)) return;
        ReceiveTransaction(req, respond);
      });
      router.Add("GET", get, [this](HttpRequest& req, Responder respond) {
        if (!Admit(req, ScorerOrAnalyst(req), respond)) return;
        const std::string id(*req.Param("id"));
        auto found = store->FindTransaction(id);
        if (!found.ok()) return respond(ResponseFromStatus(found.status()));
        if (!found->has_value()) {
          return respond(ErrorResponse(404, "not_found", fmt::format("no transaction '{}'", id)));
        }
        auto history = store->TransactionHistory(id);
        if (!history.ok()) return respond(ResponseFromStatus(history.status()));
        auto messages = store->SmsForTransaction(id);
        if (!messages.ok()) return respond(ResponseFromStatus(messages.status()));
        respond(JsonResponse(TransactionJson(**found, *history, *messages)));
      });
    }
    router.Add("POST", "/webhook/twilio", [this](HttpRequest& req, Responder respond) {
      if (MediaType(req) != "application/x-www-form-urlencoded") {
        return respond(ErrorResponse(415, "unsupported_media_type",
                                     "Twilio posts application/x-www-form-urlencoded"));
      }
      std::string target(req.path());
      if (!req.query_string().empty()) target += "?" + std::string(req.query_string());
      const WebhookAnswer answer = twilio->Handle(
          target, req.body(), req.Header("X-Twilio-Signature").value_or(""), NowSeconds());
      HttpResponse response;
      response.status = answer.status;
      response.content_type = answer.content_type;
      response.body = answer.body;
      respond(std::move(response));
    });
    router.Add("POST", "/v1/models/reload", [this](HttpRequest& req, Responder respond) {
      if (!Admit(req, Role::kAdmin, respond)) return;
      Status s = service->ReloadModels();
      if (!s.ok()) {
        // The models in service stay; the admin learns why the new ones did not load.
        fmt::print(stderr, "vigil serve: model reload failed: {}\n", s.message());
        return respond(ErrorResponse(500, "model_load_failed",
                                     fmt::format("the models in service stay: {}", s.message())));
      }
      respond(JsonResponse(ModelsJson().dump()));
    });
    AddDashboardDataRoutes(
        router, {.store = store.get(),
                 .service = service.get(),
                 .models_dir = config.models_dir,
                 .metrics = &metrics,
                 .admit = [this](const HttpRequest& req, Role need, const Responder& respond) {
                   return Admit(req, need, respond);
                 }});
    router.Add("GET", "/healthz", [](HttpRequest&, Responder respond) {
      respond(JsonResponse(R"({"status":"ok"})"));
    });
    router.Add("GET", "/readyz", [this](HttpRequest&, Responder respond) {
      json body = {{"models", ModelsJson()}};
      const bool ready = !service->ModelVersion(DecisionKind::kOrder).empty() ||
                         !service->ModelVersion(DecisionKind::kReturn).empty() ||
                         !service->ModelVersion(DecisionKind::kTransaction).empty();
      body["status"] = ready ? "ready" : "no production model is loaded";
      respond(JsonResponse(body.dump(), ready ? 200 : 503));
    });
    router.Add("GET", "/metrics", [this](HttpRequest& req, Responder respond) {
      if (config.metrics_require_key && !Admit(req, Role::kAnalyst, respond)) return;
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4";
      r.body = RenderMetrics();
      respond(std::move(r));
    });
  }

  json ModelsJson() const {
    json models = json::object();
    for (DecisionKind kind :
         {DecisionKind::kOrder, DecisionKind::kReturn, DecisionKind::kTransaction}) {
      const std::string version = service->ModelVersion(kind);
      models[std::string(DecisionKindName(kind))] = version.empty() ? json(nullptr) : json(version);
      const std::string challenger = service->ChallengerVersion(kind);
      if (!challenger.empty()) {
        models[fmt::format("{}_challenger", DecisionKindName(kind))] = challenger;
      }
    }
    return models;
  }

  std::string RenderMetrics() {
    absl::MutexLock lock(&metrics_render_mu);
    const StoreStats s = store->Stats();
    metrics.GetGauge("vigil_store_queue_depth", "Write units waiting for the store's writer")
        ->Set(static_cast<double>(s.queue_depth));
    metrics.GetGauge("vigil_worker_queue_depth", "Requests waiting for a worker thread")
        ->Set(static_cast<double>(workers->queued()));
    metrics
        .GetGauge("vigil_worker_rejected",
                  "Requests answered 503 overloaded because the worker queue was full")
        ->Set(static_cast<double>(workers->rejected()));
    metrics.GetGauge("vigil_store_commits", "Transactions the store committed")
        ->Set(static_cast<double>(s.commits));
    metrics.GetGauge("vigil_store_batches", "Write units the store committed")
        ->Set(static_cast<double>(s.batches));
    metrics.GetGauge("vigil_store_failed_batches", "Write units the store failed")
        ->Set(static_cast<double>(s.failed_batches));
    metrics
        .GetGauge("vigil_store_last_commit_seconds",
                  "Duration of the last group commit, from BEGIN until it was durable")
        ->Set(static_cast<double>(s.last_commit_micros) / 1e6);
    metrics
        .GetGauge("vigil_store_commit_seconds_total",
                  "Time from BEGIN until durable, summed over commits (divide by "
                  "vigil_store_commits for the mean)")
        ->Set(static_cast<double>(s.total_commit_micros) / 1e6);
    metrics.GetGauge("vigil_store_checkpoints", "WAL checkpoints run")
        ->Set(static_cast<double>(s.checkpoints));
    metrics.GetGauge("vigil_store_max_commit_seconds", "Longest group commit so far")
        ->Set(static_cast<double>(s.max_commit_micros) / 1e6);
    if (const SimilarCases* similar = service->similar(); similar != nullptr) {
      const SimilarCasesStats st = similar->stats();
      metrics.GetGauge("vigil_similar_cases_added", "Cases added to the similar-case indexes")
          ->Set(static_cast<double>(st.added));
      metrics
          .GetGauge("vigil_similar_cases_dropped",
                    "Cases not indexed because the similar-case queue was full")
          ->Set(static_cast<double>(st.dropped));
      metrics.GetGauge("vigil_similar_queue_depth", "Cases waiting for the similar-case indexes")
          ->Set(static_cast<double>(st.queue_depth));
      for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
        metrics
            .GetGauge("vigil_similar_cases", "Cases in the similar-case index",
                      {{"kind", std::string(DecisionKindName(kind))}})
            ->Set(static_cast<double>(st.size[static_cast<size_t>(kind)]));
      }
    }
    for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
      // Every version served since start has a series: 1 now, 0 after a reload.
      const std::string version = service->ModelVersion(kind);
      if (!version.empty()) served_versions.insert({std::string(DecisionKindName(kind)), version});
    }
    for (const auto& [kind, version] : served_versions) {
      const bool current =
          service->ModelVersion(kind == "order" ? DecisionKind::kOrder : DecisionKind::kReturn) ==
          version;
      metrics
          .GetGauge("vigil_model_info", "The model version serving each kind (1: now, 0: before)",
                    {{"kind", kind}, {"version", version}})
          ->Set(current ? 1 : 0);
    }
    metrics
        .GetGauge("vigil_festival_calendar_days_left",
                  "Days until the festival calendar's last festival starts; after it orders "
                  "get no days-to-festival feature (negative: past it)")
        ->Set(FestivalCalendarDaysLeft(*service));
    return metrics.RenderPrometheus();
  }

  // The role a route open to scorers and analysts (a payment's status) asks
  // of this request: scorer for a scorer's key, else analyst, which admins
  // and the dashboard's sessions pass too. Admit then checks for real.
  Role ScorerOrAnalyst(const HttpRequest& req) {
    const std::string_view presented = PresentedKey(req);
    if (presented.empty()) return Role::kAnalyst;
    const auto caller = keys->Authenticate(presented);
    return caller && caller->role == Role::kScorer ? Role::kScorer : Role::kAnalyst;
  }

  // false after answering 415 when the body is not sent as JSON.
  static bool AcceptsJsonBody(const HttpRequest& req, const Responder& respond) {
    if (MediaType(req) == "application/json") return true;
    respond(ErrorResponse(415, "unsupported_media_type",
                          "send the body as Content-Type: application/json"));
    return false;
  }

  static void Reply(const StatusOr<std::string>& body, const Responder& respond) {
    if (!body.ok()) return respond(ResponseFromStatus(body.status()));
    respond(JsonResponse(*body));
  }

  void Score(DecisionKind kind, HttpRequest& req, Responder respond) {
    if (!Admit(req, Role::kScorer, respond)) return;
    if (!AcceptsJsonBody(req, respond)) return;
    service->Score(
        kind, req.body(), req.Header("Accept-Language").value_or(""), req.request_id(),
        [this, respond = std::move(respond)](StatusOr<ScoreResult> result) {
          if (!result.ok()) return respond(ResponseFromStatus(result.status()));
          if (result->stored && !result->replayed) {
            DecisionCounter(result->kind, result->risk_level, result->action)->Increment();
            if (result->challenger_agrees.has_value()) {
              ChallengerCounter(result->kind, *result->challenger_agrees)->Increment();
            }
          }
          respond(JsonResponse(std::move(result->body)));
        });
  }

  void Events(HttpRequest& req, Responder respond) {
    if (!Admit(req, Role::kScorer, respond)) return;
    const std::string media = MediaType(req);
    const bool ndjson = media == "application/x-ndjson";
    if (!ndjson && media != "application/json") {
      return respond(
          ErrorResponse(415, "unsupported_media_type",
                        "send one event as application/json or several as application/x-ndjson"));
    }
    service->Ingest(req.body(), ndjson,
                    [this, respond = std::move(respond)](StatusOr<IngestResult> result) {
                      if (!result.ok()) return respond(ResponseFromStatus(result.status()));
                      events_accepted->Increment(result->accepted);
                      events_duplicate->Increment(result->duplicates);
                      events_rejected->Increment(result->rejected);
                      respond(JsonResponse(std::move(result->body)));
                    });
  }

  // 202 once the payment is durable (the flow goes on in the background);
  // the same again for a retry of the same payment, 409 when its id was used
  // for another one.
  void ReceiveTransaction(HttpRequest& req, const Responder& respond) {
    if (!AcceptsJsonBody(req, respond)) return;
    auto transaction = ParseTransaction(req.body(), NowSeconds(), NewTransactionId());
    if (!transaction.ok()) return respond(ResponseFromStatus(transaction.status()));
    auto created = store->ReceiveTransaction(*transaction);
    if (!created.ok()) return respond(ResponseFromStatus(created.status()));
    if (*created) payments->Wake();
    std::string status = "received";
    if (!*created) {
      auto stored = store->FindTransaction(transaction->transaction_id);
      if (!stored.ok()) return respond(ResponseFromStatus(stored.status()));
      const TransactionRecord& first = stored->value_or(*transaction);
      if (first.user_id != transaction->user_id || first.amount != transaction->amount ||
          first.currency != transaction->currency) {
        return respond(ResponseFromStatus(WithField(
            absl::AlreadyExistsError(fmt::format(
                "transaction_id '{}' was used for another payment (user or amount differ)",
                transaction->transaction_id)),
            "transaction_id")));
      }
      status = first.status;
    }
    JsonWriter w;
    w.StartObject();
    w.Field("transaction_id", transaction->transaction_id);
    w.Field("status", status);
    w.EndObject();
    respond(JsonResponse(w.Release(), 202));
  }

  static std::string NewTransactionId() {
    thread_local std::mt19937_64 random(std::random_device{}());
    return fmt::format("txn_{:016x}{:08x}", random(), static_cast<uint32_t>(random()));
  }

  // Creates (201) or replaces (200) an account; the answer is the account.
  void PutAccount(HttpRequest& req, const Responder& respond) {
    if (!AcceptsJsonBody(req, respond)) return;
    auto account = ParseAccount(req.body(), NowSeconds());
    if (!account.ok()) return respond(ResponseFromStatus(account.status()));
    auto created = store->PutAccount(*account);
    if (!created.ok()) return respond(ResponseFromStatus(created.status()));
    auto stored = store->FindAccount(account->user_id);
    if (!stored.ok()) return respond(ResponseFromStatus(stored.status()));
    respond(JsonResponse(AccountJson(stored->value_or(*account)), *created ? 201 : 200));
  }

  void PutListEntry(HttpRequest& req, const Caller& caller, const Responder& respond) {
    if (!AcceptsJsonBody(req, respond)) return;
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return respond(ErrorResponse(400, "invalid_argument", "the body must be a JSON object"));
    }
    ListEntry entry;
    for (auto [name, out] :
         {std::pair{"list", &entry.list}, std::pair{"field", &entry.field},
          std::pair{"value", &entry.value}, std::pair{"reason", &entry.reason}}) {
      auto it = body.find(name);
      if (it == body.end()) continue;
      if (!it->is_string()) {
        return respond(ResponseFromStatus(FieldError(name, "must be a string")));
      }
      *out = it->get<std::string>();
    }
    entry.added_at = NowSeconds();
    entry.added_by = caller.key_id;
    Status s = service->lists().Put(entry);
    if (!s.ok()) return respond(ResponseFromStatus(s));
    respond(JsonResponse(R"({"stored":true})", 201));
  }
};

VigilServer::VigilServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

VigilServer::~VigilServer() { Shutdown(); }

StatusOr<std::unique_ptr<VigilServer>> VigilServer::Start(const ServeConfig& config) {
  RETURN_IF_ERROR(Validate(config));
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  Histogram* commits = impl->metrics.GetHistogram(
      "vigil_store_commit_duration_seconds",
      "Group commits of the store, from BEGIN until durable (fsync included)",
      {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
  ASSIGN_OR_RETURN(
      impl->store,
      OpenSqliteStore(config.data_dir,
                      // A reader connection for every thread that reads at
                      // once: the I/O threads (an event's duplicate check),
                      // the workers, upkeep (an archive reads for seconds),
                      // payments, the similar-case rebuild and one spare, so
                      // no I/O thread waits behind dashboard queries.
                      {.reader_connections = config.io_threads + config.worker_threads + 4,
                       .wal_checkpoint_pages = config.wal_checkpoint_pages,
                       .on_commit = [commits](int64_t micros) {
                         commits->Observe(static_cast<double>(micros) / 1e6);
                       }}));
  ASSIGN_OR_RETURN(const std::string festivals, EnsureStoreFestivals(config.data_dir));
  impl->workers =
      std::make_unique<HandlerPool>(HandlerPoolOptions{.threads = config.worker_threads});
  RiskServiceOptions options{
      .models_dir = config.models_dir,
      .policy = config.policy,
      .top_factors = config.top_factors,
      .festivals_path = festivals,
      .challenger_versions = {config.challenger_order, config.challenger_return},
      .challenger_share = config.challenger_share,
      .similar = {.capacity = static_cast<size_t>(config.similar_capacity),
                  .cpu_share = config.similar_cpu_share},
      .offload_read = [workers = impl->workers.get()](std::function<void()> read) {
        return workers->Post(std::move(read));
      }};
  if (config.narration.provider != NarrationProvider::kNone) {
    ASSIGN_OR_RETURN(options.narrator, MakeNarrator(config.narration));
  }
  ASSIGN_OR_RETURN(impl->service, RiskService::Open(std::move(options), impl->store.get()));
  WarnAboutFestivalCalendar(*impl->service, festivals);
  impl->keys = std::make_unique<ApiKeys>(impl->store.get());
  impl->sessions = std::make_unique<DashboardSessions>(
      impl->store.get(), DashboardSessionOptions{.secure_cookies = config.secure_cookies,
                                                 .clock = config.session_clock});
  impl->web = std::make_unique<StaticFiles>(ResolveWebDir(config.web_dir));
  if (!impl->web->Installed()) {
    fmt::print(stderr, "vigil serve: no dashboard in {} (no index.html); GET / answers 404\n",
               impl->web->dir());
  }
  impl->twilio = std::make_unique<TwilioWebhook>(
      TwilioWebhookOptions{config.twilio_auth_token, config.public_base_url}, impl->store.get(),
      impl->service.get());
  ASSIGN_OR_RETURN(impl->sms_sender, MakeSmsSender(config));
  impl->payments =
      std::make_unique<PaymentFlow>(PaymentFlowOptionsFrom(config, &impl->metrics),
                                    impl->store.get(), impl->service.get(), impl->sms_sender.get());
  RETURN_IF_ERROR(impl->keys->Load());
  for (Role role : {Role::kScorer, Role::kAnalyst, Role::kAdmin}) {
    RateLimiterOptions limits;
    limits.default_limit = config.rate_limits.at(std::string(RoleName(role)));
    impl->limiters[static_cast<size_t>(role)] = std::make_unique<RateLimiter>(limits);
  }
  impl->InitMetrics();
  Router router;
  impl->AddRoutes(router);
  impl->OffloadBlockingRoutes(router);
  HttpServerOptions http{.bind = config.bind,
                         .port = config.port,
                         .io_threads = config.io_threads,
                         .max_body_bytes = static_cast<size_t>(config.max_body_bytes),
                         .max_header_bytes = static_cast<size_t>(config.max_header_bytes),
                         .read_timeout = std::chrono::milliseconds(config.read_timeout_ms),
                         .idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms),
                         .max_connections = config.max_connections,
                         .access_log = config.access_log ? StderrAccessLogSink() : nullptr};
  ASSIGN_OR_RETURN(impl->http, HttpServer::Start(http, std::move(router), &impl->metrics));
  impl->StartUpkeep();
  impl->payments->Start();
  return std::unique_ptr<VigilServer>(new VigilServer(std::move(impl)));
}

int VigilServer::port() const { return impl_->http->port(); }

void VigilServer::Shutdown() {
  if (impl_ == nullptr || impl_->shut_down.exchange(true)) return;
  impl_->http->Shutdown(std::chrono::milliseconds(impl_->config.shutdown_drain_ms));
  impl_->workers->Stop();
  impl_->StopUpkeep();
  impl_->payments->Stop();
  impl_->store->Close();
}

}  // namespace vigil
