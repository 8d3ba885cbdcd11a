#include "decision/policy.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(Policy, MapsScoresToLevelsAtInclusiveThresholds) {
  const Policy policy;
  EXPECT_EQ(policy.Level(DecisionKind::kOrder, 0.0), RiskLevel::kLow);
  EXPECT_EQ(policy.Level(DecisionKind::kOrder, 0.35), RiskLevel::kMedium);
  EXPECT_EQ(policy.Level(DecisionKind::kOrder, 0.68), RiskLevel::kMedium);
  EXPECT_EQ(policy.Level(DecisionKind::kOrder, 0.70), RiskLevel::kHigh);
  EXPECT_EQ(policy.Level(DecisionKind::kReturn, 0.95), RiskLevel::kCritical);
}

TEST(Policy, RecommendsActionsPerKind) {
  const Policy policy;
  EXPECT_EQ(policy.Action(DecisionKind::kOrder, RiskLevel::kMedium, false), "otp_verification");
  EXPECT_EQ(policy.Action(DecisionKind::kOrder, RiskLevel::kHigh, true), "prepaid_only");
  EXPECT_EQ(policy.Action(DecisionKind::kOrder, RiskLevel::kHigh, false), "manual_review");
  EXPECT_EQ(policy.Action(DecisionKind::kOrder, RiskLevel::kCritical, true), "block");
  EXPECT_EQ(policy.Action(DecisionKind::kReturn, RiskLevel::kLow, false), "instant_refund");
  EXPECT_EQ(policy.Action(DecisionKind::kReturn, RiskLevel::kMedium, false), "pickup_qc");
  EXPECT_EQ(policy.Action(DecisionKind::kReturn, RiskLevel::kCritical, false), "deny");
  EXPECT_EQ(policy.Action(DecisionKind::kTransaction, RiskLevel::kLow, false), "approve");
  EXPECT_EQ(policy.Action(DecisionKind::kTransaction, RiskLevel::kMedium, false),
            "step_up_authentication");
  EXPECT_EQ(policy.Action(DecisionKind::kTransaction, RiskLevel::kCritical, false), "decline");
}

TEST(Policy, UsesConfiguredThresholds) {
  const Policy policy({0.1, 0.2, 0.3}, {0.5, 0.6, 0.7});
  EXPECT_EQ(policy.Level(DecisionKind::kOrder, 0.25), RiskLevel::kHigh);
  EXPECT_EQ(policy.Level(DecisionKind::kReturn, 0.25), RiskLevel::kLow);
  EXPECT_EQ(policy.ThresholdList(DecisionKind::kReturn)[2], 0.7);
}

}  // namespace
}  // namespace vigil
