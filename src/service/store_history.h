// What `vigil train --data-dir` trains on: a store's history rather than a
// data-lake directory. The store is the system of record of a running
// deployment — the history `vigil ingest` loaded, every event the API took
// since, and the labels analysts gave in the dashboard — so training from it
// closes the review loop: a label given today is a training label (and a
// feature of later rows, from its own time on) in the next `vigil train`.
//
// Rows come from the same replay as with a lake (features/training_rows.h);
// the labels are those of data/event_history.h. Card transactions are the
// payments the flow scored, labelled by the customers' SMS replies or by
// analysts; a label counts from the reply, else from the row's last update.
//
// The store may be in use by `vigil serve`: reading takes no write lock.
#ifndef VIGIL_SERVICE_STORE_HISTORY_H_
#define VIGIL_SERVICE_STORE_HISTORY_H_

#include <string>

#include "common/status.h"
#include "data/data_lake.h"
#include "data/transaction_log.h"
#include "store/store.h"

namespace vigil {

// The event log of `store` (whose data directory is `store_dir`, for its
// festival calendar: EnsureStoreFestivals) as a time-ordered lake; ids are
// interned into `catalog`. An entry that does not decode is reported ("event log", its
// seq) and skipped. InvalidArgument when the log holds no order.
[[nodiscard]] StatusOr<DataLake> ReadEventHistory(Store& store, const std::string& store_dir,
                                                  Catalog* catalog, const LoadOptions& options);

// A stored payment as the transaction features see it: its card (the user),
// merchant and location interned into `catalog`, and its label, if it has
// one, known from LabelKnownAt. The service's live state and training from
// the store both read payments through it.
Transaction InternPayment(const TransactionRecord& payment, Catalog* catalog);

// The scored payments of `store`, by time. NotFound when there are none.
[[nodiscard]] StatusOr<TransactionLog> ReadTransactionHistory(Store& store, Catalog* catalog);

}  // namespace vigil

#endif  // VIGIL_SERVICE_STORE_HISTORY_H_
