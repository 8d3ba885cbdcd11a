#include "generate/festival_schedule.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/time.h"

namespace vigil {
namespace {

int64_t Day(const char* date) { return *ParseTimestamp(date, 0) / kSecondsPerDay; }

const ScheduledFestival* Find(const FestivalSchedule& calendar, std::string_view name, int year) {
  for (const ScheduledFestival& w : calendar.windows()) {
    if (w.name == name && CivilFromDays(w.first_day).year == year) return &w;
  }
  return nullptr;
}

TEST(FestivalCalendarTest, EmbeddedCalendarIsTheShippedFile) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/data/external/festivals.csv");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(EmbeddedFestivalCsv(), text.str());
}

TEST(FestivalCalendarTest, EmbeddedCalendarHasTheBigFestivalsEveryYear) {
  auto calendar = FestivalSchedule::Embedded();
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  for (int year = 2024; year <= 2027; ++year) {
    for (const char* name :
         {"Diwali", "Navratri", "Dussehra", "Holi", "Eid al-Fitr", "Raksha Bandhan", "Christmas",
          "Republic Day Sale", "Independence Day Sale", "Festive season sales"}) {
      EXPECT_NE(Find(*calendar, name, year), nullptr) << name << " " << year;
    }
  }
}

TEST(FestivalCalendarTest, Diwali2025RunsFromDhanterasToBhaiDooj) {
  auto calendar = FestivalSchedule::Embedded();
  ASSERT_TRUE(calendar.ok());
  const ScheduledFestival* diwali = Find(*calendar, "Diwali", 2025);
  ASSERT_NE(diwali, nullptr);
  EXPECT_EQ(diwali->first_day, Day("2025-10-18"));
  EXPECT_EQ(diwali->last_day, Day("2025-10-22"));
  EXPECT_EQ(diwali->kind, FestivalKind::kFestival);
  const ScheduledFestival* navratri = Find(*calendar, "Navratri", 2025);
  ASSERT_NE(navratri, nullptr);
  EXPECT_EQ(navratri->last_day - navratri->first_day, 8);  // nine nights
  const ScheduledFestival* season = Find(*calendar, "Festive season sales", 2025);
  ASSERT_NE(season, nullptr);
  EXPECT_EQ(season->kind, FestivalKind::kSale);
  EXPECT_EQ(season->first_day, Day("2025-09-12"));
  EXPECT_EQ(season->last_day, Day("2025-10-22"));
}

TEST(FestivalCalendarTest, ParsesQuotedFieldsAndColumnsInAnyOrder) {
  auto calendar = FestivalSchedule::Parse(
      "kind,end_date,name,start_date\r\nsale,2025-01-21,\"Sale, big\",2025-01-14\r\n");
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  ASSERT_EQ(calendar->windows().size(), 1u);
  EXPECT_EQ(calendar->windows()[0].name, "Sale, big");
  EXPECT_EQ(calendar->windows()[0].first_day, Day("2025-01-14"));
  EXPECT_EQ(calendar->windows()[0].last_day, Day("2025-01-21"));
  EXPECT_EQ(calendar->windows()[0].kind, FestivalKind::kSale);
}

TEST(FestivalCalendarTest, RejectsBadRowsWithTheirLine) {
  const std::string header = "name,start_date,end_date,kind\n";
  EXPECT_EQ(
      FestivalSchedule::Parse(header + "Holi,2025-03-13,2025-03-14,party\n").status().message(),
      "festival calendar line 2: kind 'party' is not festival or sale");
  EXPECT_EQ(
      FestivalSchedule::Parse(header + "Holi,2025-03-15,2025-03-14,festival\n").status().message(),
      "festival calendar line 2: end_date is before start_date");
  EXPECT_EQ(FestivalSchedule::Parse(header + "\nHoli,13/03/2025,2025-03-14,festival\n")
                .status()
                .message(),
            "festival calendar line 3: start_date '13/03/2025' is not YYYY-MM-DD");
  EXPECT_EQ(FestivalSchedule::Parse("name,start_date\n").status().message(),
            "festival calendar: header must name the columns name, start_date, end_date and kind");
  EXPECT_EQ(FestivalSchedule::Parse("").status().message(),
            "festival calendar: empty file, no header row");
  EXPECT_EQ(FestivalSchedule::Parse(header + "Holi,2025-03-13,2025-03-14,festival\n"
                                             "\"Diwali,2025-10-18,2025-10-23,festival\n")
                .status()
                .message()
                .substr(0, 44),
            "festival calendar line 3: unterminated quote");
}

TEST(FestivalCalendarTest, OverlappingKeepsWindowsTouchingTheRange) {
  auto calendar = FestivalSchedule::Parse(
      "name,start_date,end_date,kind\n"
      "A,2025-01-01,2025-01-05,festival\n"
      "B,2025-01-06,2025-01-06,festival\n"
      "C,2025-01-10,2025-01-12,sale\n");
  ASSERT_TRUE(calendar.ok());
  const auto hits = calendar->Overlapping(Day("2025-01-05"), Day("2025-01-10"));
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_TRUE(calendar->Overlapping(Day("2025-01-07"), Day("2025-01-09")).empty());
}

}  // namespace
}  // namespace vigil
