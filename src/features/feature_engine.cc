#include "features/feature_engine.h"

#include <algorithm>
#include <cmath>

#include "features/state_vectors.h"

namespace vigil {
namespace {

using feature_internal::Grow;
using feature_internal::kMissing;
using feature_internal::Ratio;

// Pseudo-observations pulling an entity's rate towards the marketplace's.
constexpr double kPriorWeight = 10;
constexpr Timestamp kHistory = 90 * kDay;
constexpr uint32_t kRecentOrdersKept = 6;
constexpr int kFastReturnDays = 2;
constexpr int kLateReturnDays = FeatureEngine::kReturnWindowDays - 5;

template <typename T>
const T* Find(const std::vector<T>& v, uint32_t id) {
  return id < v.size() ? &v[id] : nullptr;
}

template <typename T>
const T& FindOrEmpty(const std::vector<T>& v, uint32_t id) {
  static const T kEmpty{};
  return id < v.size() ? v[id] : kEmpty;
}

float Days(Timestamp from, Timestamp to) { return static_cast<float>(to - from) / kDay; }

float Smoothed(double num, double den, double prior) {
  return static_cast<float>((num + kPriorWeight * prior) / (den + kPriorWeight));
}

template <typename Enum>
void Set(std::span<float> out, Enum feature, float value) {
  out[kCustomerFeatureCount + static_cast<size_t>(feature)] = value;
}

void Set(std::span<float> out, CustomerFeature feature, float value) {
  out[static_cast<size_t>(feature)] = value;
}

// Drops entries older than the history kept, but always keeps the last few.
void PruneRecent(CustomerState& c, Timestamp now) {
  auto& orders = c.recent_orders;
  uint32_t drop = 0;
  while (drop + kRecentOrdersKept < orders.size() &&
         FromCompact(orders[drop].placed_at) <= now - kHistory) {
    ++drop;
  }
  orders.erase_front(drop);
  auto& returns = c.recent_returns;
  const auto keep = std::find_if(returns.begin(), returns.end(),
                                 [&](CompactTime t) { return FromCompact(t) > now - kHistory; });
  returns.erase_front(static_cast<uint32_t>(keep - returns.begin()));
}

}  // namespace

void FeatureEngine::Prefetch(const Event& e) const {
  auto hint = [](const auto& v, uint32_t id) {
    if (id < v.size()) __builtin_prefetch(&v[id]);
  };
  hint(customers_, e.customer);
  hint(orders_, e.order);
  hint(products_, e.product);
  hint(devices_, e.device);
  hint(pincodes_, e.pincode);
  hint(returns_, e.ret);
}

const CustomerState* FeatureEngine::FindCustomer(uint32_t id) const { return Find(customers_, id); }
const OrderState* FeatureEngine::FindOrder(uint32_t id) const {
  const OrderState* o = Find(orders_, id);
  return o != nullptr && o->known() ? o : nullptr;
}

const ReturnState* FeatureEngine::FindReturn(uint32_t id) const { return Find(returns_, id); }

uint32_t FeatureEngine::CategoryOf(const Event& e) const {
  const ProductState* p = Find(products_, e.product);
  return p != nullptr && p->category != kNoId ? p->category : e.category;
}

uint32_t FeatureEngine::SellerOf(const Event& e) const {
  if (e.seller != kNoId) return e.seller;
  const ProductState* p = Find(products_, e.product);
  return p != nullptr ? p->seller : kNoId;
}

float FeatureEngine::ReturnRate(const EntityStats& s) const {
  return Smoothed(s.returns, s.delivered, Ratio(global_.returns, global_.delivered + 1.0));
}
float FeatureEngine::RtoRate(const EntityStats& s) const {
  return Smoothed(s.rto, s.delivered + s.rto,
                  Ratio(global_.rto, global_.delivered + global_.rto + 1.0));
}
float FeatureEngine::AbuseRate(const EntityStats& s) const {
  return Smoothed(s.abuse, s.returns, Ratio(global_.abuse, global_.returns + 1.0));
}
float FeatureEngine::QcFailRate(const EntityStats& s) const {
  return Smoothed(s.qc_fail, s.returns, Ratio(global_.qc_fail, global_.returns + 1.0));
}

int FeatureEngine::OtherCustomersOnDevice(uint32_t device, uint32_t customer) const {
  const DeviceState* d = Find(devices_, device);
  if (d == nullptr) return 0;
  return static_cast<int>(d->customers.items.size()) - (d->customers.Contains(customer) ? 1 : 0);
}

void FeatureEngine::FillCustomer(uint32_t id, Timestamp at, std::span<float> out) const {
  using F = CustomerFeature;
  const CustomerState& c = FindOrEmpty(customers_, id);
  Set(out, F::k_customer_account_age_days,
      c.registered_at == kCompactNever ? kMissing : Days(FromCompact(c.registered_at), at));
  int orders7 = 0, orders30 = 0, orders90 = 0, returned90 = 0, cod90 = 0;
  for (const RecentOrder& r : c.recent_orders) {
    const Timestamp placed_at = FromCompact(r.placed_at);
    if (placed_at <= at - kHistory) continue;
    ++orders90;
    returned90 += r.returned;
    cod90 += r.cod;
    orders30 += placed_at > at - 30 * kDay;
    orders7 += placed_at > at - 7 * kDay;
  }
  int returns7 = 0, returns30 = 0, returns90 = 0;
  for (CompactTime compact : c.recent_returns) {
    const Timestamp t = FromCompact(compact);
    if (t <= at - kHistory) continue;
    ++returns90;
    returns30 += t > at - 30 * kDay;
    returns7 += t > at - 7 * kDay;
  }
  const uint32_t counted = std::min(c.recent_orders.size(), kRecentOrdersKept);
  int recent_returned = 0;
  for (uint32_t i = c.recent_orders.size() - counted; i < c.recent_orders.size(); ++i) {
    recent_returned += c.recent_orders[i].returned;
  }
  Set(out, F::k_customer_lifetime_orders, c.orders);
  Set(out, F::k_customer_orders_7d, orders7);
  Set(out, F::k_customer_orders_30d, orders30);
  Set(out, F::k_customer_orders_90d, orders90);
  Set(out, F::k_customer_returns_7d, returns7);
  Set(out, F::k_customer_returns_30d, returns30);
  Set(out, F::k_customer_returns_90d, returns90);
  Set(out, F::k_customer_return_rate_90d, Ratio(returned90, orders90));
  Set(out, F::k_customer_recent_orders_returned, recent_returned);
  Set(out, F::k_customer_recent_orders_counted, static_cast<float>(counted));
  Set(out, F::k_customer_lifetime_returns, c.returns);
  Set(out, F::k_customer_lifetime_return_rate, Ratio(c.returns, c.delivered));
  Set(out, F::k_customer_rto_count, c.rto);
  Set(out, F::k_customer_rto_rate, Ratio(c.rto, c.delivered + c.rto));
  Set(out, F::k_customer_cancel_count, c.cancelled);
  Set(out, F::k_customer_cod_share_90d, Ratio(cod90, orders90));
  Set(out, F::k_customer_qc_fail_count, c.qc_fail);
  Set(out, F::k_customer_confirmed_abuse_count, c.abuse);
  Set(out, F::k_customer_fast_return_count, c.fast_returns);
  Set(out, F::k_customer_late_return_count, c.late_returns);
  Set(out, F::k_customer_avg_order_amount, Ratio(c.amount_sum, c.orders));
  Set(out, F::k_customer_days_since_last_order,
      c.last_order_at == kCompactNever ? kMissing : Days(FromCompact(c.last_order_at), at));
  Set(out, F::k_customer_distinct_devices_90d, c.places.CountSince(at - kHistory, 0));
  Set(out, F::k_customer_distinct_pincodes_90d, c.places.CountSince(at - kHistory, kPincodeTag));
}

void FeatureEngine::OrderFeatures(const Event& e, std::span<float> out) const {
  using F = OrderFeature;
  FillCustomer(e.customer, e.at, out);
  const CustomerState& c = FindOrEmpty(customers_, e.customer);
  const float avg = Ratio(c.amount_sum, c.orders);
  Set(out, F::k_order_amount, e.amount);
  Set(out, F::k_order_amount_vs_customer_avg, std::isnan(avg) ? kMissing : Ratio(e.amount, avg));
  Set(out, F::k_order_discount_share,
      e.amount + e.discount > 0 ? e.discount / (e.amount + e.discount) : 0.0f);
  Set(out, F::k_order_quantity, e.quantity);
  Set(out, F::k_order_is_cod, e.payment == PaymentMethod::kCod);
  Set(out, F::k_order_payment_method, static_cast<float>(e.payment));
  Set(out, F::k_order_hour, LocalHour(e.at));
  Set(out, F::k_order_weekday, LocalWeekday(e.at));
  Set(out, F::k_order_in_sale_window, calendar_.Containing(e.at, true) != nullptr);
  Set(out, F::k_order_days_to_festival, calendar_.DaysToNextFestival(e.at));
  int same_product = 0, other_sizes = 0;
  const uint16_t size = ToCompactSize(e.size);
  for (const RecentOrder& r : c.recent_orders) {
    if (r.product != e.product || FromCompact(r.placed_at) <= e.at - 7 * kDay) continue;
    ++same_product;
    other_sizes += r.size != size && r.size != kNoSize && size != kNoSize;
  }
  Set(out, F::k_order_same_product_orders_7d, same_product);
  Set(out, F::k_order_same_product_other_sizes_7d, other_sizes);
  Set(out, F::k_order_new_delivery_pincode,
      e.pincode == kNoId ? kMissing : !c.places.Contains(PincodeKey(e.pincode)));
  Set(out, F::k_order_away_from_home_pincode,
      e.pincode == kNoId || c.home_pincode == kNoId ? kMissing : e.pincode != c.home_pincode);
  const DeviceState& device = FindOrEmpty(devices_, e.device);
  Set(out, F::k_device_other_customers,
      e.device == kNoId ? kMissing : OtherCustomersOnDevice(e.device, e.customer));
  Set(out, F::k_device_rto_count, e.device == kNoId ? kMissing : device.stats.rto);
  Set(out, F::k_device_abuse_count, e.device == kNoId ? kMissing : device.stats.abuse);
  const EntityStats& pincode = FindOrEmpty(pincodes_, e.pincode);
  Set(out, F::k_pincode_rto_rate, e.pincode == kNoId ? kMissing : RtoRate(pincode));
  Set(out, F::k_pincode_return_rate, e.pincode == kNoId ? kMissing : ReturnRate(pincode));
  const EntityStats& product = FindOrEmpty(products_, e.product).stats;
  Set(out, F::k_product_return_rate, ReturnRate(product));
  Set(out, F::k_product_abuse_rate, AbuseRate(product));
  const uint32_t category_id = CategoryOf(e);
  const EntityStats& category = FindOrEmpty(categories_, category_id);
  Set(out, F::k_category_return_rate, category_id == kNoId ? kMissing : ReturnRate(category));
  Set(out, F::k_category_rto_rate, category_id == kNoId ? kMissing : RtoRate(category));
  const uint32_t seller_id = SellerOf(e);
  const EntityStats& seller = FindOrEmpty(sellers_, seller_id);
  Set(out, F::k_seller_return_rate, seller_id == kNoId ? kMissing : ReturnRate(seller));
  Set(out, F::k_seller_rto_rate, seller_id == kNoId ? kMissing : RtoRate(seller));
}

void FeatureEngine::ReturnFeatures(const Event& e, std::span<float> out) const {
  using F = ReturnFeature;
  std::fill(out.begin(), out.end(), kMissing);
  const OrderState* o = FindOrder(e.order);
  if (o == nullptr) return;
  FillCustomer(o->customer, e.at, out);
  const CustomerState& c = FindOrEmpty(customers_, o->customer);
  const bool delivered = o->delivered_at != kCompactNever;
  const float since_delivery = delivered ? Days(FromCompact(o->delivered_at), e.at) : kMissing;
  Set(out, F::k_return_days_since_delivery, since_delivery);
  Set(out, F::k_return_window_position, delivered ? since_delivery / kReturnWindowDays : kMissing);
  const Timestamp placed_at = FromCompact(o->placed_at);
  Set(out, F::k_return_days_since_order, Days(placed_at, e.at));
  Set(out, F::k_return_reason, static_cast<float>(e.reason));
  Set(out, F::k_return_refund_share, Ratio(e.amount, o->amount));
  Set(out, F::k_return_order_amount, o->amount);
  const float avg = Ratio(c.amount_sum, c.orders);
  Set(out, F::k_return_order_amount_vs_customer_avg, Ratio(o->amount, avg));
  Set(out, F::k_return_order_is_cod, o->payment == PaymentMethod::kCod);
  int bracket = 0, kept = 0;
  for (const RecentOrder& r : c.recent_orders) {
    if (r.order == e.order || r.product != o->product) continue;
    if (std::abs(FromCompact(r.placed_at) - placed_at) > 7 * kDay) continue;
    ++bracket;
    kept += !r.returned;
  }
  Set(out, F::k_return_bracket_orders, bracket);
  Set(out, F::k_return_bracket_kept, kept);
  Set(out, F::k_return_order_days_to_festival, calendar_.DaysToNextFestival(placed_at));
  Set(out, F::k_return_days_since_festival, calendar_.DaysSinceFestival(e.at));
  Set(out, F::k_return_hour, LocalHour(e.at));
  const DeviceState& device = FindOrEmpty(devices_, o->device);
  Set(out, F::k_return_device_other_customers,
      o->device == kNoId ? kMissing : OtherCustomersOnDevice(o->device, o->customer));
  Set(out, F::k_return_device_abuse_count, o->device == kNoId ? kMissing : device.stats.abuse);
  const EntityStats& product = FindOrEmpty(products_, o->product).stats;
  Set(out, F::k_return_product_return_rate, ReturnRate(product));
  Set(out, F::k_return_product_abuse_rate, AbuseRate(product));
  Set(out, F::k_return_product_qc_fail_rate, QcFailRate(product));
  Set(out, F::k_return_category_return_rate,
      o->category == kNoId16 ? kMissing
                             : ReturnRate(FindOrEmpty(categories_, FromId16(o->category))));
  Set(out, F::k_return_seller_return_rate,
      o->seller == kNoId ? kMissing : ReturnRate(FindOrEmpty(sellers_, o->seller)));
}

template <typename Fn>
void FeatureEngine::ForOrderEntities(const OrderState& o, Fn fn) {
  fn(global_);
  if (o.product != kNoId) fn(Grow(products_, o.product).stats);
  if (o.seller != kNoId) fn(Grow(sellers_, o.seller));
  if (o.category != kNoId16) fn(Grow(categories_, FromId16(o.category)));
  if (o.pincode != kNoId) fn(Grow(pincodes_, o.pincode));
  if (o.device != kNoId) fn(Grow(devices_, o.device).stats);
}

void FeatureEngine::ApplyOrderPlaced(const Event& e) {
  if (e.order == kNoId || e.customer == kNoId) return;
  OrderState& o = Grow(orders_, e.order);
  if (o.known()) return;  // an order is placed once; replays are ignored
  o = OrderState{.placed_at = ToCompact(e.at),
                 .customer = e.customer,
                 .product = e.product,
                 .seller = SellerOf(e),
                 .device = e.device,
                 .pincode = e.pincode,

                 .amount = e.amount,
                 .category = ToId16(CategoryOf(e)),
                 .payment = e.payment};
  CustomerState& c = Grow(customers_, e.customer);
  ++c.orders;
  c.amount_sum += e.amount;
  c.last_order_at = std::max(c.last_order_at, ToCompact(e.at));
  c.recent_orders.push_back({ToCompact(e.at), e.order, e.product, ToCompactSize(e.size),
                             e.payment == PaymentMethod::kCod, false});
  PruneRecent(c, e.at);
  if (e.device != kNoId) {
    c.places.Touch(DeviceKey(e.device), e.at);
    Grow(devices_, e.device).customers.Touch(e.customer, e.at);
  }
  if (e.pincode != kNoId) c.places.Touch(PincodeKey(e.pincode), e.at);
  ForOrderEntities(o, [](EntityStats& s) { ++s.orders; });
}

void FeatureEngine::ApplyOutcome(const Event& e) {
  if (e.order >= orders_.size() || !orders_[e.order].known()) return;
  OrderState& o = orders_[e.order];
  if (o.status != OrderStatus::kPlaced) return;  // the first outcome stands
  CustomerState& c = Grow(customers_, o.customer);
  switch (e.type) {
    case EventType::kOrderDelivered:
      o.status = OrderStatus::kDelivered;
      o.delivered_at = ToCompact(e.at);
      ++c.delivered;
      ForOrderEntities(o, [](EntityStats& s) { ++s.delivered; });
      break;
    case EventType::kOrderRto:
      o.status = OrderStatus::kRto;
      ++c.rto;
      ForOrderEntities(o, [](EntityStats& s) { ++s.rto; });
      break;
    default:
      o.status = OrderStatus::kCancelled;
      ++c.cancelled;
      break;
  }
}

void FeatureEngine::ApplyReturnRequested(const Event& e) {
  if (e.ret == kNoId || e.order >= orders_.size() || !orders_[e.order].known()) return;
  ReturnState& r = Grow(returns_, e.ret);
  if (r.known) return;
  r = ReturnState{.order = e.order, .requested_at = ToCompact(e.at), .known = true};
  OrderState& o = orders_[e.order];
  CustomerState& c = Grow(customers_, o.customer);
  ++c.returns;
  c.recent_returns.push_back(ToCompact(e.at));
  for (RecentOrder& recent : c.recent_orders) {
    if (recent.order == e.order) recent.returned = true;
  }
  if (o.delivered_at != kCompactNever) {
    const float days = Days(FromCompact(o.delivered_at), e.at);
    c.fast_returns += days <= kFastReturnDays;
    c.late_returns += days >= kLateReturnDays;
  }
  ForOrderEntities(o, [](EntityStats& s) { ++s.returns; });
}

void FeatureEngine::ApplyQc(const Event& e) {
  if (e.ret >= returns_.size() || !returns_[e.ret].known) return;
  ReturnState& r = returns_[e.ret];
  if (r.qc_failed || !QcFailed(e.qc)) return;
  r.qc_failed = true;
  const OrderState& o = orders_[r.order];
  ++Grow(customers_, o.customer).qc_fail;
  ForOrderEntities(o, [](EntityStats& s) { ++s.qc_fail; });
}

void FeatureEngine::ApplyLabel(const Event& e) {
  const bool abuse = e.label != 0;
  uint32_t order = kNoId;
  if (e.label_target == LabelTarget::kReturn) {
    if (e.ret >= returns_.size() || !returns_[e.ret].known) return;
    ReturnState& r = returns_[e.ret];
    if (r.labelled_abuse == abuse) return;
    r.labelled_abuse = abuse;
    order = r.order;
  } else if (e.label_target == LabelTarget::kOrder) {
    if (e.order >= orders_.size() || !orders_[e.order].known()) return;
    bool& verdict = order_verdicts_[e.order];
    if (verdict == abuse) return;
    verdict = abuse;
    order = e.order;
  } else {
    return;  // card transactions keep their own labels
  }
  // A label may be corrected later (a reviewer clears a case): undo it.
  const int delta = abuse ? 1 : -1;
  const OrderState& o = orders_[order];
  Grow(customers_, o.customer).abuse += delta;
  ForOrderEntities(o, [delta](EntityStats& s) { s.abuse += delta; });
}

void FeatureEngine::Apply(const Event& e) {
  switch (e.type) {
    case EventType::kCustomerUpserted: {
      if (e.customer == kNoId) return;
      CustomerState& c = Grow(customers_, e.customer);
      c.registered_at = ToCompact(e.registered_at);
      if (e.pincode != kNoId) c.home_pincode = e.pincode;
      return;
    }
    case EventType::kProductUpserted: {
      if (e.product == kNoId) return;
      ProductState& p = Grow(products_, e.product);
      if (e.category != kNoId) p.category = e.category;
      if (e.seller != kNoId) p.seller = e.seller;
      p.price = e.amount;
      return;
    }
    case EventType::kOrderPlaced:
      return ApplyOrderPlaced(e);
    case EventType::kOrderDelivered:
    case EventType::kOrderRto:
    case EventType::kOrderCancelled:
      return ApplyOutcome(e);
    case EventType::kReturnRequested:
      return ApplyReturnRequested(e);
    case EventType::kReturnQcCompleted:
      return ApplyQc(e);
    case EventType::kLabel:
      return ApplyLabel(e);
  }
}

std::optional<DecisionKind> FeatureEngine::Process(const Event& e, std::vector<float>* features) {
  std::optional<DecisionKind> kind;
  if (e.type == EventType::kOrderPlaced && features != nullptr) {
    features->resize(kOrderVectorSize);
    OrderFeatures(e, *features);
    kind = DecisionKind::kOrder;
  } else if (e.type == EventType::kReturnRequested && features != nullptr) {
    features->resize(kReturnVectorSize);
    ReturnFeatures(e, *features);
    kind = DecisionKind::kReturn;
  }
  Apply(e);
  return kind;
}

std::optional<DecisionKind> FeatureEngine::Ingest(const RawEvent& raw,
                                                  std::vector<float>* features) {
  return Process(InternEvent(raw, &catalog_), features);
}

}  // namespace vigil
