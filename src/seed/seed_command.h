// `vigil seed`: demo accounts and payments (seed_plan.h) into a running
// server or straight into its store — the second seed's `seed_db.py all`.
//
//   vigil seed --data-dir STORE [options]                    embedded
//   vigil seed --url http://127.0.0.1:8080 --api-key KEY [options]
//   vigil seed --url URL --admin-key KEY --scorer-key KEY [options]
//
// Options: --accounts N (20), --transactions N (200), --seed S (42),
// --fraud-share F (0.05), --what accounts|transactions|all (all), and with
// --url, --rate R payments per second (0: as fast as the server answers).
// Accounts need an admin key (--admin-key, else --api-key); payments a scorer
// or admin key (--scorer-key, else --api-key, else --admin-key).
#ifndef VIGIL_SEED_SEED_COMMAND_H_
#define VIGIL_SEED_SEED_COMMAND_H_

#include <string>

#include "common/status.h"
#include "common/time.h"
#include "seed/seed_plan.h"
#include "seed/seed_summary.h"

namespace vigil {

struct SeedRequest {
  SeedOptions plan;
  std::string what = "all";
  std::string data_dir;  // the embedded target: a service store directory
  std::string url;       // or a running server
  std::string api_key, admin_key, scorer_key;
  double rate = 0;
};

// Checks the request (InvalidArgument naming the flag and what to do), plans
// the data as of `now` and writes it; nothing is written when the request is
// invalid. Errors of the target as SeedIntoStore / SeedIntoServer, and
// NotFound when --data-dir does not exist.
[[nodiscard]] StatusOr<SeedSummary> RunSeed(const SeedRequest& request, Timestamp now);

}  // namespace vigil

#endif  // VIGIL_SEED_SEED_COMMAND_H_
