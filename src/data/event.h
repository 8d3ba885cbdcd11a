// Event: one fact about the marketplace, in the vocabulary of DESIGN.md
// (`order.placed`, `return.qc_completed`, ...), with every entity already
// interned to a dense id (see Catalog). Events are applied in time order to
// the feature engine; the same struct serves offline replay and the online
// path. A plain value type.
#ifndef VIGIL_DATA_EVENT_H_
#define VIGIL_DATA_EVENT_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "common/time.h"

namespace vigil {

inline constexpr uint32_t kNoId = std::numeric_limits<uint32_t>::max();
// Static facts (catalogue rows) are applied before anything else.
inline constexpr Timestamp kBeginningOfTime = std::numeric_limits<Timestamp>::min() / 2;

enum class EventType : uint8_t {
  kCustomerUpserted,
  kProductUpserted,
  kOrderPlaced,
  kOrderDelivered,
  kOrderRto,
  kOrderCancelled,
  kReturnRequested,
  kReturnQcCompleted,
  kLabel,
};
std::string_view EventTypeName(EventType type);  // "order.placed", ...
std::optional<EventType> ParseEventType(std::string_view name);

enum class PaymentMethod : uint8_t { kCod, kUpi, kCard, kNetbanking, kWallet, kEmi };
std::string_view PaymentMethodName(PaymentMethod method);
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view name);

enum class QcResult : uint8_t { kNone, kPass, kFail, kEmpty, kUsed, kMismatch };
std::string_view QcResultName(QcResult result);
std::optional<QcResult> ParseQcResult(std::string_view name);  // "" -> kNone
inline bool QcFailed(QcResult r) { return r != QcResult::kNone && r != QcResult::kPass; }

enum class DeliveryStatus : uint8_t { kPending, kDelivered, kRto, kCancelled };
std::string_view DeliveryStatusName(DeliveryStatus status);                // kPending -> "pending"
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name);  // "" -> kPending

// Return reasons are free text; they are grouped by keywords into a few
// classes that behave differently (a defect is not a change of mind).
enum class ReturnReason : uint8_t {
  kOther,
  kSizeFit,
  kDefective,
  kNotAsDescribed,
  kWrongItem,
  kChangedMind,
  kLateDelivery,
};
ReturnReason ClassifyReturnReason(std::string_view text);
std::string_view ReturnReasonName(ReturnReason reason);

// What a `label` event labels.
enum class LabelTarget : uint8_t { kReturn, kOrder, kTransaction };

struct Event {
  Timestamp at = 0;
  EventType type = EventType::kOrderPlaced;
  PaymentMethod payment = PaymentMethod::kUpi;
  QcResult qc = QcResult::kNone;
  ReturnReason reason = ReturnReason::kOther;
  LabelTarget label_target = LabelTarget::kReturn;
  uint8_t label = 0;

  uint32_t customer = kNoId;
  uint32_t product = kNoId;
  uint32_t seller = kNoId;
  uint32_t category = kNoId;
  uint32_t order = kNoId;
  uint32_t ret = kNoId;  // the return
  uint32_t device = kNoId;
  uint32_t pincode = kNoId;  // delivery pincode for orders, home pincode for customers
  uint32_t size = kNoId;

  float amount = 0;             // order amount, product price, or refund amount
  float discount = 0;           // orders
  float quantity = 1;           // orders
  Timestamp registered_at = 0;  // customer.upserted
};

}  // namespace vigil

#endif  // VIGIL_DATA_EVENT_H_
