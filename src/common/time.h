// Timestamps: seconds since the Unix epoch, UTC, as a plain int64.
// Parsing accepts the ISO-8601 forms of DESIGN.md ("2026-10-20",
// "2026-10-20T10:30:00Z", "2026-10-20T10:30:00+05:30", fractional seconds,
// a space instead of 'T'). A timestamp without a zone is read in the zone
// given by `default_offset_seconds` (IST by default: the marketplace's clock).
// All functions are pure and thread-safe.
#ifndef VIGIL_COMMON_TIME_H_
#define VIGIL_COMMON_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

using Timestamp = int64_t;  // seconds since 1970-01-01T00:00:00Z

inline constexpr int64_t kSecondsPerMinute = 60;
inline constexpr int64_t kSecondsPerHour = 3600;
inline constexpr int64_t kSecondsPerDay = 86400;
inline constexpr Timestamp kDay = kSecondsPerDay;  // as a span of Timestamps
inline constexpr int32_t kIstOffsetSeconds = 5 * 3600 + 30 * 60;

// a / b rounded toward negative infinity (b != 0).
int64_t FloorDiv(int64_t a, int64_t b);
// The start of the `bucket_seconds`-long bucket holding `t`, buckets aligned
// to the epoch (t itself when it is a boundary; also before 1970).
Timestamp StartOfBucket(Timestamp t, int64_t bucket_seconds);

// Of the proleptic Gregorian calendar; `month` is 1..12.
bool IsLeapYear(int year);
unsigned DaysInMonth(int year, unsigned month);

// Days since 1970-01-01 of a proleptic Gregorian date (negative before it).
int64_t DaysFromCivil(int year, unsigned month, unsigned day);

struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate CivilFromDays(int64_t days);

// Parses an ISO-8601 date or date-time. Errors name what is wrong.
[[nodiscard]] StatusOr<Timestamp> ParseTimestamp(
    std::string_view text, int32_t default_offset_seconds = kIstOffsetSeconds);

// "2026-10-20T05:00:00Z".
// The wall clock now, in whole seconds.
Timestamp NowSeconds();

std::string FormatTimestamp(Timestamp t);
// "2026-10-20T10:30:00+05:30": the instant shown in the given zone.
std::string FormatTimestampWithOffset(Timestamp t, int32_t offset_seconds);
// "2026-10-20": the UTC date of `t` shifted by `offset_seconds`.
std::string FormatDate(Timestamp t, int32_t offset_seconds = 0);

// Local hour (0-23) and ISO weekday (0 = Monday ... 6 = Sunday) at an offset.
int LocalHour(Timestamp t, int32_t offset_seconds = kIstOffsetSeconds);
int LocalWeekday(Timestamp t, int32_t offset_seconds = kIstOffsetSeconds);

}  // namespace vigil

#endif  // VIGIL_COMMON_TIME_H_
