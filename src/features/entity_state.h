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

#include "common/compact_list.h"
#include "common/time.h"
#include "data/event.h"

namespace vigil {

inline constexpr Timestamp kNever = std::numeric_limits<Timestamp>::min();

// State keeps times as seconds since 2000-01-01T00:00:00Z in 32 bits (until
// 2136): half the bytes of a Timestamp, for state that exists per order.
// 0 means "never".
using CompactTime = uint32_t;
inline constexpr Timestamp kCompactEpoch = 946'684'800;
inline constexpr CompactTime kCompactNever = 0;
inline CompactTime ToCompact(Timestamp t) {
  if (t <= kCompactEpoch) return 1;
  const Timestamp offset = t - kCompactEpoch;
  return offset >= std::numeric_limits<CompactTime>::max() ? std::numeric_limits<CompactTime>::max()
                                                           : static_cast<CompactTime>(offset);
}
inline Timestamp FromCompact(CompactTime t) {
  return t == kCompactNever ? kNever : kCompactEpoch + t;
}

// Ids of small vocabularies (sizes, categories) are kept in 16 bits; the
// rare id beyond is folded onto the last one.
inline constexpr uint16_t kNoId16 = 0xFFFF;
inline constexpr uint16_t kNoSize = kNoId16;
inline uint16_t ToId16(uint32_t id) {
  return id == kNoId ? kNoId16 : static_cast<uint16_t>(id < kNoId16 ? id : kNoId16 - 1);
}
inline uint32_t FromId16(uint16_t id) { return id == kNoId16 ? kNoId : id; }
inline uint16_t ToCompactSize(uint32_t size) { return ToId16(size); }

// One of a customer's recent orders, with what is known of it so far.
struct RecentOrder {
  CompactTime placed_at;
  uint32_t order;
  uint32_t product;
  uint16_t size;
  bool cod;
  bool returned;
};
static_assert(sizeof(RecentOrder) == 16);

// A small set of ids with the last time each was seen, capped in size.
struct RecentIds {
  static constexpr size_t kMax = 16;
  struct Item {
    uint32_t id;
    CompactTime last_seen;
  };
  CompactList<Item> items;
  // Records `id` at `at`; returns true when it was not in the set.
  bool Touch(uint32_t id, Timestamp at);
  bool Contains(uint32_t id) const;
  int CountSince(Timestamp since) const;
  // Counts only keys whose kPincodeTag bit equals `tag` (see CustomerState).
  int CountSince(Timestamp since, uint32_t tag) const;
};

inline constexpr uint32_t kPincodeTag = 0x80000000u;
inline uint32_t DeviceKey(uint32_t device) { return device & ~kPincodeTag; }
inline uint32_t PincodeKey(uint32_t pincode) { return pincode | kPincodeTag; }

struct CustomerState {
  double amount_sum = 0;
  CompactTime registered_at = kCompactNever;
  uint32_t home_pincode = kNoId;
  uint32_t orders = 0;
  uint32_t returns = 0;
  uint32_t delivered = 0;
  uint32_t rto = 0;
  // Rarer events in 16 bits: a customer with 65 535 cancellations is a bot.
  uint16_t cancelled = 0;
  uint16_t qc_fail = 0;
  uint16_t abuse = 0;
  uint16_t fast_returns = 0;
  uint16_t late_returns = 0;
  CompactTime last_order_at = kCompactNever;
  CompactList<RecentOrder> recent_orders;   // time order; older than 90 days pruned
  CompactList<CompactTime> recent_returns;  // request times; older than 90 days pruned
  // Devices ordered from and pincodes delivered to, in one list (one
  // allocation per customer): keys from DeviceKey() and PincodeKey().
  RecentIds places;
};
static_assert(sizeof(CustomerState) <= 96, "per-customer state is budgeted");

enum class OrderStatus : uint8_t { kPlaced, kDelivered, kRto, kCancelled };

// One per order: 36 bytes, since there are tens of millions.
struct OrderState {
  CompactTime placed_at = kCompactNever;  // kCompactNever: no such order
  CompactTime delivered_at = kCompactNever;
  uint32_t customer = kNoId;
  uint32_t product = kNoId;
  uint32_t seller = kNoId;
  uint32_t device = kNoId;
  uint32_t pincode = kNoId;
  float amount = 0;
  uint16_t category = kNoId16;  // ToId16()
  PaymentMethod payment = PaymentMethod::kUpi;
  OrderStatus status = OrderStatus::kPlaced;

  bool known() const { return placed_at != kCompactNever; }
};
static_assert(sizeof(OrderState) == 36);

struct ReturnState {
  uint32_t order = kNoId;
  CompactTime requested_at = kCompactNever;
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
