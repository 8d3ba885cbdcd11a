// SeedIntoServer: `vigil seed --url URL`, the HTTP target. Sends a SeedPlan
// to a running `vigil serve` with the real HTTP client (narrate/http_client.h):
// each account as POST /v1/accounts (admin role; 201 created, 200 replaced),
// each payment as POST /v1/transactions (scorer role; 202 accepted, also for
// a payment the server has already).
//
// Idempotent: accounts are upserts and payments keep their plan's ids, so a
// rerun changes no payment. An answer of 429 waits its Retry-After and tries
// again; any other answer stops the seed with the server's own error message.
// Thread-compatible: one call at a time.
#ifndef VIGIL_SEED_SERVER_SEEDER_H_
#define VIGIL_SEED_SERVER_SEEDER_H_

#include <chrono>
#include <string>

#include "common/status.h"
#include "narrate/url.h"
#include "seed/api_poster.h"
#include "seed/seed_plan.h"
#include "seed/seed_summary.h"

namespace vigil {

struct ServerTarget {
  Url url;                 // its path, if any, prefixes the routes
  std::string admin_key;   // for the accounts
  std::string scorer_key;  // for the payments (an admin key does too)
  double rate = 0;         // payments per second; 0: as fast as the server answers
  std::chrono::milliseconds timeout{10'000};  // per request
};

// Errors: Unavailable when the server cannot be reached or answers 5xx,
// Unauthenticated / PermissionDenied for 401 / 403, AlreadyExists for 409,
// InvalidArgument for 400 / 422, FailedPrecondition for other answers; each
// names the request and says what to do. Progress goes to the terminal.
[[nodiscard]] StatusOr<SeedSummary> SeedIntoServer(const ServerTarget& target, const SeedPlan& plan,
                                                   SeedParts parts);

}  // namespace vigil

#endif  // VIGIL_SEED_SERVER_SEEDER_H_
