// DataLake: reads a data directory in the format of DESIGN.md
// (customers.csv, products.csv, orders.csv, returns.csv, external/festivals.csv;
// each may also be gzip-compressed as .csv.gz) and turns it into the
// time-ordered stream of events that the feature engine replays, plus the
// ground-truth labels that training needs.
//
// Outcome times: the files give when an order was placed and, in
// `delivered_at`, when its delivery outcome became known (delivery or
// return-to-origin). A return's QC result and abuse label are revealed at
// its optional `qc_completed_at`, else `qc_delay` after the request. These
// are the only moments at which outcomes become visible to features.
//
// Rows that break the contract are reported with file and line and skipped.
#ifndef VIGIL_DATA_DATA_LAKE_H_
#define VIGIL_DATA_DATA_LAKE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "data/catalog.h"
#include "data/event.h"
#include "data/festival_calendar.h"
#include "data/load_report.h"

namespace vigil {

struct LoadOptions {
  // Zone of timestamps written without an offset.
  int32_t default_offset_seconds = kIstOffsetSeconds;
  // The same for transactions.csv, whose card data is not the marketplace's
  // (UTC unless told otherwise); also the zone of its weekend and night.
  int32_t transaction_offset_seconds = 0;
  // When a return's QC result and abuse label become known, after the request.
  Timestamp qc_delay = 4 * kSecondsPerDay;
  // When an outcome is known if the file gives no time for it.
  Timestamp assumed_delivery_delay = 4 * kSecondsPerDay;
  Timestamp assumed_rto_delay = 8 * kSecondsPerDay;
  Timestamp assumed_cancel_delay = 1 * kSecondsPerDay;
  // How long after it is placed an order's outcome is surely known: delivery
  // (up to a week), the 30-day return window, and QC. Orders placed less than
  // this before the end of the data have no final label yet, good or bad
  // alike (keeping only their early bad outcomes would bias the labels).
  Timestamp settle_horizon = (7 + 30 + 4) * kSecondsPerDay;
  // Largest believable amount (INR); larger ones are rejected as absurd.
  double max_amount = 10'000'000;
  // When a transaction's fraud label becomes known, if the file has no
  // `labeled_at` (chargebacks arrive days later).
  Timestamp label_delay = 7 * kSecondsPerDay;
  // Our column name -> the file's column name, for files that name them differently.
  std::map<std::string, std::string> column_names;
};

inline constexpr int8_t kLabelUnknown = -1;

struct DataLake {
  std::vector<Event> events;  // time-ordered; ties keep a fixed type order
  // Final outcome per dense order id: 1 = RTO or an abusive return, 0 = fine,
  // kLabelUnknown = not settled by the end of the data (in transit, or
  // delivered so recently that a return may still come).
  std::vector<int8_t> order_labels;
  std::vector<int8_t> return_labels;  // per dense return id, from is_abuse
  FestivalCalendar festivals;
  bool has_orders = false;
  bool has_returns = false;
  Timestamp first_order_at = 0;
  Timestamp last_order_at = 0;
  Timestamp data_end = 0;  // the latest time any file mentions
  LoadReport report;
};

// Reads `dir`. Ids are interned into `catalog` (which the feature engine
// shares). Fails (InvalidArgument / NotFound) only when nothing usable
// remains, e.g. no orders.csv or a header without its required columns.
[[nodiscard]] StatusOr<DataLake> LoadDataLake(const std::string& dir, Catalog* catalog,
                                              const LoadOptions& options = {});

}  // namespace vigil

#endif  // VIGIL_DATA_DATA_LAKE_H_
