// The per-entity state the feature engine keeps: what it must remember about
// each customer, order, return, product, seller, category, pincode and
// device to answer feature questions at any later moment. Kept small: the
// online state for 10 M customers must fit in a few GiB. Plain structs; the
// engine owns and serialises access.
#ifndef VIGIL_FEATURES_ENTITY_STATE_H_
#define VIGIL_FEATURES_ENTITY_STATE_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "common/time.h"
#include "data/event.h"

namespace vigil {

inline constexpr Timestamp kNever = std::numeric_limits<Timestamp>::min();

// One of a customer's recent orders, with what is known of it so far.
struct RecentOrder {
  Timestamp placed_at;
  uint32_t order;
  uint32_t product;
  uint32_t size;
  uint32_t device;
  uint32_t pincode;
  float amount;
  bool cod;
  bool returned;
};

// A small set of ids with the last time each was seen, capped in size.
struct RecentIds {
  static constexpr size_t kMax = 16;
  std::vector<std::pair<uint32_t, Timestamp>> items;
  // Records `id` at `at`; returns true when it was not in the set.
  bool Touch(uint32_t id, Timestamp at);
  bool Contains(uint32_t id) const;
  int CountSince(Timestamp since) const;
};

struct CustomerState {
  Timestamp registered_at = kNever;
  uint32_t home_pincode = kNoId;
  uint32_t orders = 0;
  uint32_t returns = 0;
  uint32_t delivered = 0;
  uint32_t rto = 0;
  uint32_t cancelled = 0;
  uint32_t qc_fail = 0;
  uint32_t abuse = 0;
  uint32_t fast_returns = 0;
  uint32_t late_returns = 0;
  double amount_sum = 0;
  Timestamp last_order_at = kNever;
  std::vector<RecentOrder> recent_orders;  // time order; older than 90 days pruned
  std::vector<Timestamp> recent_returns;   // request times; older than 90 days pruned
  RecentIds devices;
  RecentIds pincodes;
};

enum class OrderStatus : uint8_t { kPlaced, kDelivered, kRto, kCancelled };

struct OrderState {
  Timestamp placed_at = kNever;
  Timestamp delivered_at = kNever;
  uint32_t customer = kNoId;
  uint32_t product = kNoId;
  uint32_t seller = kNoId;
  uint32_t category = kNoId;
  uint32_t device = kNoId;
  uint32_t pincode = kNoId;
  uint32_t size = kNoId;
  float amount = 0;
  PaymentMethod payment = PaymentMethod::kUpi;
  OrderStatus status = OrderStatus::kPlaced;
  bool returned = false;
  bool known = false;
};

struct ReturnState {
  uint32_t order = kNoId;
  Timestamp requested_at = kNever;
  bool qc_failed = false;
  bool labelled_abuse = false;
  bool known = false;
};

// Counters kept for products, sellers, categories, pincodes and devices.
struct EntityStats {
  uint32_t orders = 0;
  uint32_t delivered = 0;
  uint32_t rto = 0;
  uint32_t returns = 0;
  uint32_t qc_fail = 0;
  uint32_t abuse = 0;
};

struct ProductState {
  uint32_t category = kNoId;
  uint32_t seller = kNoId;
  float price = 0;
  EntityStats stats;
};

struct DeviceState {
  EntityStats stats;
  RecentIds customers;
};

}  // namespace vigil

#endif  // VIGIL_FEATURES_ENTITY_STATE_H_
