// The rows the synthetic marketplace produces, before they are written as
// CSV: orders and returns, with the data layer's enumerations (payment
// method, delivery status, QC result), spelled as in DESIGN.md by their
// *Name functions. Plain values; thread-safe.
#ifndef VIGIL_GENERATE_MARKETPLACE_RECORDS_H_
#define VIGIL_GENERATE_MARKETPLACE_RECORDS_H_

#include <cstdint>
#include <string_view>

#include "common/time.h"
#include "data/event.h"

namespace vigil {

struct OrderRecord {
  int64_t customer = 0;  // 0-based customer number (customer_id = number + 1)
  int32_t product = 0;   // 0-based
  int32_t seller = 0;    // 0-based
  Timestamp ordered_at = 0;
  int64_t amount_paise = 0;    // what the customer pays: price x quantity - discount
  int64_t discount_paise = 0;  // total discount on the order
  PaymentMethod payment = PaymentMethod::kUpi;
  std::string_view size;  // empty when the product has no sizes
  int quantity = 1;
  uint32_t delivery_pincode = 0;
  uint32_t device = 0;  // 1-based device number
  DeliveryStatus status = DeliveryStatus::kDelivered;
  // When the delivery outcome became known: the delivery for kDelivered,
  // the refusal / return to origin for kRto; unset (0) for kCancelled and
  // kPending (still in transit when the period ends).
  Timestamp outcome_at = 0;
};

struct ReturnRecord {
  Timestamp requested_at = 0;
  std::string_view reason;
  int64_t refund_paise = 0;
  // kNone: the return is still with the courier or the QC desk at the end
  // of the period (written as an empty qc_result).
  QcResult qc = QcResult::kNone;
  Timestamp qc_at = 0;  // when QC finished; 0 while kNone
  bool abuse = false;   // ground truth: the return is an abusive act
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_MARKETPLACE_RECORDS_H_
