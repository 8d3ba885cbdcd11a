#include "data/event.h"

#include <array>
#include <string>
#include <utility>

#include "common/ascii.h"

namespace vigil {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> Lookup(const std::array<std::pair<std::string_view, Enum>, N>& table,
                           std::string_view name) {
  for (const auto& [text, value] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<std::string_view, Enum>, N>& table, Enum value) {
  for (const auto& [text, v] : table) {
    if (v == value) return text;
  }
  return "unknown";
}

constexpr std::array<std::pair<std::string_view, EventType>, 9> kEventTypes = {{
    {"customer.upserted", EventType::kCustomerUpserted},
    {"product.upserted", EventType::kProductUpserted},
    {"order.placed", EventType::kOrderPlaced},
    {"order.delivered", EventType::kOrderDelivered},
    {"order.rto", EventType::kOrderRto},
    {"order.cancelled", EventType::kOrderCancelled},
    {"return.requested", EventType::kReturnRequested},
    {"return.qc_completed", EventType::kReturnQcCompleted},
    {"label", EventType::kLabel},
}};

constexpr std::array<std::pair<std::string_view, PaymentMethod>, 6> kPaymentMethods = {{
    {"cod", PaymentMethod::kCod},
    {"upi", PaymentMethod::kUpi},
    {"card", PaymentMethod::kCard},
    {"netbanking", PaymentMethod::kNetbanking},
    {"wallet", PaymentMethod::kWallet},
    {"emi", PaymentMethod::kEmi},
}};

constexpr std::array<std::pair<std::string_view, QcResult>, 6> kQcResults = {{
    {"", QcResult::kNone},
    {"pass", QcResult::kPass},
    {"fail", QcResult::kFail},
    {"empty", QcResult::kEmpty},
    {"used", QcResult::kUsed},
    {"mismatch", QcResult::kMismatch},
}};

constexpr std::array<std::pair<std::string_view, DeliveryStatus>, 5> kDeliveryStatuses = {{
    {"pending", DeliveryStatus::kPending},  // first: the name written
    {"", DeliveryStatus::kPending},
    {"delivered", DeliveryStatus::kDelivered},
    {"rto", DeliveryStatus::kRto},
    {"cancelled", DeliveryStatus::kCancelled},
}};

constexpr std::array<std::pair<std::string_view, ReturnReason>, 7> kReasonNames = {{
    {"other", ReturnReason::kOther},
    {"size_fit", ReturnReason::kSizeFit},
    {"defective", ReturnReason::kDefective},
    {"not_as_described", ReturnReason::kNotAsDescribed},
    {"wrong_item", ReturnReason::kWrongItem},
    {"changed_mind", ReturnReason::kChangedMind},
    {"late_delivery", ReturnReason::kLateDelivery},
}};

// Keywords in the order they are tried; the first match wins.
constexpr std::array<std::pair<std::string_view, ReturnReason>, 22> kReasonKeywords = {{
    {"wrong item", ReturnReason::kWrongItem},
    {"different item", ReturnReason::kWrongItem},
    {"wrong product", ReturnReason::kWrongItem},
    {"size", ReturnReason::kSizeFit},
    {"fit", ReturnReason::kSizeFit},
    {"small", ReturnReason::kSizeFit},
    {"large", ReturnReason::kSizeFit},
    {"tight", ReturnReason::kSizeFit},
    {"loose", ReturnReason::kSizeFit},
    {"defect", ReturnReason::kDefective},
    {"damage", ReturnReason::kDefective},
    {"broken", ReturnReason::kDefective},
    {"not working", ReturnReason::kDefective},
    {"faulty", ReturnReason::kDefective},
    {"quality", ReturnReason::kDefective},
    {"not as described", ReturnReason::kNotAsDescribed},
    {"description", ReturnReason::kNotAsDescribed},
    {"colour", ReturnReason::kNotAsDescribed},
    {"color", ReturnReason::kNotAsDescribed},
    {"changed", ReturnReason::kChangedMind},
    {"no longer", ReturnReason::kChangedMind},
    {"late", ReturnReason::kLateDelivery},
}};

}  // namespace

std::string_view EventTypeName(EventType type) { return NameOf(kEventTypes, type); }
std::optional<EventType> ParseEventType(std::string_view name) { return Lookup(kEventTypes, name); }
std::string_view PaymentMethodName(PaymentMethod method) { return NameOf(kPaymentMethods, method); }
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view name) {
  return Lookup(kPaymentMethods, name);
}
std::string_view QcResultName(QcResult result) { return NameOf(kQcResults, result); }
std::optional<QcResult> ParseQcResult(std::string_view name) { return Lookup(kQcResults, name); }
std::string_view DeliveryStatusName(DeliveryStatus status) {
  return NameOf(kDeliveryStatuses, status);
}
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name) {
  return Lookup(kDeliveryStatuses, name);
}
std::string_view ReturnReasonName(ReturnReason reason) { return NameOf(kReasonNames, reason); }

ReturnReason ClassifyReturnReason(std::string_view text) {
  const std::string lower = AsciiLower(text);
  for (const auto& [keyword, reason] : kReasonKeywords) {
    if (lower.find(keyword) != std::string::npos) return reason;
  }
  if (lower.find("mind") != std::string::npos || lower.find("not needed") != std::string::npos ||
      lower.find("better price") != std::string::npos) {
    return ReturnReason::kChangedMind;
  }
  return ReturnReason::kOther;
}

}  // namespace vigil
