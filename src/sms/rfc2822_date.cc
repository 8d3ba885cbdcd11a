#include "sms/rfc2822_date.h"

#include <array>
#include <cctype>
#include <optional>

#include "common/ascii.h"
#include "common/utf8_prefix.h"
#include "fmt/format.h"

namespace vigil {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};

Status MalformedDate(std::string_view text, std::string_view what) {
  return absl::InvalidArgumentError(
      fmt::format("bad RFC 2822 date '{}': {} (want e.g. 'Wed, 18 Aug 2010 20:01:40 +0000')",
                  Utf8Prefix(text, 40), what));
}

// A cursor over the text: each Read consumes what it returns.
class Reader {
 public:
  explicit Reader(std::string_view text) : rest_(text) {}

  bool done() const { return rest_.empty(); }

  void SkipSpaces() {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
  }

  // `min_digits` to `max_digits` digits.
  std::optional<int> Number(size_t min_digits, size_t max_digits) {
    size_t n = 0;
    int value = 0;
    while (n < rest_.size() && n < max_digits &&
           std::isdigit(static_cast<unsigned char>(rest_[n]))) {
      value = value * 10 + (rest_[n] - '0');
      ++n;
    }
    if (n < min_digits) return std::nullopt;
    rest_.remove_prefix(n);
    return value;
  }

  std::string_view Word() {
    size_t n = 0;
    while (n < rest_.size() && std::isalpha(static_cast<unsigned char>(rest_[n]))) ++n;
    const std::string_view word = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return word;
  }

  bool Char(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }

  std::optional<char> Sign() {
    if (rest_.empty() || (rest_.front() != '+' && rest_.front() != '-')) return std::nullopt;
    const char sign = rest_.front();
    rest_.remove_prefix(1);
    return sign;
  }

 private:
  std::string_view rest_;
};

std::optional<unsigned> MonthNumber(std::string_view name) {
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (EqualsIgnoreCase(name, kMonths[i])) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

// The zone's offset east of UTC in seconds.
std::optional<int> ZoneOffset(Reader& in) {
  if (const std::optional<char> sign = in.Sign()) {
    const std::optional<int> hhmm = in.Number(4, 4);
    if (!hhmm || *hhmm % 100 >= 60) return std::nullopt;
    const int seconds = (*hhmm / 100) * 3600 + (*hhmm % 100) * 60;
    return *sign == '-' ? -seconds : seconds;
  }
  const std::string_view name = in.Word();
  if (EqualsIgnoreCase(name, "UT") || EqualsIgnoreCase(name, "UTC") ||
      EqualsIgnoreCase(name, "GMT") || EqualsIgnoreCase(name, "Z")) {
    return 0;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Timestamp> ParseRfc2822Date(std::string_view text) {
  Reader in(text);
  in.SkipSpaces();
  {
    // An optional day of the week, then a comma.
    Reader peek = in;
    if (!peek.Word().empty()) {
      peek.SkipSpaces();
      if (!peek.Char(',')) return MalformedDate(text, "day of the week without a comma");
      in = peek;
      in.SkipSpaces();
    }
  }
  const std::optional<int> day = in.Number(1, 2);
  in.SkipSpaces();
  const std::optional<unsigned> month = MonthNumber(in.Word());
  in.SkipSpaces();
  const std::optional<int> year = in.Number(4, 4);
  if (!day || !month || !year) return MalformedDate(text, "date is not 'D Mon YYYY'");
  if (*day < 1 || static_cast<unsigned>(*day) > DaysInMonth(*year, *month)) {
    return MalformedDate(text, "day out of range");
  }
  in.SkipSpaces();
  const std::optional<int> hour = in.Number(2, 2);
  const bool colon1 = in.Char(':');
  const std::optional<int> minute = in.Number(2, 2);
  const bool colon2 = in.Char(':');
  const std::optional<int> second = in.Number(2, 2);
  if (!hour || !colon1 || !minute || !colon2 || !second) {
    return MalformedDate(text, "time is not HH:MM:SS");
  }
  if (*hour > 23 || *minute > 59 || *second > 60) return MalformedDate(text, "time out of range");
  in.SkipSpaces();
  const std::optional<int> offset = ZoneOffset(in);
  if (!offset) return MalformedDate(text, "zone is not +hhmm, -hhmm, UT, UTC, GMT or Z");
  in.SkipSpaces();
  if (!in.done()) return MalformedDate(text, "text after the zone");
  return DaysFromCivil(*year, *month, static_cast<unsigned>(*day)) * kSecondsPerDay +
         *hour * kSecondsPerHour + *minute * kSecondsPerMinute + *second - *offset;
}

std::string FormatRfc2822Date(Timestamp t) {
  const int64_t days = t >= 0 ? t / kSecondsPerDay : (t - kSecondsPerDay + 1) / kSecondsPerDay;
  const int64_t seconds = t - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  const int64_t weekday = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kWeekdays[weekday], date.day,
                     kMonths[date.month - 1], date.year, seconds / 3600, seconds / 60 % 60,
                     seconds % 60);
}

}  // namespace vigil
