// OrderSchedule: when each customer checks out during the period. Every
// customer orders as a Poisson process from registration on, at their own
// rate, lifted on festival and sale days by the demand curve and shaped over
// the day (evenings busy, nights quiet; fraudsters more often at night).
// Wardrobers crowd their orders before occasions; ring accounts order in
// the three weeks after they open. The result is sorted by time, so it can
// be simulated and written in one pass. Pure function of its inputs.
#ifndef VIGIL_GENERATE_ORDER_SCHEDULE_H_
#define VIGIL_GENERATE_ORDER_SCHEDULE_H_

#include <cstdint>
#include <vector>

#include "common/time.h"
#include "generate/customer_population.h"
#include "generate/demand_curve.h"
#include "generate/random.h"

namespace vigil {

struct CheckoutSlot {
  Timestamp at;
  uint32_t customer;  // 0-based customer number

  friend bool operator<(const CheckoutSlot& a, const CheckoutSlot& b) {
    return a.at != b.at ? a.at < b.at : a.customer < b.customer;
  }
};

// Checkouts in [demand.start(), demand.start() + demand.days() days), each
// after its customer registered, in time order.
std::vector<CheckoutSlot> ScheduleCheckouts(const CustomerPopulation& population,
                                            const DemandCurve& demand, Rng& rng);

}  // namespace vigil

#endif  // VIGIL_GENERATE_ORDER_SCHEDULE_H_
