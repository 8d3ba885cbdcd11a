#include "generate/demand_curve.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace vigil {
namespace {

class DemandCurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto calendar = FestivalSchedule::Embedded();
    ASSERT_TRUE(calendar.ok());
    start_ = *ParseTimestamp("2025-07-15");
    curve_ = std::make_unique<DemandCurve>(*calendar, start_, 120);
  }
  int DayOf(const char* date) const { return curve_->DayOf(*ParseTimestamp(date)); }

  Timestamp start_ = 0;
  std::unique_ptr<DemandCurve> curve_;
};

TEST_F(DemandCurveTest, OrdinaryWeekdayIsOneAndWeekendSlightlyBusier) {
  EXPECT_DOUBLE_EQ(curve_->multiplier(DayOf("2025-07-15")), 1.0);   // a Tuesday in July
  EXPECT_DOUBLE_EQ(curve_->multiplier(DayOf("2025-07-19")), 1.08);  // Saturday
  EXPECT_FALSE(curve_->in_sale(DayOf("2025-07-15")));
}

TEST_F(DemandCurveTest, SalesAndTheRunUpToDiwaliSurge) {
  EXPECT_DOUBLE_EQ(curve_->multiplier(DayOf("2025-08-05")), 2.0);  // Independence Day sale
  EXPECT_TRUE(curve_->in_sale(DayOf("2025-08-05")));
  EXPECT_DOUBLE_EQ(curve_->multiplier(DayOf("2025-09-23")), 2.8);  // festive sale opening week
  EXPECT_DOUBLE_EQ(curve_->multiplier(DayOf("2025-10-14")), 2.2);  // the week before Diwali
  EXPECT_DOUBLE_EQ(curve_->multiplier(DayOf("2025-10-20")), 2.4);  // Diwali, a Monday
  for (int d = 0; d < curve_->days(); ++d) {
    ASSERT_GE(curve_->multiplier(d), 1.0);
    ASSERT_LE(curve_->multiplier(d), 3.0);
  }
}

TEST_F(DemandCurveTest, OccasionsAreNearBeforeBigFestivalsOnly) {
  EXPECT_TRUE(curve_->occasion_near(DayOf("2025-10-10")));  // Karwa Chauth, Diwali ahead
  EXPECT_TRUE(curve_->occasion_near(DayOf("2025-07-31")));  // 9 days before Raksha Bandhan
  EXPECT_FALSE(curve_->occasion_near(DayOf("2025-07-20")));
  EXPECT_FALSE(curve_->occasion_near(DayOf("2025-11-10")));
}

TEST_F(DemandCurveTest, DayOfClampsToThePeriod) {
  EXPECT_EQ(curve_->DayOf(start_ - 5), 0);
  EXPECT_EQ(curve_->DayOf(start_ + 500 * kSecondsPerDay), 119);
  EXPECT_EQ(DayOf("2025-07-16T23:59:00+05:30"), 1);
}

}  // namespace
}  // namespace vigil
