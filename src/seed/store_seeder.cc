#include "seed/store_seeder.h"

#include "common/progress.h"

namespace vigil {
namespace {

// The account as the seed would write it, ignoring when it was written.
bool SameAccount(const AccountRecord& stored, const AccountRecord& wanted) {
  return stored.name == wanted.name && stored.phone == wanted.phone &&
         stored.sms_opt_out == wanted.sms_opt_out && stored.status == wanted.status &&
         stored.language == wanted.language;
}

Status SeedAccounts(Store& store, const SeedPlan& plan, Timestamp now, SeedSummary* summary) {
  for (AccountRecord account : plan.accounts) {
    ASSIGN_OR_RETURN(const std::optional<AccountRecord> stored, store.FindAccount(account.user_id));
    if (stored.has_value() && SameAccount(*stored, account)) {
      ++summary->accounts_unchanged;
      continue;
    }
    account.created_at = account.updated_at = now;
    ASSIGN_OR_RETURN(const bool created, store.PutAccount(account));
    ++(created ? summary->accounts_created : summary->accounts_updated);
  }
  return absl::OkStatus();
}

// A rerun finds its payments stored; one stored under the same id but
// different is another payment, which the seed must not pass off as its own.
Status CheckStoredPayment(Store& store, const TransactionRecord& wanted) {
  ASSIGN_OR_RETURN(const std::optional<TransactionRecord> stored,
                   store.FindTransaction(wanted.transaction_id));
  if (stored.has_value() && stored->user_id == wanted.user_id && stored->amount == wanted.amount &&
      stored->currency == wanted.currency) {
    return absl::OkStatus();
  }
  return absl::AlreadyExistsError(fmt::format(
      "transaction_id '{}' is in the store for another payment (user or amount differ); seed "
      "with another --seed",
      wanted.transaction_id));
}

Status SeedTransactions(Store& store, const SeedPlan& plan, Timestamp now, SeedSummary* summary) {
  ProgressBar progress("seed", static_cast<int64_t>(plan.transactions.size()));
  int64_t already_there = 0;
  for (const SeedTransaction& t : plan.transactions) {
    TransactionRecord record = t.record;
    record.received_at = record.updated_at = now;
    ASSIGN_OR_RETURN(const bool created, store.ReceiveTransaction(record));
    if (!created) {
      RETURN_IF_ERROR(CheckStoredPayment(store, record));
      ++already_there;
    }
    summary->Count(t);
    progress.Update(summary->transactions);
  }
  progress.Finish();
  summary->transactions_already_there = already_there;
  return absl::OkStatus();
}

}  // namespace

StatusOr<SeedSummary> SeedIntoStore(Store& store, const SeedPlan& plan, SeedParts parts,
                                    Timestamp now) {
  SeedSummary summary;
  summary.embedded = true;
  summary.parts = parts;
  if (parts.accounts) RETURN_IF_ERROR(SeedAccounts(store, plan, now, &summary));
  if (parts.transactions) RETURN_IF_ERROR(SeedTransactions(store, plan, now, &summary));
  return summary;
}

}  // namespace vigil
