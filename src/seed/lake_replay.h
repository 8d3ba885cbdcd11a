// `vigil replay`: sends what a data lake (DESIGN.md's files) records from a
// moment on through a running `vigil serve`'s API, in the order it happened,
// as a marketplace's own systems would have sent it:
//
//   vigil ingest --data LAKE --data-dir STORE --until T    the past, as of T
//   vigil serve --data-dir STORE ...
//   vigil replay --data LAKE --from T --url http://127.0.0.1:8080 --key KEY
//
// Each order placed is scored (POST /v1/orders/score with its own time as
// `ordered_at`), each return requested too (POST /v1/returns/score), and the
// facts between them (deliveries, RTOs, cancellations, QC results, labels, new
// customers) go to POST /v1/events as NDJSON, under the ids `vigil ingest`
// gives them. So the store ends with the events a full ingest would have
// written, plus a decision for every order and return from T on: a backtest of
// the served models and policy through the real path, and a demo whose
// dashboard has something to show.
//
// Replaying again changes nothing: scored ids answer with their stored
// decision, events are duplicates. An order the store has without a decision
// (ingested without --until) is counted and skipped.
#ifndef VIGIL_SEED_LAKE_REPLAY_H_
#define VIGIL_SEED_LAKE_REPLAY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "data/data_lake.h"

namespace vigil {

struct ReplayRequest {
  std::string data_dir;            // the lake
  Timestamp from = 0;              // replays what happened at or after it
  std::optional<Timestamp> until;  // and before this, if given
  std::string url;                 // a running vigil serve
  std::string api_key;             // scorer or admin
  double rate = 0;                 // requests per second; 0: as fast as it answers
  LoadOptions load;
  std::chrono::milliseconds timeout{10'000};  // per request
};

struct ReplayCounts {
  int64_t scored = 0;
  std::map<std::string, int64_t> by_action;  // recommended_action -> decisions
  std::map<std::string, int64_t> by_level;   // risk_level -> decisions
};

struct ReplaySummary {
  std::string target;  // the server's URL
  ReplayCounts orders, returns;
  int64_t events_new = 0;
  int64_t events_duplicate = 0;
  int64_t without_decision = 0;             // 409: recorded before, without a decision
  int64_t rejected = 0;                     // 400 / 422 answers and rejected NDJSON lines
  std::vector<std::string> first_problems;  // up to 5, each naming its request
  int64_t requests = 0;
  double seconds = 0;
};

// Checks the request (InvalidArgument naming the flag), reads the lake (its
// load report to `log`) and replays it; progress goes to the terminal.
// Errors stop the replay: Unavailable when the server cannot be reached or
// answers 5xx (503 when it has no model for a kind), Unauthenticated /
// PermissionDenied for 401 / 403, each naming the request and what to do.
// What was sent before stays sent; a rerun continues where it stopped.
[[nodiscard]] StatusOr<ReplaySummary> ReplayLake(const ReplayRequest& request, FILE* log);

std::string FormatReplaySummary(const ReplaySummary& summary);

}  // namespace vigil

#endif  // VIGIL_SEED_LAKE_REPLAY_H_
