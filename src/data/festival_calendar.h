// FestivalCalendar: festival and sale windows (external/festivals.csv), and
// the questions features ask of them: is this moment inside a festival or a
// sale, and how many days until the next one starts. Immutable after
// loading; thread-safe for reads.
#ifndef VIGIL_DATA_FESTIVAL_CALENDAR_H_
#define VIGIL_DATA_FESTIVAL_CALENDAR_H_

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "data/load_report.h"

namespace vigil {

struct FestivalWindow {
  std::string name;
  Timestamp start = 0;  // first instant of start_date (IST)
  Timestamp end = 0;    // last instant of end_date (IST)
  bool is_sale = false;
};

class FestivalCalendar {
 public:
  // Reads name,start_date,end_date[,kind] rows; bad rows go to `report`.
  [[nodiscard]] static StatusOr<FestivalCalendar> Load(const std::string& path, LoadReport* report);
  void Add(FestivalWindow window);

  bool empty() const { return windows_.empty(); }
  const std::vector<FestivalWindow>& windows() const { return windows_; }

  // The window (festival or sale, as asked) containing `t`, or nullptr.
  const FestivalWindow* Containing(Timestamp t, bool sale) const;
  // Days from `t` until the next festival starts (0 inside one); NaN when
  // the calendar has none after `t`.
  float DaysToNextFestival(Timestamp t) const;
  // Days since the most recent festival ended (0 inside one); NaN if none.
  float DaysSinceFestival(Timestamp t) const;
  // The start of the calendar's last festival (sales aside), 0 when it has
  // none: after it, DaysToNextFestival is NaN for every order.
  Timestamp LastFestivalStart() const;

 private:
  std::vector<FestivalWindow> windows_;  // sorted by start
};

}  // namespace vigil

#endif  // VIGIL_DATA_FESTIVAL_CALENDAR_H_
