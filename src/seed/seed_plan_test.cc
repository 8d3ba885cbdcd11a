#include "seed/seed_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "seed/seed_test_dir.h"
#include "sms/phone.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using vigil::testing::kNow;

SeedPlan Plan(SeedOptions options, Timestamp now = kNow) {
  auto plan = PlanSeed(options, now);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *std::move(plan) : SeedPlan{};
}

TEST(SeedPlanTest, IsTheSameForTheSameSeedAndDiffersForAnother) {
  const SeedPlan a = Plan({.seed = 7});
  const SeedPlan b = Plan({.seed = 7});
  ASSERT_EQ(a.transactions.size(), 200u);
  EXPECT_EQ(a.accounts, b.accounts);
  for (size_t i = 0; i < a.transactions.size(); ++i) {
    EXPECT_EQ(a.transactions[i].record, b.transactions[i].record) << i;
    EXPECT_EQ(a.transactions[i].pattern, b.transactions[i].pattern) << i;
  }
  const SeedPlan c = Plan({.seed = 8});
  EXPECT_NE(a.accounts[0].name + a.accounts[1].name, c.accounts[0].name + c.accounts[1].name);
  EXPECT_NE(a.transactions[0].record.transaction_id, c.transactions[0].record.transaction_id);
}

TEST(SeedPlanTest, KeepsIdsAndRelativeTimesWhenRunLater) {
  const SeedPlan now = Plan({.seed = 3});
  const SeedPlan later = Plan({.seed = 3}, kNow + 3600);
  ASSERT_EQ(now.transactions.size(), later.transactions.size());
  for (size_t i = 0; i < now.transactions.size(); ++i) {
    EXPECT_EQ(now.transactions[i].record.transaction_id,
              later.transactions[i].record.transaction_id);
    EXPECT_EQ(now.transactions[i].record.amount, later.transactions[i].record.amount);
    EXPECT_EQ(now.transactions[i].record.created_at + 3600,
              later.transactions[i].record.created_at);
  }
}

TEST(SeedPlanTest, OtherOptionsGiveOtherTransactionIds) {
  const SeedPlan a = Plan({.transactions = 50, .seed = 3});
  const SeedPlan b = Plan({.transactions = 60, .seed = 3});
  const SeedPlan c = Plan({.accounts = 21, .transactions = 50, .seed = 3});
  EXPECT_NE(a.transactions[0].record.transaction_id, b.transactions[0].record.transaction_id);
  EXPECT_NE(a.transactions[0].record.transaction_id, c.transactions[0].record.transaction_id);
  EXPECT_THAT(a.transactions[0].record.transaction_id, StartsWith("txn_s3_"));
}

TEST(SeedPlanTest, PhonesAreDistinctValidE164IndianNumbers) {
  const SeedPlan plan = Plan({.accounts = 500, .transactions = 10});
  std::set<std::string> phones;
  for (const AccountRecord& a : plan.accounts) {
    EXPECT_TRUE(ValidateE164(a.phone).ok()) << a.phone << ": " << ValidateE164(a.phone);
    EXPECT_THAT(a.phone, StartsWith("+9100000"));
    EXPECT_EQ(a.phone.size(), 13u) << a.phone;  // +91 and a 10-digit national number
    phones.insert(a.phone);
  }
  EXPECT_EQ(phones.size(), 500u);
  EXPECT_TRUE(
      ValidateE164(Plan({.accounts = kMaxSeedAccounts, .transactions = 0}).accounts.back().phone)
          .ok());
}

TEST(SeedPlanTest, AccountsMixLanguagesAndIncludeBlockedAndOptedOutOnes) {
  const SeedPlan plan = Plan({});
  ASSERT_EQ(plan.accounts.size(), 20u);
  int hindi = 0, blocked = 0, opted_out = 0;
  std::set<std::string> ids;
  for (const AccountRecord& a : plan.accounts) {
    hindi += a.language == "hi";
    blocked += a.status == "blocked";
    opted_out += a.sms_opt_out;
    EXPECT_TRUE(a.language == "hi" || a.language == "en") << a.language;
    EXPECT_TRUE(a.status == "active" || a.status == "blocked") << a.status;
    EXPECT_FALSE(a.name.empty());
    EXPECT_EQ(a.created_at, kNow);
    ids.insert(a.user_id);
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_GE(hindi, 1);
  EXPECT_LT(hindi, 20);
  EXPECT_EQ(blocked, 2);
  EXPECT_EQ(opted_out, 1);
  // DESIGN.md's examples pay as user_001: an ordinary account.
  EXPECT_EQ(plan.accounts[0].user_id, "user_001");
  EXPECT_EQ(plan.accounts[0].status, "active");
  EXPECT_FALSE(plan.accounts[0].sms_opt_out);
}

TEST(SeedPlanTest, FewAccountsStillGetWhatTheyCan) {
  const SeedPlan one = Plan({.accounts = 1, .transactions = 5});
  EXPECT_EQ(one.accounts[0].status, "active");
  EXPECT_FALSE(one.accounts[0].sms_opt_out);
  for (const SeedTransaction& t : one.transactions) EXPECT_EQ(t.record.user_id, "user_001");
  const SeedPlan two = Plan({.accounts = 2, .transactions = 5});
  EXPECT_TRUE(two.accounts[0].language == "hi" || two.accounts[1].language == "hi");
}

TEST(SeedPlanTest, TransactionsAreRecentStrictlyIncreasingAndWithinTheApiLimits) {
  const SeedPlan plan = Plan({.transactions = 2000, .seed = 11, .fraud_share = 0.2});
  ASSERT_EQ(plan.transactions.size(), 2000u);
  std::set<std::string> ids, users;
  for (const AccountRecord& a : plan.accounts) users.insert(a.user_id);
  Timestamp previous = 0;
  for (const SeedTransaction& t : plan.transactions) {
    const TransactionRecord& r = t.record;
    EXPECT_GT(r.created_at, previous) << r.transaction_id;
    previous = r.created_at;
    EXPECT_GT(r.amount, 0);
    EXPECT_LE(r.amount, 1e7);
    EXPECT_EQ(r.currency, "INR");
    EXPECT_FALSE(r.merchant.empty());
    EXPECT_FALSE(r.location.empty());
    EXPECT_TRUE(users.contains(r.user_id)) << r.user_id;
    ids.insert(r.transaction_id);
  }
  EXPECT_EQ(ids.size(), plan.transactions.size());
  EXPECT_LE(plan.transactions.back().record.created_at, kNow);
  EXPECT_GE(plan.transactions.front().record.created_at, kNow - 6 * kSecondsPerHour - 60);
}

TEST(SeedPlanTest, FraudShareIsAboutWhatWasAsked) {
  for (double share : {0.0, 0.01, 0.05, 0.2, 0.5}) {
    const SeedPlan plan = Plan({.transactions = 1000, .seed = 5, .fraud_share = share});
    int64_t counted = 0;
    for (const SeedTransaction& t : plan.transactions) counted += t.fraud_like();
    EXPECT_EQ(counted, plan.fraud_like);
    EXPECT_NEAR(static_cast<double>(plan.fraud_like) / 1000, share, 0.005) << share;
  }
  // A small demo still shows one.
  EXPECT_EQ(Plan({.transactions = 5, .fraud_share = 0.05}).fraud_like, 1);
  EXPECT_EQ(Plan({.transactions = 5, .fraud_share = 1}).fraud_like, 5);
}

// What makes them look like fraud: far above the customer's usual, at a
// merchant they never used; card testing comes in a burst.
TEST(SeedPlanTest, FraudLikePaymentsBreakTheirCustomersHabits) {
  const SeedPlan plan = Plan({.transactions = 3000, .seed = 9, .fraud_share = 0.1});
  std::map<std::string, std::vector<const TransactionRecord*>> ordinary;
  for (const SeedTransaction& t : plan.transactions) {
    if (!t.fraud_like()) ordinary[t.record.user_id].push_back(&t.record);
  }
  std::set<FraudPattern> seen;
  for (size_t i = 0; i < plan.transactions.size(); ++i) {
    const SeedTransaction& t = plan.transactions[i];
    if (!t.fraud_like()) continue;
    seen.insert(t.pattern);
    std::vector<double> amounts;
    std::set<std::string> merchants;
    for (const TransactionRecord* r : ordinary[t.record.user_id]) {
      amounts.push_back(r->amount);
      merchants.insert(r->merchant);
    }
    ASSERT_FALSE(amounts.empty());
    std::sort(amounts.begin(), amounts.end());
    const double median = amounts[amounts.size() / 2];
    EXPECT_FALSE(merchants.contains(t.record.merchant)) << t.record.merchant;
    if (t.pattern == FraudPattern::kCardTesting && t.record.amount < 100) {
      // A test charge: another charge of the burst follows within a minute.
      bool followed = false;
      for (size_t j = i + 1; j < plan.transactions.size() && !followed; ++j) {
        const SeedTransaction& next = plan.transactions[j];
        if (next.record.created_at - t.record.created_at > 61) break;
        followed =
            next.pattern == FraudPattern::kCardTesting && next.record.user_id == t.record.user_id;
      }
      EXPECT_TRUE(followed) << t.record.transaction_id;
    } else {
      EXPECT_GT(t.record.amount, 3 * median) << t.record.transaction_id;
    }
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(SeedPlanTest, RejectsOptionsOutOfRangeNamingTheFlag) {
  EXPECT_EQ(PlanSeed({.accounts = 0}, kNow).status(),
            absl::InvalidArgumentError("--accounts 0: want 1 to 99999"));
  EXPECT_EQ(PlanSeed({.accounts = 100'000}, kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanSeed({.transactions = -1}, kNow).status(),
            absl::InvalidArgumentError("--transactions -1: want 0 to 1000000"));
  EXPECT_THAT(PlanSeed({.fraud_share = 1.5}, kNow).status().message(),
              HasSubstr("--fraud-share 1.5: want a share from 0 to 1"));
  EXPECT_FALSE(PlanSeed({.fraud_share = std::nan("")}, kNow).ok());
  EXPECT_TRUE(PlanSeed({.transactions = 0}, kNow).ok());
}

}  // namespace
}  // namespace vigil
