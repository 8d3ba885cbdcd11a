// Internal to the feature engines: their state lives in vectors indexed by
// the catalog's dense ids, grown on first write, and a feature that cannot
// be computed (a ratio over nothing) is missing, which XGBoost reads as NaN.
#ifndef VIGIL_FEATURES_STATE_VECTORS_H_
#define VIGIL_FEATURES_STATE_VECTORS_H_

#include <cmath>
#include <cstdint>
#include <vector>

namespace vigil::feature_internal {

inline constexpr float kMissing = NAN;

// The element for `id`, default-constructed if the vector was shorter.
template <typename T>
T& Grow(std::vector<T>& v, uint32_t id) {
  if (id >= v.size()) v.resize(static_cast<size_t>(id) + 1);
  return v[id];
}

// num / den, or kMissing when there is nothing to divide by.
inline float Ratio(double num, double den) {
  return den > 0 ? static_cast<float>(num / den) : kMissing;
}

}  // namespace vigil::feature_internal

#endif  // VIGIL_FEATURES_STATE_VECTORS_H_
