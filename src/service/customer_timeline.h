// A customer's timeline for the case page (GET /v1/customers/{id}/timeline):
// orders, deliveries, RTOs, cancellations, returns, QC results, labels,
// payments and SMS replies, newest first, put together from what can be read
// without an index on the scoring path (docs/api.md says what it can and
// cannot see):
//
//   - the live feature state: the customer's orders of the last 90 days, each
//     order's status and delivery time, each return's QC and abuse flags;
//   - the decisions about those orders and their returns, looked up by order
//     id (Store::DecisionsAboutOrders: two index seeks an order, however many
//     decisions the store holds);
//   - the event log by event_id, at the default ids "<type>:<subject>"
//     (order.rto:O1, return.qc_completed:R1, label:O1, ...);
//   - decision_labels, and the payment flow's tables (transactions and their
//     history, the account's SMS replies).
//
// Thread-safe: reads only.
#ifndef VIGIL_SERVICE_CUSTOMER_TIMELINE_H_
#define VIGIL_SERVICE_CUSTOMER_TIMELINE_H_

#include <cstdint>
#include <string>

#include "common/status.h"
#include "nlohmann/json.hpp"
#include "service/risk_service.h"
#include "store/store.h"

namespace vigil {

// {"customer_id", "entries": [{"at", "type", "subject_id", ...}], "limit",
// "truncated"}: at most `limit` entries, newest first. An entry whose time is
// unknown (an outcome known only to the feature state) has "at": null and
// sorts at its order's or return's time. An unknown customer has no entries.
[[nodiscard]] StatusOr<nlohmann::json> CustomerTimeline(Store& store, const RiskService& service,
                                                        const std::string& customer_id,
                                                        int64_t limit);

}  // namespace vigil

#endif  // VIGIL_SERVICE_CUSTOMER_TIMELINE_H_
