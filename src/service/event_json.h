// Events as JSON: the vocabulary of `POST /v1/events` (DESIGN.md), which is
// also the form the service stores in its event log, so that a restart
// replays exactly what the API accepted.
//
//   {"event_id": "e-1", "type": "order.placed", "at": "2026-10-20T10:30:00+05:30",
//    "order_id": "ORD1", "customer_id": "C1", "product_id": "P1", "amount": 1299,
//    "payment_method": "cod", ...}
//
// Fields per type (others are ignored):
//   customer.upserted   customer_id, registered_at, pincode
//   product.upserted    product_id, category, price, seller_id
//   order.placed        order_id, customer_id, product_id, amount, payment_method,
//                       seller_id, category, size, quantity, discount,
//                       delivery_pincode, device_id      (time: at | ordered_at)
//   order.delivered / order.rto / order.cancelled        order_id
//   return.requested    return_id, order_id, reason, refund_amount (time: at | requested_at)
//   return.qc_completed return_id, qc_result
//   label               target ("return" | "order"), return_id or order_id, label (0/1)
// `at` defaults to the time of arrival; `event_id` defaults to
// "<type>:<subject id>", so a repeated fact is recognised as one event.
// Errors are FieldErrors (common/field_error.h) naming the field.
//
// Stateless functions; thread-safe.
#ifndef VIGIL_SERVICE_EVENT_JSON_H_
#define VIGIL_SERVICE_EVENT_JSON_H_

#include <functional>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "data/raw_event.h"
#include "nlohmann/json.hpp"

namespace vigil {

struct DecodedEvent {
  std::string event_id;
  RawEvent event;
};

// Decodes one event object; `now` stands in for a missing time.
[[nodiscard]] StatusOr<DecodedEvent> DecodeEvent(const nlohmann::json& object, Timestamp now);

// The order fields of an `order.placed` event (orders.csv's columns) from a
// score request; `ordered_at` (or `at`) defaults to `now`.
[[nodiscard]] StatusOr<RawEvent> DecodeOrder(const nlohmann::json& object, Timestamp now);
// A `return.requested` event from a score request.
[[nodiscard]] StatusOr<RawEvent> DecodeReturn(const nlohmann::json& object, Timestamp now);

// The canonical JSON of an event: DecodeEvent(EncodeEvent(id, e)) gives back
// `e` and `id`.
std::string EncodeEvent(std::string_view event_id, const RawEvent& event);

// "<type>:<subject id>": the default event id.
std::string DefaultEventId(const RawEvent& event);

// Calls `fn(line_number, text)` for each line of an NDJSON body that is not
// blank (numbers count every line from 1; a trailing "\r" is dropped).
void ForEachNdjsonLine(std::string_view body,
                       const std::function<void(int64_t, std::string_view)>& fn);

}  // namespace vigil

#endif  // VIGIL_SERVICE_EVENT_JSON_H_
