#include "generate/payment_simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "generate/festival_schedule.h"
#include "generate/india_geography.h"

namespace vigil {
namespace {

// 20,000 customers over the 120 days from 2025-07-15 (through the festive
// season), simulated once for the tests that only read the payments.
class PaymentSimulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Timestamp start = *ParseTimestamp("2025-07-15");
    const FestivalSchedule calendar = FestivalSchedule::Embedded().value();
    demand_ = new DemandCurve(calendar, start, 120);
    Rng population_rng(3, 1);
    population_ = new CustomerPopulation(
        CustomerPopulation::Generate(20'000, start, start + 120 * kSecondsPerDay, population_rng));
    Rng rng(3, 2);
    payments_ = new SimulatedPayments(SimulatePayments(*population_, *demand_, rng));
  }
  static void TearDownTestSuite() {
    delete payments_;
    delete population_;
    delete demand_;
  }

  static int64_t Count(FraudScenario scenario) {
    return std::count_if(payments_->payments.begin(), payments_->payments.end(),
                         [&](const Payment& p) { return p.fraud == scenario; });
  }

  static inline DemandCurve* demand_;
  static inline CustomerPopulation* population_;
  static inline SimulatedPayments* payments_;
};

TEST_F(PaymentSimulatorTest, FraudShareIsLikeTheHandbooks) {
  const auto& payments = payments_->payments;
  // About ten payments per customer, fewer for those who registered late.
  EXPECT_GT(payments.size(), 6u * 20'000);
  EXPECT_LT(payments.size(), 14u * 20'000);
  EXPECT_EQ(payments_->frauds, Count(FraudScenario::kHighAmount) +
                                   Count(FraudScenario::kCompromisedMerchant) +
                                   Count(FraudScenario::kCompromisedCard));
  const double share = static_cast<double>(payments_->frauds) / payments.size();
  EXPECT_GE(share, 0.005);
  EXPECT_LE(share, 0.01);
}

TEST_F(PaymentSimulatorTest, EveryScenarioIsPresent) {
  // The handbook: 973, 9,077 and 4,631 of 1.75 M.
  const double n = static_cast<double>(payments_->payments.size());
  EXPECT_GT(Count(FraudScenario::kHighAmount) / n, 0.0001);
  EXPECT_GT(Count(FraudScenario::kCompromisedMerchant) / n, 0.002);
  EXPECT_GT(Count(FraudScenario::kCompromisedCard) / n, 0.001);
}

TEST_F(PaymentSimulatorTest, EveryPaymentAboveTheHighAmountIsFraud) {
  for (const Payment& p : payments_->payments) {
    if (p.amount_paise > kHighAmountPaise) {
      ASSERT_NE(p.fraud, FraudScenario::kNone);
    }
    if (p.fraud == FraudScenario::kHighAmount) {
      ASSERT_GT(p.amount_paise, kHighAmountPaise);
    }
  }
}

// Between a merchant's first and last compromised-merchant fraud, when they
// are less than 28 days apart (one window), every payment there is fraud.
TEST_F(PaymentSimulatorTest, CompromisedMerchantsTakeOnlyFraudWhileCompromised) {
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> compromised;  // first and last second
  for (const Payment& p : payments_->payments) {
    if (p.fraud != FraudScenario::kCompromisedMerchant) continue;
    auto [it, added] = compromised.try_emplace(p.merchant, p.second, p.second);
    it->second.second = p.second;
  }
  ASSERT_GT(compromised.size(), 10u);
  int64_t checked = 0;
  for (const Payment& p : payments_->payments) {
    const auto it = compromised.find(p.merchant);
    if (it == compromised.end() || p.second < it->second.first || p.second > it->second.second ||
        it->second.second - it->second.first >= kCompromisedMerchantDays * kSecondsPerDay) {
      continue;
    }
    ++checked;
    ASSERT_NE(p.fraud, FraudScenario::kNone) << payments_->merchants[p.merchant].name;
  }
  EXPECT_GT(checked, 500);
}

// A stolen card's frauds cost about five times what its owner usually pays,
// within two weeks.
TEST_F(PaymentSimulatorTest, CompromisedCardsPayFiveTimesTheirUsualAmount) {
  std::map<uint32_t, std::vector<double>> genuine;
  std::map<uint32_t, std::vector<const Payment*>> stolen;
  for (const Payment& p : payments_->payments) {
    if (p.fraud == FraudScenario::kNone) genuine[p.customer].push_back(p.amount_paise);
    if (p.fraud == FraudScenario::kCompromisedCard) stolen[p.customer].push_back(&p);
  }
  ASSERT_GT(stolen.size(), 50u);
  std::vector<double> ratios;
  for (const auto& [customer, frauds] : stolen) {
    std::vector<double>& amounts = genuine[customer];
    if (amounts.size() < 5) continue;
    std::nth_element(amounts.begin(), amounts.begin() + amounts.size() / 2, amounts.end());
    for (const Payment* p : frauds) ratios.push_back(p->amount_paise / amounts[amounts.size() / 2]);
  }
  ASSERT_GT(ratios.size(), 20u);
  std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
  EXPECT_GT(ratios[ratios.size() / 2], 3.0);
  EXPECT_LT(ratios[ratios.size() / 2], 8.0);
}

TEST_F(PaymentSimulatorTest, CustomersPayAtAFewUsualMerchantsInTheirCity) {
  std::map<uint32_t, std::map<uint32_t, int>> merchants_of;
  int64_t at_home = 0;
  for (const Payment& p : payments_->payments) {
    ++merchants_of[p.customer][p.merchant];
    at_home += p.city == (*population_)[p.customer].city;
    const PaymentMerchant& m = payments_->merchants[p.merchant];
    if (!m.online) {
      ASSERT_EQ(m.city, p.city) << m.name;
    }
  }
  EXPECT_GT(static_cast<double>(at_home) / payments_->payments.size(), 0.98);
  int64_t busy = 0, usual = 0, total = 0;
  for (const auto& [customer, counts] : merchants_of) {
    int n = 0;
    std::vector<int> sorted;
    for (const auto& [merchant, count] : counts) {
      sorted.push_back(count);
      n += count;
    }
    if (n < 20) continue;
    ++busy;
    std::sort(sorted.rbegin(), sorted.rend());
    for (size_t i = 0; i < std::min<size_t>(7, sorted.size()); ++i) usual += sorted[i];
    total += n;
  }
  ASSERT_GT(busy, 100);
  EXPECT_GT(static_cast<double>(usual) / total, 0.85);
}

TEST_F(PaymentSimulatorTest, PaymentsFollowRegistrationTimeAndFestivals) {
  const Timestamp start = demand_->start();
  std::vector<int64_t> per_day(demand_->days(), 0);
  uint32_t previous = 0;
  for (const Payment& p : payments_->payments) {
    ASSERT_GE(p.second, previous);
    previous = p.second;
    ASSERT_GT(start + p.second, (*population_)[p.customer].registered_at);
    ++per_day[p.second / kSecondsPerDay];
  }
  double busy = 0, quiet = 0;
  int busy_days = 0, quiet_days = 0;
  for (int d = 0; d < demand_->days(); ++d) {
    if (demand_->multiplier(d) >= 2) {
      busy += per_day[d];
      ++busy_days;
    } else if (demand_->multiplier(d) <= 1.05) {
      quiet += per_day[d];
      ++quiet_days;
    }
  }
  ASSERT_GT(busy_days, 0);
  ASSERT_GT(quiet_days, 0);
  EXPECT_GT(busy / busy_days, 1.3 * quiet / quiet_days);
}

TEST_F(PaymentSimulatorTest, MerchantNamesAreUnique) {
  std::set<std::string> names;
  for (const PaymentMerchant& m : payments_->merchants) {
    ASSERT_TRUE(names.insert(m.name).second) << m.name;
  }
  EXPECT_GT(names.size(), 2000u);
}

}  // namespace
}  // namespace vigil
