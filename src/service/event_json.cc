#include "service/event_json.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>

#include "common/ascii.h"
#include "common/field_error.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr double kMaxAmount = 1e7;  // ₹1 crore, as the data lake reader
constexpr size_t kMaxIdLength = 128;
// An event id is long enough to hold any default id, "<type>:<subject id>",
// so that the event log's ids decode again.
constexpr size_t kMaxEventIdLength = std::string_view("return.qc_completed:").size() + kMaxIdLength;
// The instants EncodeEvent can write for ParseTimestamp to read back: a
// four-digit year in UTC.
constexpr Timestamp kMinTime = -62'167'219'200;  // 0000-01-01T00:00:00Z
constexpr Timestamp kMaxTime = 253'402'300'799;  // 9999-12-31T23:59:59Z

// Typed, checked access to the fields of one JSON object.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {}

  const json* Find(std::string_view name) const {
    auto it = object_.find(name);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  // A string id; empty when absent and not required.
  StatusOr<std::string> Id(std::string_view name, bool required,
                           size_t max_length = kMaxIdLength) const {
    const json* v = Find(name);
    if (v == nullptr) {
      if (required) return FieldError(name, "is required");
      return std::string();
    }
    if (!v->is_string()) return FieldError(name, "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (s.empty() && required) return FieldError(name, "must not be empty");
    if (s.size() > max_length) {
      return FieldError(name, fmt::format("is longer than {} characters", max_length));
    }
    if (std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20; })) {
      return FieldError(name, "contains control characters");
    }
    return s;
  }

  // A number in [min, max]; `fallback` when absent.
  StatusOr<double> Number(std::string_view name, double min, double max, double fallback,
                          bool required = false) const {
    const json* v = Find(name);
    if (v == nullptr) {
      if (required) return FieldError(name, "is required");
      return fallback;
    }
    if (!v->is_number()) return FieldError(name, "must be a number");
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < min || d > max) {
      return FieldError(name, fmt::format("must be between {} and {}", min, max));
    }
    // Negative zero ("-0.0", or an underflow such as -2e-400) is zero: the
    // log would otherwise hold "-0", which decodes again as 0.
    return d == 0 ? 0.0 : d;
  }

  // The first of `names` present, as a timestamp; `fallback` when none is.
  // The time under the first of `names` present, or `fallback`. Synonyms
  // (e.g. "at" and "ordered_at") given together must agree: which one to
  // believe is not ours to guess.
  StatusOr<Timestamp> Time(std::initializer_list<std::string_view> names,
                           Timestamp fallback) const {
    std::optional<Timestamp> found;
    std::string_view found_name;
    for (std::string_view name : names) {
      const json* v = Find(name);
      if (v == nullptr) continue;
      if (!v->is_string()) return FieldError(name, "must be an ISO-8601 time string");
      auto t = ParseTimestamp(v->get_ref<const std::string&>());
      if (!t.ok()) return FieldError(name, std::string(t.status().message()));
      if (*t < kMinTime || *t > kMaxTime) {
        return FieldError(name, "must be between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
      }
      if (found.has_value() && *found != *t) {
        return FieldError(name, fmt::format("disagrees with {}; send one of them", found_name));
      }
      if (!found.has_value()) {
        found = *t;
        found_name = name;
      }
    }
    return found.value_or(fallback);
  }

 private:
  const json& object_;
};

StatusOr<std::string> Pincode(const Fields& f, std::string_view name) {
  const json* v = f.Find(name);
  // Pincodes are digits; accept a JSON number too, as clients often send one.
  std::string pincode;
  if (v != nullptr && v->is_number_integer()) {
    pincode = std::to_string(v->get<int64_t>());
  } else {
    ASSIGN_OR_RETURN(pincode, f.Id(name, false));
  }
  if (!pincode.empty() &&
      (pincode.size() != 6 ||
       !std::all_of(pincode.begin(), pincode.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
    return FieldError(name, "must be a 6-digit pincode");
  }
  return pincode;
}

template <typename Enum>
StatusOr<Enum> EnumField(const Fields& f, std::string_view name, bool required, Enum fallback,
                         std::optional<Enum> (*parse)(std::string_view), std::string_view allowed) {
  ASSIGN_OR_RETURN(const std::string text, f.Id(name, required));
  if (text.empty()) return fallback;
  const auto value = parse(AsciiLower(text));
  if (!value.has_value()) return FieldError(name, fmt::format("must be one of {}", allowed));
  return *value;
}

Status DecodeOrderFields(const Fields& f, RawEvent* e) {
  ASSIGN_OR_RETURN(e->order_id, f.Id("order_id", true));
  ASSIGN_OR_RETURN(e->customer_id, f.Id("customer_id", true));
  ASSIGN_OR_RETURN(e->product_id, f.Id("product_id", true));
  ASSIGN_OR_RETURN(e->seller_id, f.Id("seller_id", false));
  ASSIGN_OR_RETURN(std::string category, f.Id("category", false));
  e->category = AsciiLower(category);
  ASSIGN_OR_RETURN(e->size, f.Id("size", false));
  ASSIGN_OR_RETURN(e->device_id, f.Id("device_id", false));
  ASSIGN_OR_RETURN(e->pincode, Pincode(f, "delivery_pincode"));
  ASSIGN_OR_RETURN(const double amount, f.Number("amount", 0, kMaxAmount, 0, true));
  ASSIGN_OR_RETURN(const double discount, f.Number("discount", 0, kMaxAmount, 0));
  ASSIGN_OR_RETURN(const double quantity, f.Number("quantity", 1, 10000, 1));
  e->amount = static_cast<float>(amount);
  e->discount = static_cast<float>(discount);
  e->quantity = static_cast<float>(quantity);
  ASSIGN_OR_RETURN(e->payment,
                   EnumField(f, "payment_method", true, PaymentMethod::kUpi, &ParsePaymentMethod,
                             "cod, upi, card, netbanking, wallet, emi"));
  return absl::OkStatus();
}

// A canonical reason name ("size_fit", as EncodeEvent writes) or free text.
ReturnReason ReasonFromText(std::string_view text) {
  for (int r = 0; r <= static_cast<int>(ReturnReason::kLateDelivery); ++r) {
    if (ReturnReasonName(static_cast<ReturnReason>(r)) == text) return static_cast<ReturnReason>(r);
  }
  return ClassifyReturnReason(text);
}

Status DecodeReturnFields(const Fields& f, RawEvent* e) {
  ASSIGN_OR_RETURN(e->return_id, f.Id("return_id", true));
  ASSIGN_OR_RETURN(e->order_id, f.Id("order_id", true));
  ASSIGN_OR_RETURN(const std::string reason, f.Id("reason", false));
  e->reason = ReasonFromText(reason);
  ASSIGN_OR_RETURN(const double refund, f.Number("refund_amount", 0, kMaxAmount, 0));
  e->amount = static_cast<float>(refund);
  return absl::OkStatus();
}

std::optional<LabelTarget> ParseLabelTarget(std::string_view name) {
  if (name == "return") return LabelTarget::kReturn;
  if (name == "order") return LabelTarget::kOrder;
  return std::nullopt;
}

Status DecodeTypedFields(const Fields& f, Timestamp now, RawEvent* e) {
  switch (e->type) {
    case EventType::kCustomerUpserted: {
      ASSIGN_OR_RETURN(e->customer_id, f.Id("customer_id", true));
      ASSIGN_OR_RETURN(e->registered_at, f.Time({"registered_at"}, e->at));
      ASSIGN_OR_RETURN(e->pincode, Pincode(f, "pincode"));
      return absl::OkStatus();
    }
    case EventType::kProductUpserted: {
      ASSIGN_OR_RETURN(e->product_id, f.Id("product_id", true));
      ASSIGN_OR_RETURN(std::string category, f.Id("category", true));
      e->category = AsciiLower(category);
      ASSIGN_OR_RETURN(e->seller_id, f.Id("seller_id", false));
      ASSIGN_OR_RETURN(const double price, f.Number("price", 0, kMaxAmount, 0, true));
      e->amount = static_cast<float>(price);
      return absl::OkStatus();
    }
    case EventType::kOrderPlaced: {
      ASSIGN_OR_RETURN(e->at, f.Time({"at", "ordered_at"}, now));
      return DecodeOrderFields(f, e);
    }
    case EventType::kOrderDelivered:
    case EventType::kOrderRto:
    case EventType::kOrderCancelled: {
      ASSIGN_OR_RETURN(e->order_id, f.Id("order_id", true));
      return absl::OkStatus();
    }
    case EventType::kReturnRequested: {
      ASSIGN_OR_RETURN(e->at, f.Time({"at", "requested_at"}, now));
      return DecodeReturnFields(f, e);
    }
    case EventType::kReturnQcCompleted: {
      ASSIGN_OR_RETURN(e->return_id, f.Id("return_id", true));
      ASSIGN_OR_RETURN(e->qc, EnumField(f, "qc_result", true, QcResult::kNone, &ParseQcResult,
                                        "pass, fail, empty, used, mismatch"));
      return absl::OkStatus();
    }
    case EventType::kLabel: {
      ASSIGN_OR_RETURN(e->label_target, EnumField(f, "target", false, LabelTarget::kReturn,
                                                  &ParseLabelTarget, "return, order"));
      const bool on_return = e->label_target == LabelTarget::kReturn;
      ASSIGN_OR_RETURN(e->return_id, f.Id("return_id", on_return));
      ASSIGN_OR_RETURN(e->order_id, f.Id("order_id", !on_return));
      ASSIGN_OR_RETURN(const double label, f.Number("label", 0, 1, 0, true));
      if (label != 0 && label != 1) return FieldError("label", "must be 0 or 1");
      e->label = static_cast<uint8_t>(label);
      return absl::OkStatus();
    }
  }
  return FieldError("type", "is not a known event type");
}

std::string_view SubjectId(const RawEvent& e) {
  switch (e.type) {
    case EventType::kCustomerUpserted:
      return e.customer_id;
    case EventType::kProductUpserted:
      return e.product_id;
    case EventType::kReturnRequested:
    case EventType::kReturnQcCompleted:
      return e.return_id;
    case EventType::kLabel:
      return e.label_target == LabelTarget::kReturn ? e.return_id : e.order_id;
    default:
      return e.order_id;
  }
}

// Card transactions are labelled through their own routes, not the event
// log; an event naming them would not decode (ParseLabelTarget).
std::string_view LabelTargetName(LabelTarget target) {
  switch (target) {
    case LabelTarget::kReturn:
      return "return";
    case LabelTarget::kOrder:
      return "order";
    case LabelTarget::kTransaction:
      return "transaction";
  }
  return "return";
}

}  // namespace

std::string DefaultEventId(const RawEvent& event) {
  return fmt::format("{}:{}", EventTypeName(event.type), SubjectId(event));
}

StatusOr<DecodedEvent> DecodeEvent(const json& object, Timestamp now) {
  if (!object.is_object()) return absl::InvalidArgumentError("an event must be a JSON object");
  const Fields f(object);
  DecodedEvent decoded;
  RawEvent& e = decoded.event;
  ASSIGN_OR_RETURN(const std::string type, f.Id("type", true));
  const auto parsed = ParseEventType(type);
  if (!parsed.has_value()) {
    return FieldError("type",
                      "must be one of customer.upserted, product.upserted, order.placed, "
                      "order.delivered, order.rto, order.cancelled, return.requested, "
                      "return.qc_completed, label");
  }
  e.type = *parsed;
  ASSIGN_OR_RETURN(e.at, f.Time({"at"}, now));
  RETURN_IF_ERROR(DecodeTypedFields(f, now, &e));
  ASSIGN_OR_RETURN(decoded.event_id, f.Id("event_id", false, kMaxEventIdLength));
  if (decoded.event_id.empty()) decoded.event_id = DefaultEventId(e);
  return decoded;
}

StatusOr<RawEvent> DecodeOrder(const json& object, Timestamp now) {
  if (!object.is_object()) return absl::InvalidArgumentError("the order must be a JSON object");
  const Fields f(object);
  RawEvent e{.type = EventType::kOrderPlaced};
  ASSIGN_OR_RETURN(e.at, f.Time({"ordered_at", "at"}, now));
  RETURN_IF_ERROR(DecodeOrderFields(f, &e));
  return e;
}

StatusOr<RawEvent> DecodeReturn(const json& object, Timestamp now) {
  if (!object.is_object()) return absl::InvalidArgumentError("the return must be a JSON object");
  const Fields f(object);
  RawEvent e{.type = EventType::kReturnRequested};
  ASSIGN_OR_RETURN(e.at, f.Time({"requested_at", "at"}, now));
  RETURN_IF_ERROR(DecodeReturnFields(f, &e));
  return e;
}

std::string EncodeEvent(std::string_view event_id, const RawEvent& e) {
  // Written directly, not built as a json value: one event per scored
  // request and per ingested line.
  JsonWriter w;
  auto text = [&w](std::string_view name, std::string_view value) { w.Field(name, value); };
  auto put = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) text(name, value);
  };
  // NaN is written as null, which DecodeEvent reads as absent.
  auto number = [&w](std::string_view name, float value) {
    w.Key(name);
    w.Float(value);
  };
  w.StartObject();
  text("event_id", event_id);
  text("type", EventTypeName(e.type));
  text("at", FormatTimestamp(e.at));
  switch (e.type) {
    case EventType::kCustomerUpserted:
      put("customer_id", e.customer_id);
      text("registered_at", FormatTimestamp(e.registered_at));
      put("pincode", e.pincode);
      break;
    case EventType::kProductUpserted:
      put("product_id", e.product_id);
      put("category", e.category);
      put("seller_id", e.seller_id);
      number("price", e.amount);
      break;
    case EventType::kOrderPlaced:
      put("order_id", e.order_id);
      put("customer_id", e.customer_id);
      put("product_id", e.product_id);
      put("seller_id", e.seller_id);
      put("category", e.category);
      put("size", e.size);
      put("device_id", e.device_id);
      put("delivery_pincode", e.pincode);
      number("amount", e.amount);
      number("discount", e.discount);
      number("quantity", e.quantity);
      text("payment_method", PaymentMethodName(e.payment));
      break;
    case EventType::kOrderDelivered:
    case EventType::kOrderRto:
    case EventType::kOrderCancelled:
      put("order_id", e.order_id);
      break;
    case EventType::kReturnRequested:
      put("return_id", e.return_id);
      put("order_id", e.order_id);
      text("reason", ReturnReasonName(e.reason));
      number("refund_amount", e.amount);
      break;
    case EventType::kReturnQcCompleted:
      put("return_id", e.return_id);
      text("qc_result", QcResultName(e.qc));
      break;
    case EventType::kLabel:
      text("target", LabelTargetName(e.label_target));
      put("return_id", e.return_id);
      put("order_id", e.order_id);
      w.Key("label");
      w.Int(e.label);
      break;
  }
  w.EndObject();
  return w.Release();
}

void ForEachNdjsonLine(std::string_view body,
                       const std::function<void(int64_t, std::string_view)>& fn) {
  int64_t number = 0;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view text = body.substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    ++number;
    if (text.find_first_not_of(" \t") != std::string_view::npos) fn(number, text);
    start = end + 1;
  }
}

}  // namespace vigil
