#include "data/festival_calendar.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(FestivalCalendar, AnswersInsideAndDistanceQuestions) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "fest.csv").string();
  std::ofstream(path) << "name,start_date,end_date,kind\n"
                         "Diwali,2025-10-18,2025-10-22,festival\n"
                         "Big sale,2025-09-22,2025-10-02,sale\n"
                         "Broken,2025-13-01,2025-10-02,sale\n";
  LoadReport report;
  const FestivalCalendar calendar = FestivalCalendar::Load(path, &report).value();
  EXPECT_EQ(calendar.windows().size(), 2u);
  EXPECT_EQ(report.issue_count(), 1);
  const Timestamp sep30 = ParseTimestamp("2025-09-30T12:00:00+05:30").value();
  ASSERT_NE(calendar.Containing(sep30, true), nullptr);
  EXPECT_EQ(calendar.Containing(sep30, true)->name, "Big sale");
  EXPECT_EQ(calendar.Containing(sep30, false), nullptr);
  EXPECT_FLOAT_EQ(calendar.DaysToNextFestival(sep30), 17.5f);
  const Timestamp diwali = ParseTimestamp("2025-10-22T23:00:00+05:30").value();
  EXPECT_EQ(calendar.DaysToNextFestival(diwali), 0);
  EXPECT_TRUE(std::isnan(calendar.DaysToNextFestival(diwali + 10 * kSecondsPerDay)));
  EXPECT_NEAR(calendar.DaysSinceFestival(diwali + 2 * kSecondsPerDay), 1.958f,
              0.001f);  // ended 23:59:59
}

}  // namespace
}  // namespace vigil
