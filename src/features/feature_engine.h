// FeatureEngine: the event-sourced feature store. Events (data/event.h) are
// applied in time order to per-entity state; at any moment the engine
// answers "what did we know about this order / return, just before it
// happened?" as a vector in the registry's order (feature_registry.h).
//
// The same code serves both paths: offline replay of the data lake builds
// training rows with Process(), and the online service calls Process() (or
// Ingest() with string ids) for each arriving event. Because a vector is
// computed before its own event is applied, and outcomes (delivery, RTO, QC,
// labels) are separate events at their own times, no row can see its future.
//
// Not thread-safe: one writer at a time (the service serialises access).
#ifndef VIGIL_FEATURES_FEATURE_ENGINE_H_
#define VIGIL_FEATURES_FEATURE_ENGINE_H_

#include <optional>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "data/catalog.h"
#include "data/event.h"
#include "data/festival_calendar.h"
#include "data/raw_event.h"
#include "features/entity_state.h"
#include "features/feature_registry.h"
#include "features/transaction_feature_engine.h"

namespace vigil {

class FeatureEngine {
 public:
  // Days after delivery within which a return may be requested.
  static constexpr int kReturnWindowDays = 30;

  FeatureEngine() = default;
  explicit FeatureEngine(FestivalCalendar calendar) : calendar_(std::move(calendar)) {}

  Catalog& catalog() { return catalog_; }
  const Catalog& catalog() const { return catalog_; }
  const FestivalCalendar& calendar() const { return calendar_; }
  void set_calendar(FestivalCalendar calendar) { calendar_ = std::move(calendar); }

  // The vector of an `order.placed` event as of its time, before it is
  // applied. `out` must hold kOrderVectorSize values.
  void OrderFeatures(const Event& order_placed, std::span<float> out) const;
  // The vector of a `return.requested` event; `out` holds kReturnVectorSize.
  void ReturnFeatures(const Event& return_requested, std::span<float> out) const;

  // Applies one event to the state. Events are expected in time order.
  void Apply(const Event& event);

  // The one step both replay and the service take: for an order.placed or
  // return.requested event, writes its vector into `features` (resized)
  // and returns its kind; then applies the event.
  std::optional<DecisionKind> Process(const Event& event, std::vector<float>* features);
  // Process() for an event that names entities by their string ids.
  std::optional<DecisionKind> Ingest(const RawEvent& event, std::vector<float>* features);

  // Hints the memory an upcoming event will touch into cache; replay calls
  // it a few events ahead, since state access is mostly cache misses.
  void Prefetch(const Event& event) const;

  // Card transactions have their own state (they share only the catalog).
  TransactionFeatureEngine& transactions() { return transactions_; }

  const CustomerState* FindCustomer(uint32_t id) const;
  const OrderState* FindOrder(uint32_t id) const;
  const ReturnState* FindReturn(uint32_t id) const;
  size_t customer_count() const { return customers_.size(); }
  size_t order_count() const { return orders_.size(); }

 private:
  void FillCustomer(uint32_t customer, Timestamp at, std::span<float> out) const;
  uint32_t CategoryOf(const Event& e) const;
  uint32_t SellerOf(const Event& e) const;
  float ReturnRate(const EntityStats& s) const;
  float RtoRate(const EntityStats& s) const;
  float AbuseRate(const EntityStats& s) const;
  float QcFailRate(const EntityStats& s) const;
  int OtherCustomersOnDevice(uint32_t device, uint32_t customer) const;

  void ApplyOrderPlaced(const Event& e);
  void ApplyOutcome(const Event& e);
  void ApplyReturnRequested(const Event& e);
  void ApplyQc(const Event& e);
  void ApplyLabel(const Event& e);
  // Calls `fn(stats)` for the product, seller, category, pincode and device of an order.
  template <typename Fn>
  void ForOrderEntities(const OrderState& o, Fn fn);

  Catalog catalog_;
  FestivalCalendar calendar_;
  std::vector<CustomerState> customers_;
  std::vector<OrderState> orders_;
  std::vector<ReturnState> returns_;
  std::vector<ProductState> products_;
  std::vector<EntityStats> sellers_;
  std::vector<EntityStats> categories_;
  std::vector<EntityStats> pincodes_;
  std::vector<DeviceState> devices_;
  EntityStats global_;
  // Analysts' verdicts on orders (true: abuse), few, so apart from the
  // orders: a verdict of abuse counts as one abuse of the order's customer
  // and entities, besides any abusive return of the order.
  absl::flat_hash_map<uint32_t, bool> order_verdicts_;
  TransactionFeatureEngine transactions_;
};

}  // namespace vigil

#endif  // VIGIL_FEATURES_FEATURE_ENGINE_H_
