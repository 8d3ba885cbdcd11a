// SeedIntoStore: `vigil seed --data-dir DIR`, the embedded target. Writes a
// SeedPlan straight into a service store: accounts with Store::PutAccount,
// payments with Store::ReceiveTransaction (each stored as received with the
// outbox item that scores it once `vigil serve` runs on the store).
//
// Idempotent: an account already stored exactly so is left alone (its
// updated_at too), and a payment whose transaction_id is stored is not
// written again. Thread-compatible: one call at a time per plan; the store
// itself may be shared with a running server (SQLite's locking).
#ifndef VIGIL_SEED_STORE_SEEDER_H_
#define VIGIL_SEED_STORE_SEEDER_H_

#include "common/status.h"
#include "common/time.h"
#include "seed/seed_plan.h"
#include "seed/seed_summary.h"
#include "store/store.h"

namespace vigil {

// `now` becomes the accounts' updated_at and the payments' received_at.
// AlreadyExists when a transaction_id of the plan is stored for another
// payment (other user, amount or currency); the store's errors otherwise.
// Progress goes to the terminal.
[[nodiscard]] StatusOr<SeedSummary> SeedIntoStore(Store& store, const SeedPlan& plan,
                                                  SeedParts parts, Timestamp now);

}  // namespace vigil

#endif  // VIGIL_SEED_STORE_SEEDER_H_
