// SeedSummary: what `vigil seed` did, for its closing lines. A value type.
#ifndef VIGIL_SEED_SEED_SUMMARY_H_
#define VIGIL_SEED_SEED_SUMMARY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "seed/seed_plan.h"

namespace vigil {

// Which parts of the plan to write (`--what accounts|transactions|all`).
struct SeedParts {
  bool accounts = true;
  bool transactions = true;
};

// InvalidArgument unless `what` is accounts, transactions or all.
[[nodiscard]] StatusOr<SeedParts> ParseSeedParts(std::string_view what);

struct SeedSummary {
  std::string target;  // the server's URL or the store directory
  bool embedded = false;
  SeedParts parts;
  int64_t accounts_created = 0;
  int64_t accounts_updated = 0;    // replaced (over HTTP: every account that existed)
  int64_t accounts_unchanged = 0;  // embedded only: already exactly so
  int64_t transactions = 0;        // offered and accepted
  // Embedded only: of `transactions`, those stored before (a rerun). A
  // server answers a retried payment as it answers a new one.
  std::optional<int64_t> transactions_already_there;
  std::array<int64_t, 4> by_pattern{};  // transactions offered, indexed by FraudPattern
  std::string example_id;               // the latest fraud-like transaction, else the latest one

  int64_t fraud_like() const { return by_pattern[1] + by_pattern[2] + by_pattern[3]; }
  // Counts `t` as offered and accepted.
  void Count(const SeedTransaction& t);
};

// A few lines for the terminal: the counts, and how to look at a transaction.
std::string FormatSeedSummary(const SeedSummary& summary);

}  // namespace vigil

#endif  // VIGIL_SEED_SEED_SUMMARY_H_
