// RawEvent: an event as it arrives from outside (HTTP, a file), naming its
// entities by their string ids. InternEvent turns it into the compact Event
// the feature engine applies; ToRawEvent goes back, for tests and replays.
#ifndef VIGIL_DATA_RAW_EVENT_H_
#define VIGIL_DATA_RAW_EVENT_H_

#include <string>

#include "data/catalog.h"
#include "data/event.h"

namespace vigil {

struct RawEvent {
  Timestamp at = 0;
  EventType type = EventType::kOrderPlaced;
  PaymentMethod payment = PaymentMethod::kUpi;
  QcResult qc = QcResult::kNone;
  ReturnReason reason = ReturnReason::kOther;
  LabelTarget label_target = LabelTarget::kReturn;
  uint8_t label = 0;
  std::string customer_id, product_id, seller_id, category, order_id, return_id, device_id, pincode,
      size;
  float amount = 0;
  float discount = 0;
  float quantity = 1;
  Timestamp registered_at = 0;
};

Event InternEvent(const RawEvent& raw, Catalog* catalog);
RawEvent ToRawEvent(const Event& event, const Catalog& catalog);

}  // namespace vigil

#endif  // VIGIL_DATA_RAW_EVENT_H_
