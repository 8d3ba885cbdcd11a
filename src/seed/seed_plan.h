// SeedPlan: the demo data of `vigil seed` (the second seed's `seed_db.py
// all`): customer accounts of the payment flow and a stream of payments by
// them, a few of which look like fraud, so that a demo shows both approvals
// and SMS verifications.
//
// Accounts are user_001, user_002, ... with Indian names, a home city and a
// phone number; most of those from Hindi-speaking states and a few others
// get their messages in Hindi ("hi"), one or two are blocked and one has
// opted out of SMS (user_001 is always an ordinary active account: the
// second seed's example payment is by user_001).
//
// Phone numbers: India publishes no range for fiction (as Ofcom does with
// 07700 900xxx in the UK, or the NANP with 555-01xx), so the accounts get
// +91 00000 NNNNN instead: valid E.164 for our checks (sms/phone.h), but no
// Indian national number starts with 0 (it is the trunk prefix), so no
// subscriber has one and a text sent to it cannot reach a stranger; an SMS
// provider should refuse it as an invalid number.
//
// Payments: each account has usual merchants, a home city and a usual
// amount; ordinary payments keep to them. Fraud-like ones break them: a
// large amount (12-40x the usual, and at least ₹25,000) at a merchant the
// customer never used, a card-testing burst (small charges within a minute
// or two, then a large one) at unknown online merchants, or a payment from a
// city or country far from home. They are spread over the last hours before
// `now` (6, or more for many payments) with strictly increasing created_at.
//
// Deterministic: the same options give the same plan (times relative to
// `now`), and transaction ids are derived from the options, so running the
// seed again offers the same payments under the same ids. Pure; thread-safe.
#ifndef VIGIL_SEED_SEED_PLAN_H_
#define VIGIL_SEED_SEED_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace vigil {

struct SeedOptions {
  int64_t accounts = 20;       // 1 to kMaxSeedAccounts
  int64_t transactions = 200;  // 0 to kMaxSeedTransactions
  uint64_t seed = 42;
  double fraud_share = 0.05;  // of the transactions, 0 to 1
};

inline constexpr int64_t kMaxSeedAccounts = 99'999;  // the width of the phone range
inline constexpr int64_t kMaxSeedTransactions = 1'000'000;

// How a fraud-like payment breaks its customer's habits.
enum class FraudPattern {
  kNone,         // an ordinary payment
  kLargeAmount,  // far above the usual amount, at a merchant never used
  kCardTesting,  // part of a burst: small charges, then a large one
  kNewLocation,  // far from home, above the usual amount
};
std::string_view FraudPatternName(FraudPattern pattern);

struct SeedTransaction {
  TransactionRecord record;  // received_at and updated_at are left 0
  FraudPattern pattern = FraudPattern::kNone;
  bool fraud_like() const { return pattern != FraudPattern::kNone; }
};

struct SeedPlan {
  std::vector<AccountRecord> accounts;        // created_at and updated_at are `now`
  std::vector<SeedTransaction> transactions;  // by created_at, strictly increasing, the last <= now
  int64_t fraud_like = 0;                     // transactions with a pattern
};

// InvalidArgument naming the option ("--accounts: ...") when one is out of range.
[[nodiscard]] Status ValidateSeedOptions(const SeedOptions& options);

// The plan for `options` as of `now`. Errors as ValidateSeedOptions.
[[nodiscard]] StatusOr<SeedPlan> PlanSeed(const SeedOptions& options, Timestamp now);

}  // namespace vigil

#endif  // VIGIL_SEED_SEED_PLAN_H_
