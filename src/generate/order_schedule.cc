#include "generate/order_schedule.h"

#include <algorithm>

namespace vigil {
namespace {

// Relative checkout volume by IST hour.
constexpr double kCheckoutHourWeights[24] = {2.0, 1.0, 0.6, 0.4, 0.3, 0.5, 1.0, 2.0,
                                             3.0, 4.0, 5.0, 5.5, 6.0, 6.0, 5.5, 5.0,
                                             5.0, 5.5, 6.0, 7.0, 8.0, 8.5, 7.0, 4.0};
constexpr double kWardrobeOccasionBoost = 3.0;
constexpr double kFraudNightShare = 0.25;
constexpr int64_t kRingActiveSeconds = 21 * kSecondsPerDay;

bool OrdersAtNight(Behaviour b) {
  return b == Behaviour::kCodRefuser || b == Behaviour::kEmptyBoxFraud || b == Behaviour::kRing;
}

// Prefix sums of day weights: cumulative[d] is the weight of days [0, d).
class DayWeights {
 public:
  DayWeights(const DemandCurve& demand, bool wardrobe) : cumulative_(demand.days() + 1, 0.0) {
    for (int d = 0; d < demand.days(); ++d) {
      double w = demand.multiplier(d);
      if (wardrobe && demand.occasion_near(d)) w *= kWardrobeOccasionBoost;
      cumulative_[d + 1] = cumulative_[d] + w;
    }
  }
  // Weight of the period from `day` + `fraction` of it to the end.
  double From(int day, double fraction) const {
    return cumulative_.back() - cumulative_[day] -
           fraction * (cumulative_[day + 1] - cumulative_[day]);
  }
  // The day holding cumulative weight `w`.
  int DayAt(double w) const {
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), w);
    const int day = static_cast<int>(it - cumulative_.begin()) - 1;
    return std::clamp(day, 0, static_cast<int>(cumulative_.size()) - 2);
  }
  double total() const { return cumulative_.back(); }

 private:
  std::vector<double> cumulative_;
};

int64_t SecondOfDay(bool night_owl, Rng& rng) {
  const int hour = night_owl && rng.Chance(kFraudNightShare)
                       ? static_cast<int>(rng.Below(5))
                       : static_cast<int>(rng.Pick(kCheckoutHourWeights));
  return hour * kSecondsPerHour + static_cast<int64_t>(rng.Below(kSecondsPerHour));
}

class Scheduler {
 public:
  Scheduler(const DemandCurve& demand, Rng& rng)
      : demand_(demand),
        end_(demand.start() + demand.days() * kSecondsPerDay),
        ordinary_(demand, false),
        wardrobe_(demand, true),
        rng_(rng) {}

  void Schedule(const Customer& c, uint32_t number, std::vector<CheckoutSlot>* out) {
    const Timestamp active_from =
        std::max(demand_.start(), c.registered_at + 10 * kSecondsPerMinute);
    if (active_from >= end_) return;
    if (c.behaviour == Behaviour::kRing) return ScheduleRing(number, active_from, out);
    const DayWeights& weights = c.behaviour == Behaviour::kWardrober ? wardrobe_ : ordinary_;
    const int first_day = demand_.DayOf(active_from);
    const double fraction =
        static_cast<double>(active_from - demand_.start() - first_day * kSecondsPerDay) /
        kSecondsPerDay;
    const double remaining = weights.From(first_day, fraction);
    const int64_t count = rng_.Poisson(c.activity * remaining);
    for (int64_t i = 0; i < count; ++i) {
      const double w = weights.total() - remaining * rng_.Uniform();
      const int day = std::max(weights.DayAt(w), first_day);
      Timestamp at =
          demand_.start() + day * kSecondsPerDay + SecondOfDay(OrdersAtNight(c.behaviour), rng_);
      if (at < active_from)
        at = active_from + static_cast<int64_t>(rng_.Below(2 * kSecondsPerHour));
      out->push_back({std::min(at, end_ - 1), number});
    }
  }

 private:
  void ScheduleRing(uint32_t number, Timestamp from, std::vector<CheckoutSlot>* out) {
    const Timestamp to = std::min(end_, from + kRingActiveSeconds);
    const int64_t count = 2 + rng_.Poisson(2.0);
    for (int64_t i = 0; i < count; ++i) {
      const Timestamp at = from + static_cast<int64_t>(rng_.Uniform() * (to - from));
      out->push_back({at, number});
    }
  }

  const DemandCurve& demand_;
  Timestamp end_;
  DayWeights ordinary_;
  DayWeights wardrobe_;
  Rng& rng_;
};

}  // namespace

std::vector<CheckoutSlot> ScheduleCheckouts(const CustomerPopulation& population,
                                            const DemandCurve& demand, Rng& rng) {
  Scheduler scheduler(demand, rng);
  std::vector<CheckoutSlot> slots;
  for (int64_t i = 0; i < population.size(); ++i) {
    scheduler.Schedule(population[i], static_cast<uint32_t>(i), &slots);
  }
  std::sort(slots.begin(), slots.end());
  return slots;
}

}  // namespace vigil
