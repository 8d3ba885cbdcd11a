// FestivalSchedule: Indian festivals and big marketplace sale periods as
// dated windows (name, first and last day, festival or sale), read from
// CSV `name,start_date,end_date,kind[,basis]`. The shipped calendar for
// 2024-2027 (data/external/festivals.csv) is compiled into the library, so
// the generator needs no file at run time. Thread-safe as a value.
#ifndef VIGIL_GENERATE_FESTIVAL_SCHEDULE_H_
#define VIGIL_GENERATE_FESTIVAL_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigil {

enum class FestivalKind { kFestival, kSale };
std::string_view FestivalKindName(FestivalKind kind);  // "festival" / "sale"

struct ScheduledFestival {
  std::string name;
  int64_t first_day = 0;  // days since 1970-01-01 of the first (IST) calendar day
  int64_t last_day = 0;   // inclusive
  FestivalKind kind = FestivalKind::kFestival;
  std::string basis;  // where the dates come from; may be empty
};

// The text of data/external/festivals.csv as it was at build time.
std::string_view EmbeddedFestivalCsv();

class FestivalSchedule {
 public:
  // Parses CSV text with a header naming at least name, start_date, end_date
  // and kind. Errors give the line and what is wrong with it.
  [[nodiscard]] static StatusOr<FestivalSchedule> Parse(std::string_view csv_text);
  // The calendar compiled into the library.
  [[nodiscard]] static StatusOr<FestivalSchedule> Embedded();

  // In file order (the shipped file is sorted by start date).
  const std::vector<ScheduledFestival>& windows() const { return windows_; }
  // Windows with at least one day in [first_day, last_day].
  std::vector<ScheduledFestival> Overlapping(int64_t first_day, int64_t last_day) const;

 private:
  std::vector<ScheduledFestival> windows_;
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_FESTIVAL_SCHEDULE_H_
