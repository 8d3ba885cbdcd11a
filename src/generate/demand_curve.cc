#include "generate/demand_curve.h"

#include <algorithm>
#include <string_view>

namespace vigil {
namespace {

// How a calendar window moves demand: `during` inside the window, `before`
// on the `lead_days` days before it (gift and outfit shopping). `occasion`
// marks festivals people dress up for.
struct Surge {
  std::string_view name;
  double during;
  double before;
  int lead_days;
  bool occasion;
};

constexpr Surge kSurges[] = {
    {"Festive sale opening week", 2.8, 1.0, 0, false},
    {"Festive season sales", 1.5, 1.0, 0, false},
    {"Republic Day Sale", 2.0, 1.0, 0, false},
    {"Independence Day Sale", 2.0, 1.0, 0, false},
    {"End of Season Sale (summer)", 1.6, 1.0, 0, false},
    {"End of Season Sale (winter)", 1.6, 1.0, 0, false},
    {"Diwali", 2.4, 2.2, 7, true},
    {"Navratri", 1.3, 1.3, 3, true},
    {"Durga Puja", 1.3, 1.2, 3, true},
    {"Dussehra", 1.2, 1.0, 0, false},
    {"Karwa Chauth", 1.2, 1.4, 3, true},
    {"Raksha Bandhan", 1.2, 1.5, 5, true},
    {"Eid al-Fitr", 1.2, 1.4, 5, true},
    {"Eid al-Adha (Bakrid)", 1.1, 1.2, 3, true},
    {"Christmas", 1.2, 1.3, 5, true},
    {"Onam", 1.3, 1.3, 3, true},
    {"Ganesh Chaturthi", 1.2, 1.3, 3, true},
    {"Pongal / Makar Sankranti", 1.2, 1.2, 3, true},
    {"Holi", 1.1, 1.2, 3, false},
    {"Chhath Puja", 1.1, 1.2, 3, false},
};
constexpr Surge kOtherFestival = {"", 1.1, 1.0, 0, false};
constexpr Surge kOtherSale = {"", 1.8, 1.0, 0, false};
constexpr double kWeekendFactor = 1.08;
constexpr double kMaxMultiplier = 3.0;

const Surge& SurgeFor(const ScheduledFestival& w) {
  for (const Surge& s : kSurges) {
    if (s.name == w.name) return s;
  }
  return w.kind == FestivalKind::kSale ? kOtherSale : kOtherFestival;
}

}  // namespace

DemandCurve::DemandCurve(const FestivalSchedule& calendar, Timestamp start, int days)
    : start_(start), multiplier_(days, 1.0), occasion_near_(days, 0), in_sale_(days, 0) {
  const int64_t first_day = (start + kIstOffsetSeconds) / kSecondsPerDay;
  for (const ScheduledFestival& w : calendar.windows()) {
    const Surge& surge = SurgeFor(w);
    const int64_t lead = std::max(surge.lead_days, surge.occasion ? kOccasionLeadDays : 0);
    const int from = static_cast<int>(std::max<int64_t>(0, w.first_day - lead - first_day));
    const int to = static_cast<int>(std::min<int64_t>(days - 1, w.last_day - first_day));
    for (int d = from; d <= to; ++d) {
      const int64_t day = first_day + d;
      const bool during = day >= w.first_day;
      const bool in_lead = !during && day >= w.first_day - surge.lead_days;
      if (during) multiplier_[d] = std::max(multiplier_[d], surge.during);
      if (in_lead) multiplier_[d] = std::max(multiplier_[d], surge.before);
      if (surge.occasion) occasion_near_[d] = 1;
      if (during && w.kind == FestivalKind::kSale) in_sale_[d] = 1;
    }
  }
  for (int d = 0; d < days; ++d) {
    if (LocalWeekday(start + d * kSecondsPerDay) >= 5) multiplier_[d] *= kWeekendFactor;
    multiplier_[d] = std::min(multiplier_[d], kMaxMultiplier);
  }
}

int DemandCurve::DayOf(Timestamp t) const {
  const int64_t d = (t - start_) / kSecondsPerDay;
  return static_cast<int>(std::clamp<int64_t>(d, 0, days() - 1));
}

}  // namespace vigil
