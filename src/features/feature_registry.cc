#include "features/feature_registry.h"

#include <array>

namespace vigil {
namespace {

#define VIGIL_FEATURE_SPEC_(name, description, unit) FeatureSpec{#name, description, unit},
constexpr std::array kOrderSpecs = {VIGIL_CUSTOMER_FEATURES(VIGIL_FEATURE_SPEC_)
                                        VIGIL_ORDER_FEATURES(VIGIL_FEATURE_SPEC_)};
constexpr std::array kReturnSpecs = {VIGIL_CUSTOMER_FEATURES(VIGIL_FEATURE_SPEC_)
                                         VIGIL_RETURN_FEATURES(VIGIL_FEATURE_SPEC_)};
constexpr std::array kTransactionSpecs = {VIGIL_TRANSACTION_FEATURES(VIGIL_FEATURE_SPEC_)};
#undef VIGIL_FEATURE_SPEC_

static_assert(kOrderSpecs.size() == kOrderVectorSize);
static_assert(kReturnSpecs.size() == kReturnVectorSize);
static_assert(kTransactionSpecs.size() == kTransactionVectorSize);

}  // namespace

std::string_view DecisionKindName(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kOrder:
      return "order";
    case DecisionKind::kReturn:
      return "return";
    case DecisionKind::kTransaction:
      return "transaction";
  }
  return "order";
}

std::span<const FeatureSpec> FeatureSpecs(DecisionKind kind) {
  if (kind == DecisionKind::kOrder) return kOrderSpecs;
  if (kind == DecisionKind::kTransaction) return kTransactionSpecs;
  return kReturnSpecs;
}

std::vector<std::string> FeatureNames(DecisionKind kind) {
  std::vector<std::string> names;
  for (const FeatureSpec& spec : FeatureSpecs(kind)) names.emplace_back(spec.name);
  return names;
}

int FeatureIndex(DecisionKind kind, std::string_view name) {
  const auto specs = FeatureSpecs(kind);
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace vigil
