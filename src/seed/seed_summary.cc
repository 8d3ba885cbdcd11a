#include "seed/seed_summary.h"

#include <iterator>

namespace vigil {

StatusOr<SeedParts> ParseSeedParts(std::string_view what) {
  if (what == "all") return SeedParts{};
  if (what == "accounts") return SeedParts{.accounts = true, .transactions = false};
  if (what == "transactions") return SeedParts{.accounts = false, .transactions = true};
  return absl::InvalidArgumentError(
      fmt::format("--what {}: want accounts, transactions or all", what));
}

void SeedSummary::Count(const SeedTransaction& t) {
  const bool had_fraud = fraud_like() > 0;
  ++transactions;
  ++by_pattern[static_cast<size_t>(t.pattern)];
  if (t.fraud_like() || !had_fraud) example_id = t.record.transaction_id;
}

std::string FormatSeedSummary(const SeedSummary& s) {
  std::string out = fmt::format("Seeded {}:\n", s.target);
  auto line = std::back_inserter(out);
  if (s.parts.accounts) {
    fmt::format_to(line, "  accounts:     {} created, {} updated", s.accounts_created,
                   s.accounts_updated);
    if (s.embedded) fmt::format_to(line, ", {} unchanged", s.accounts_unchanged);
    out += '\n';
  }
  if (!s.parts.transactions) return out;
  fmt::format_to(line, "  transactions: {}", s.transactions);
  if (s.transactions_already_there.has_value()) {
    fmt::format_to(line, " ({} new, {} already there)",
                   s.transactions - *s.transactions_already_there, *s.transactions_already_there);
  } else {
    out += " accepted by the server";
  }
  fmt::format_to(line, "; {} fraud-like", s.fraud_like());
  const char* separator = ": ";
  for (FraudPattern p :
       {FraudPattern::kLargeAmount, FraudPattern::kCardTesting, FraudPattern::kNewLocation}) {
    const int64_t n = s.by_pattern[static_cast<size_t>(p)];
    if (n == 0) continue;
    fmt::format_to(line, "{}{} {}", separator, n, FraudPatternName(p));
    separator = ", ";
  }
  out += '\n';
  if (s.example_id.empty()) return out;
  if (s.embedded) {
    out +=
        "Each waits as received, with the outbox item that scores it when `vigil serve` runs "
        "on this store.\n";
    fmt::format_to(line,
                   "Look at one with a scorer (or admin) key: GET /transaction/{} on the server\n",
                   s.example_id);
  } else {
    fmt::format_to(line, "Look at one: curl -s {}/transaction/{} -H 'X-API-Key: <scorer key>'\n",
                   s.target, s.example_id);
  }
  return out;
}

}  // namespace vigil
