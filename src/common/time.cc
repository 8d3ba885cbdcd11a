#include "common/time.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "common/utf8_prefix.h"
#include "fmt/format.h"

namespace vigil {
namespace {

// Reads exactly `width` digits at `pos`; returns -1 when they are not digits.
int ReadDigits(std::string_view s, size_t pos, size_t width) {
  if (pos + width > s.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

Status MalformedTimestamp(std::string_view text, std::string_view what) {
  return absl::InvalidArgumentError(
      fmt::format("bad timestamp '{}': {} (want ISO-8601, e.g. 2026-10-20T10:30:00+05:30)",
                  Utf8Prefix(text, 40), what));
}

}  // namespace

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Timestamp StartOfBucket(Timestamp t, int64_t bucket_seconds) {
  return FloorDiv(t, bucket_seconds) * bucket_seconds;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  const int64_t y = static_cast<int64_t>(year) - (month <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const unsigned d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

StatusOr<Timestamp> ParseTimestamp(std::string_view s, int32_t default_offset_seconds) {
  const std::string_view text = s;
  if (s.size() < 10) return MalformedTimestamp(text, "too short");
  const int year = ReadDigits(s, 0, 4);
  const int month = ReadDigits(s, 5, 2);
  const int day = ReadDigits(s, 8, 2);
  if (year < 0 || month < 0 || day < 0 || s[4] != '-' || s[7] != '-') {
    return MalformedTimestamp(text, "date is not YYYY-MM-DD");
  }
  if (month < 1 || month > 12) return MalformedTimestamp(text, "month out of range");
  if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month)) {
    return MalformedTimestamp(text, "day out of range");
  }
  int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay;
  if (s.size() == 10) return seconds - default_offset_seconds;

  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
    return MalformedTimestamp(text, "expected 'T' after date");
  const int hour = ReadDigits(s, 11, 2);
  const int minute = ReadDigits(s, 14, 2);
  if (hour < 0 || minute < 0 || s.size() < 16 || s[13] != ':') {
    return MalformedTimestamp(text, "time is not HH:MM[:SS]");
  }
  size_t pos = 16;
  int second = 0;
  if (pos < s.size() && s[pos] == ':') {
    second = ReadDigits(s, pos + 1, 2);
    if (second < 0) return MalformedTimestamp(text, "seconds are not two digits");
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;  // Fractions of a second are accepted and truncated.
      const size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return MalformedTimestamp(text, "empty fraction of a second");
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return MalformedTimestamp(text, "time out of range");
  seconds += hour * kSecondsPerHour + minute * kSecondsPerMinute + second;

  if (pos == s.size()) return seconds - default_offset_seconds;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return seconds;
  if (s[pos] != '+' && s[pos] != '-')
    return MalformedTimestamp(text, "unexpected text after the time");
  const int sign = s[pos] == '-' ? -1 : 1;
  const int oh = ReadDigits(s, pos + 1, 2);
  size_t om_pos = pos + 3;
  if (om_pos < s.size() && s[om_pos] == ':') ++om_pos;
  const int om = om_pos == s.size() ? 0 : ReadDigits(s, om_pos, 2);
  const size_t end = om_pos == s.size() ? om_pos : om_pos + 2;
  if (oh < 0 || om < 0 || end != s.size() || oh > 14 || om > 59) {
    return MalformedTimestamp(text, "zone offset is not +HH:MM");
  }
  return seconds - sign * (oh * kSecondsPerHour + om * kSecondsPerMinute);
}

std::string FormatTimestampWithOffset(Timestamp t, int32_t offset_seconds) {
  const int64_t local = t + offset_seconds;
  const int64_t days = FloorDiv(local, kSecondsPerDay);
  const int64_t rem = local - days * kSecondsPerDay;
  const CivilDate d = CivilFromDays(days);
  std::string out = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", d.year, d.month, d.day,
                                rem / 3600, rem / 60 % 60, rem % 60);
  if (offset_seconds == 0) return out + "Z";
  const int32_t a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  return out +
         fmt::format("{}{:02d}:{:02d}", offset_seconds < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

Timestamp NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatTimestamp(Timestamp t) { return FormatTimestampWithOffset(t, 0); }

std::string FormatDate(Timestamp t, int32_t offset_seconds) {
  const CivilDate d = CivilFromDays(FloorDiv(t + offset_seconds, kSecondsPerDay));
  return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
}

int LocalHour(Timestamp t, int32_t offset_seconds) {
  const int64_t local = t + offset_seconds;
  return static_cast<int>((local - FloorDiv(local, kSecondsPerDay) * kSecondsPerDay) / 3600);
}

int LocalWeekday(Timestamp t, int32_t offset_seconds) {
  // 1970-01-01 was a Thursday (ISO weekday index 3).
  const int64_t days = FloorDiv(t + offset_seconds, kSecondsPerDay);
  return static_cast<int>(((days + 3) % 7 + 7) % 7);
}

}  // namespace vigil
