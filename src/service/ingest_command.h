// `vigil ingest`: bulk-loads a data-lake directory (DESIGN.md's files) into a
// store's event log, so a new deployment starts knowing its customers' past.
// Events get the ids "<type>:<subject id>" (event_json.h), so running it again
// — or over a lake that grew — adds only what is new. Rows the lake reader
// rejects are reported with file and line, as everywhere. A lake's
// transactions.csv goes into the payments table as settled "historical"
// payments (Store::ImportTransactions), so the live card features start from
// their history too.
//
// With `until`, only what happened before it is loaded (events, payments,
// customers registered before it; products, which have no time, always): a
// store as of a cut-over moment, whose tail `vigil replay` can then send
// through the live API.
#ifndef VIGIL_SERVICE_INGEST_COMMAND_H_
#define VIGIL_SERVICE_INGEST_COMMAND_H_

#include <cstdio>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "data/data_lake.h"

namespace vigil {

struct IngestRequest {
  std::string data_dir;   // the lake
  std::string store_dir;  // the service's data directory
  LoadOptions load;
  std::optional<Timestamp> until;  // load only what happened before it
};

struct IngestSummary {
  int64_t events = 0;            // events the lake yields (before `until`)
  int64_t new_events = 0;        // written now
  int64_t duplicates = 0;        // already in the store
  int64_t held_back = 0;         // events at or after `until`, not loaded
  int64_t transactions = 0;      // card payments in transactions.csv, when there is one
  int64_t new_transactions = 0;  // written now (status "historical")
  int64_t held_back_transactions = 0;
  double seconds = 0;
};

// The lake's load report goes to `log`; progress to the terminal.
[[nodiscard]] StatusOr<IngestSummary> RunIngest(const IngestRequest& request, FILE* log);

}  // namespace vigil

#endif  // VIGIL_SERVICE_INGEST_COMMAND_H_
