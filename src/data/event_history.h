// A DataLake from an event stream rather than from CSV files: what training
// needs from a store's event log (the history `vigil ingest` loaded, the
// events the API received since, and the labels analysts gave). The labels
// follow DESIGN.md and the lake reader, with one addition for the review loop:
//
//   - a return is positive when its latest `label` event says 1;
//   - an order is positive when it ended in an RTO or one of its returns is
//     positive, negative once delivered or cancelled; and a `label` event on
//     the order itself (an analyst's verdict) overrides both;
//   - an order placed less than `settle_horizon` before the end of the data
//     has no final label yet, unless an analyst labelled it: a reviewer's
//     verdict is final whenever it comes, and reviewed orders are recent.
//
// The end of the data is the latest order, outcome or return request, as in
// the lake reader; labels and QC results do not move it.
#ifndef VIGIL_DATA_EVENT_HISTORY_H_
#define VIGIL_DATA_EVENT_HISTORY_H_

#include <vector>

#include "data/data_lake.h"
#include "data/event.h"
#include "data/festival_calendar.h"

namespace vigil {

// Orders `events` by time; at one instant, what exists, what is placed, what
// happened to it, what is asked about it, what was found. Stable: ties of
// one kind keep the order they came in.
void SortInTimeOrder(std::vector<Event>* events);

// `events` in any order, ids dense in the catalog they were interned into.
[[nodiscard]] DataLake DataLakeFromEvents(std::vector<Event> events, FestivalCalendar festivals,
                                          const LoadOptions& options);

}  // namespace vigil

#endif  // VIGIL_DATA_EVENT_HISTORY_H_
