// Calibration: turns a booster's raw margin (log-odds) into a calibrated
// probability with Platt scaling, p = 1 / (1 + exp(-(a * margin + b))).
// The trainer fits (a, b) on held-out margins, which undoes the bias that
// scale_pos_weight puts into the booster's own probabilities. A value type;
// const methods are thread-safe.
#ifndef VIGIL_MODEL_CALIBRATION_H_
#define VIGIL_MODEL_CALIBRATION_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "common/status.h"

namespace vigil {

struct Calibration {
  std::string method = "platt";
  double a = 1.0;  // the identity on the booster's own sigmoid by default
  double b = 0.0;

  // The calibrated probability of a raw margin, in (0, 1).
  double Apply(double margin) const;

  nlohmann::json ToJson() const;
  // Accepts {"method":"platt","a":<number>,"b":<number>}; errors name the
  // bad field.
  [[nodiscard]] static StatusOr<Calibration> FromJson(const nlohmann::json& json);
};

// Fits Platt scaling on (margin, label) pairs by Newton's method with a
// backtracking line search, using Platt's smoothed targets
// (N+ + 1) / (N+ + 2) and 1 / (N- + 2). Needs both labels present;
// otherwise InvalidArgument.
[[nodiscard]] StatusOr<Calibration> FitPlatt(std::span<const float> margins,
                                             std::span<const float> labels);

}  // namespace vigil

#endif  // VIGIL_MODEL_CALIBRATION_H_
