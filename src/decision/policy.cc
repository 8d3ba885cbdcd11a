#include "decision/policy.h"

namespace vigil {

std::string_view RiskLevelName(RiskLevel level) {
  switch (level) {
    case RiskLevel::kLow:
      return "low";
    case RiskLevel::kMedium:
      return "medium";
    case RiskLevel::kHigh:
      return "high";
    case RiskLevel::kCritical:
      return "critical";
  }
  return "low";
}

std::array<double, 3> Policy::ThresholdList(DecisionKind kind) const {
  const RiskThresholds& t = thresholds(kind);
  return {t.medium, t.high, t.critical};
}

RiskLevel Policy::Level(DecisionKind kind, double score) const {
  const RiskThresholds& t = thresholds(kind);
  if (score >= t.critical) return RiskLevel::kCritical;
  if (score >= t.high) return RiskLevel::kHigh;
  if (score >= t.medium) return RiskLevel::kMedium;
  return RiskLevel::kLow;
}

std::string_view Policy::Action(DecisionKind kind, RiskLevel level, bool cash_on_delivery) const {
  if (kind == DecisionKind::kOrder) {
    switch (level) {
      case RiskLevel::kLow:
        return "allow";
      case RiskLevel::kMedium:
        return "otp_verification";
      case RiskLevel::kHigh:
        return cash_on_delivery ? "prepaid_only" : "manual_review";
      case RiskLevel::kCritical:
        return "block";
    }
  }
  if (kind == DecisionKind::kTransaction) {
    switch (level) {
      case RiskLevel::kLow:
        return "approve";
      case RiskLevel::kMedium:
        return "step_up_authentication";
      case RiskLevel::kHigh:
        return "manual_review";
      case RiskLevel::kCritical:
        return "decline";
    }
  }
  switch (level) {
    case RiskLevel::kLow:
      return "instant_refund";
    case RiskLevel::kMedium:
      return "pickup_qc";
    case RiskLevel::kHigh:
      return "manual_review";
    case RiskLevel::kCritical:
      return "deny";
  }
  return "manual_review";
}

}  // namespace vigil
