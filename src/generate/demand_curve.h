// DemandCurve: how busy each day of a generated period is, from the festival
// calendar. An ordinary weekday is 1; sale windows and the run-up to
// festivals surge (the festive sale opening week and the week before Diwali
// about 2.5-3x), weekends a little. Also tells whether a dressing-up occasion
// (Diwali, Navratri, Eid, a wedding-style festival ...) is under way or
// close, which is when wardrobers buy. Thread-safe as a value.
#ifndef VIGIL_GENERATE_DEMAND_CURVE_H_
#define VIGIL_GENERATE_DEMAND_CURVE_H_

#include <cstdint>
#include <vector>

#include "common/time.h"
#include "generate/festival_schedule.h"

namespace vigil {

class DemandCurve {
 public:
  // Days are counted from `start` (IST midnight of the first day).
  DemandCurve(const FestivalSchedule& calendar, Timestamp start, int days);

  int days() const { return static_cast<int>(multiplier_.size()); }
  Timestamp start() const { return start_; }
  // Relative order volume of day `day` (0-based); between 1 and 3.
  double multiplier(int day) const { return multiplier_[day]; }
  // A major festival is going on or begins within kOccasionLeadDays.
  bool occasion_near(int day) const { return occasion_near_[day] != 0; }
  // Some sale window covers the day (deeper discounts).
  bool in_sale(int day) const { return in_sale_[day] != 0; }
  // Day index of `t`, clamped to [0, days()).
  int DayOf(Timestamp t) const;

  static constexpr int kOccasionLeadDays = 10;

 private:
  Timestamp start_;
  std::vector<double> multiplier_;
  std::vector<uint8_t> occasion_near_;
  std::vector<uint8_t> in_sale_;
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_DEMAND_CURVE_H_
