// Policy: how a calibrated risk score becomes a risk level and a recommended
// action, per decision kind. Thresholds are configuration; the defaults are
// documented in docs/decisions.md. Immutable after construction; thread-safe.
#ifndef VIGIL_DECISION_POLICY_H_
#define VIGIL_DECISION_POLICY_H_

#include <array>
#include <string_view>

#include "features/feature_registry.h"

namespace vigil {

enum class RiskLevel { kLow, kMedium, kHigh, kCritical };
std::string_view RiskLevelName(RiskLevel level);  // "low", "medium", "high", "critical"

// A score at or above a threshold reaches that level.
struct RiskThresholds {
  double medium = 0.35;
  double high = 0.70;
  double critical = 0.90;
};

class Policy {
 public:
  Policy() = default;
  Policy(RiskThresholds order, RiskThresholds ret) : order_(order), return_(ret) {}

  const RiskThresholds& thresholds(DecisionKind kind) const {
    return kind == DecisionKind::kOrder ? order_ : return_;
  }
  // The three thresholds, ascending: the points where precision and recall
  // are reported for a model of this kind.
  std::array<double, 3> ThresholdList(DecisionKind kind) const;

  RiskLevel Level(DecisionKind kind, double score) const;
  // Orders: allow, otp_verification, prepaid_only (high risk on cash on
  // delivery) or manual_review (high risk, prepaid), block.
  // Returns: instant_refund, pickup_qc, manual_review, deny.
  // Transactions (thresholds of returns): approve, step_up_authentication,
  // manual_review, decline.
  std::string_view Action(DecisionKind kind, RiskLevel level, bool cash_on_delivery) const;

 private:
  RiskThresholds order_;
  RiskThresholds return_;
};

}  // namespace vigil

#endif  // VIGIL_DECISION_POLICY_H_
