// CustomerPopulation: the shoppers of the synthetic marketplace, each with a
// persistent behaviour (ordinary, loyal, bracketer, serial returner,
// wardrober, empty-box fraudster, COD refuser, ring member) and the traits
// that make it visible over time: home city and pincode, devices, cash-on-
// delivery habit, activity. Rings are groups of 3-8 accounts opened within a
// few days of each other during the period, sharing one or two devices and a
// delivery pincode; households are honest pairs sharing a device and an
// address. Customers are sorted by registration time, so customer number i
// (customer_id C<i+1>) registered no later than i+1. Immutable after
// Generate(); thread-safe for reading.
#ifndef VIGIL_GENERATE_CUSTOMER_POPULATION_H_
#define VIGIL_GENERATE_CUSTOMER_POPULATION_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "generate/marketplace_records.h"
#include "generate/product_catalog.h"
#include "generate/random.h"

namespace vigil {

enum class Behaviour : uint8_t {
  kOrdinary,
  kLoyal,           // buys often, rarely returns
  kBracketer,       // orders several sizes, keeps one: tolerated, not abuse
  kSerialReturner,  // returns most of what they buy
  kWardrober,       // buys for an occasion, wears it, returns it late
  kEmptyBoxFraud,   // claims an empty box or returns a different item
  kCodRefuser,      // orders cash on delivery and refuses the parcel
  kRing,            // one of a group of linked new accounts
};
inline constexpr int kBehaviourCount = 8;
std::string_view BehaviourName(Behaviour behaviour);

struct Customer {
  Timestamp registered_at = 0;
  float activity = 0;           // expected orders per ordinary day
  float cod_share = 0;          // probability of choosing cash on delivery
  float refusal_rate = 0;       // refusers and rings: chance of refusing a COD parcel
  float missed_cod_factor = 1;  // others: how often a COD parcel goes back, relative to
                                // people in the same kind of town (often away, short of cash)
  uint32_t home_pincode = 0;
  uint32_t office_pincode = 0;  // 0 when none; some orders go there
  uint32_t device = 0;          // 1-based device number
  uint32_t second_device = 0;   // 0 when none
  uint32_t ring = 0;            // 1-based ring number, 0 when not in a ring
  uint16_t city = 0;            // index into Cities()
  Behaviour behaviour = Behaviour::kOrdinary;
  PaymentMethod prepaid_method = PaymentMethod::kUpi;  // usual way to pay online
  Category favourite = Category::kFashion;
};

class CustomerPopulation {
 public:
  // `count` customers for the period [start, end). Many registered up to
  // four years before the start; the others, and all ring members, during it.
  static CustomerPopulation Generate(int64_t count, Timestamp start, Timestamp end, Rng& rng);

  std::span<const Customer> customers() const { return customers_; }
  const Customer& operator[](int64_t i) const { return customers_[i]; }
  int64_t size() const { return static_cast<int64_t>(customers_.size()); }
  uint32_t device_count() const { return device_count_; }

 private:
  std::vector<Customer> customers_;
  uint32_t device_count_ = 0;
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_CUSTOMER_POPULATION_H_
