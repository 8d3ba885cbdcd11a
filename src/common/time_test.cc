#include "common/time.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(ParseTimestamp, ReadsUtcZuluTime) {
  EXPECT_EQ(ParseTimestamp("1970-01-02T00:00:00Z").value(), 86400);
}

TEST(ParseTimestamp, AppliesExplicitOffset) {
  // 10:30 in India is 05:00 UTC.
  EXPECT_EQ(ParseTimestamp("2026-10-20T10:30:00+05:30").value(),
            ParseTimestamp("2026-10-20T05:00:00Z").value());
  EXPECT_EQ(ParseTimestamp("2026-10-20T10:30:00+0530").value(),
            ParseTimestamp("2026-10-20T05:00:00Z").value());
  EXPECT_EQ(ParseTimestamp("2026-10-20T00:00:00-02:00").value(),
            ParseTimestamp("2026-10-20T02:00:00Z").value());
}

TEST(ParseTimestamp, ReadsZonelessTextInDefaultZone) {
  EXPECT_EQ(ParseTimestamp("2026-10-20 10:30:00").value(),
            ParseTimestamp("2026-10-20T05:00:00Z").value());
  EXPECT_EQ(ParseTimestamp("2026-10-20T10:30", 0).value(),
            ParseTimestamp("2026-10-20T10:30:00Z").value());
  EXPECT_EQ(ParseTimestamp("2026-10-20", 0).value(), DaysFromCivil(2026, 10, 20) * 86400);
}

TEST(ParseTimestamp, TruncatesFractionalSeconds) {
  EXPECT_EQ(ParseTimestamp("2026-10-20T05:00:00.987Z").value(),
            ParseTimestamp("2026-10-20T05:00:00Z").value());
}

TEST(ParseTimestamp, AgreesWithAbseilOnManyInstants) {
  for (int64_t t = -86400LL * 400; t < 86400LL * 365 * 80; t += 7777777) {
    const absl::Time at = absl::FromUnixSeconds(t);
    const std::string text =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", at, absl::FixedTimeZone(19800));
    ASSERT_EQ(ParseTimestamp(text).value(), t) << text;
    ASSERT_EQ(FormatTimestamp(t), absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone()));
  }
}

TEST(ParseTimestamp, RejectsMalformedText) {
  for (const char* bad :
       {"", "2026-13-01", "2026-02-30", "2026/10/20", "2026-10-20X10:00", "2026-10-20T25:00:00Z",
        "2026-10-20T10:00:00+5", "2026-10-20T10:00:00Zjunk", "yesterday"}) {
    const auto parsed = ParseTimestamp(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_NE(ParseTimestamp("2026-02-30").status().message().find("day out of range"),
            std::string::npos);
}

TEST(ParseTimestamp, AcceptsLeapDay) {
  EXPECT_TRUE(ParseTimestamp("2024-02-29").ok());
  EXPECT_FALSE(ParseTimestamp("2025-02-29").ok());
}

TEST(LocalCalendar, GivesIndianHourAndWeekday) {
  const Timestamp t = ParseTimestamp("2026-11-22T23:45:00+05:30").value();  // a Sunday
  EXPECT_EQ(LocalHour(t), 23);
  EXPECT_EQ(LocalWeekday(t), 6);
  EXPECT_EQ(LocalHour(t, 0), 18);
  EXPECT_EQ(FormatDate(t, kIstOffsetSeconds), "2026-11-22");
  EXPECT_EQ(FormatTimestampWithOffset(t, kIstOffsetSeconds), "2026-11-22T23:45:00+05:30");
}

}  // namespace
TEST(TimeTest, StartOfBucketRoundsDownAlsoBeforeTheEpoch) {
  EXPECT_EQ(StartOfBucket(1'760'918'459, 60), 1'760'918'400);
  EXPECT_EQ(StartOfBucket(1'760'918'400, 900), 1'760'918'400);
  EXPECT_EQ(StartOfBucket(-1, 60), -60);
  EXPECT_EQ(StartOfBucket(-60, 60), -60);
  EXPECT_EQ(FloorDiv(-7, 2), -4);
}

}  // namespace vigil
