// ServeConfig: every setting of `vigil serve`, read from a TOML file
// (docs/configuration.md lists them with their defaults), then from
// environment variables (VIGIL_BIND, VIGIL_PORT, VIGIL_DATA_DIR, VIGIL_MODELS,
// VIGIL_IO_THREADS), then from command-line flags: later sources win, except
// that VIGIL_WEB_DIR only applies when the file sets no web_dir.
// Unknown keys in the file are errors, so a typo never silently keeps a
// default. A value type.
#ifndef VIGIL_SERVICE_SERVE_CONFIG_H_
#define VIGIL_SERVICE_SERVE_CONFIG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "decision/policy.h"
#include "http/rate_limiter.h"
#include "narrate/narration_config.h"
#include "sms/sms_sender.h"

namespace vigil {

struct ServeConfig {
  // [server]
  std::string bind = "127.0.0.1";
  int port = 8080;
  int io_threads = 2;
  int worker_threads = 4;  // for the routes that may block (HandlerPool)
  int64_t max_body_bytes = 1 << 20;
  int64_t max_header_bytes = 16 << 10;
  int64_t read_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 60'000;
  int max_connections = 10'000;
  int64_t shutdown_drain_ms = 10'000;
  bool metrics_require_key = false;  // /metrics open by default, as Prometheus expects
  bool access_log = true;            // one JSON line per request on stderr
  // The dashboard's files (docs/dashboard.md): this directory, else
  // VIGIL_WEB_DIR, else "web" beside the vigil binary (the file's value wins
  // over the environment here, unlike the other settings).
  std::string web_dir;
  bool secure_cookies = false;  // the session cookie gets Secure (serve over HTTPS)
  // The clock of dashboard sessions' expiry: NowSeconds when empty. Tests set it.
  std::function<Timestamp()> session_clock;
  // [store]
  std::string data_dir = "vigil-data";
  int retention_days = 90;  // decisions older than this are archived
  // WAL pages (8 KiB) between checkpoints. Each checkpoint stalls the commit
  // group that meets it, so small and frequent ones keep the latency tail
  // short: 250 (2 MiB) measured a p99 of 3.4-4.3 ms at ~4 200 scores/s where
  // 8 000 (the store's bulk-load default) gave 24-26 ms, at the same
  // throughput (BENCHMARKS.md).
  int wal_checkpoint_pages = 250;
  // How often the server archives them (the first run is a minute after
  // start); 0: never, leaving it to `vigil archive`.
  int64_t archive_interval_minutes = 360;
  // How often the server folds new decisions into the overview's counts
  // (Store::RollUpDecisions); between two roll-ups the overview reads the
  // new decisions one by one.
  int64_t rollup_interval_seconds = 10;
  // [models]
  std::string models_dir = "models";
  // Champion/challenger: registry versions ("v4") scored in shadow on
  // challenger_share of the decisions; "" for none.
  std::string challenger_order, challenger_return;
  double challenger_share = 0.1;
  // [policy.order], [policy.return]
  Policy policy;
  size_t top_factors = 5;
  // [rate_limits]: per API key, by role ("scorer", "analyst", "admin").
  std::map<std::string, RateLimit> rate_limits = {
      {"scorer", {100'000, 200'000}}, {"analyst", {100, 200}}, {"admin", {50, 100}}};
  // [narration]: an LLM rewrites each decision's explanation after the
  // answer, attached to the stored decision (provider "none": off). Secrets
  // may come from VIGIL_LLM_API_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  // and AWS_SESSION_TOKEN instead of the file.
  NarrationConfig narration;
  // The Twilio webhook, from the environment only: TWILIO_AUTH_TOKEN (a
  // secret) and PUBLIC_BASE_URL (the address Twilio calls, which signatures
  // cover). Without them POST /webhook/twilio answers 503.
  std::string twilio_auth_token;
  std::string public_base_url;
  // [payment]: the SMS verification flow. fraud_threshold is overridden by
  // the FRAUD_THRESHOLD environment variable (the second seed's name).
  double fraud_threshold = 0.5;
  int64_t verification_ttl_seconds = 900;       // how long a verification waits for a reply
  std::string expired_status = "declined";      // or "manual_review"
  std::string no_sms_status = "manual_review";  // or "declined"
  bool sms_shows_amount = true;
  // Twilio's REST API comes from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
  // TWILIO_FROM_NUMBER and TWILIO_API_BASE (sms/twilio_client.h); without
  // them messages are only logged. Tests set `sms_sender` instead.
  std::shared_ptr<SmsSender> sms_sender;
  // [similar]
  int64_t similar_capacity = 200'000;  // cases per kind; 0 turns similar cases off
  double similar_cpu_share = 0.2;      // of one core, for the indexing thread: (0, 1]
};

// Reads `path`; errors name the file, the key and what is wrong.
[[nodiscard]] StatusOr<ServeConfig> LoadServeConfig(const std::string& path);
// Applies VIGIL_* environment variables to `config`.
[[nodiscard]] Status ApplyEnvironment(ServeConfig* config);
// Checks ranges (port, thresholds ascending in (0, 1), positive limits).
[[nodiscard]] Status Validate(const ServeConfig& config);

}  // namespace vigil

#endif  // VIGIL_SERVICE_SERVE_CONFIG_H_
