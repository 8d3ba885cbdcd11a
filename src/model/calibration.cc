#include "model/calibration.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace vigil {
namespace {

// -log P(target | z) for a soft target, computed without overflow.
double SoftLogLoss(double z, double target) {
  return std::log1p(std::exp(-std::fabs(z))) + std::max(z, 0.0) - target * z;
}

double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

struct PlattProblem {
  std::span<const float> margins;
  std::vector<double> targets;

  double Loss(double a, double b) const {
    double loss = 0;
    for (size_t i = 0; i < margins.size(); ++i) loss += SoftLogLoss(a * margins[i] + b, targets[i]);
    return loss;
  }
};

struct NewtonStep {
  double grad_a = 0, grad_b = 0, step_a = 0, step_b = 0;
};

// Gradient and Newton direction at (a, b); the small ridge keeps the
// Hessian invertible when margins are (nearly) constant.
NewtonStep ComputeStep(const PlattProblem& problem, double a, double b) {
  constexpr double kRidge = 1e-12;
  double h_aa = kRidge, h_ab = 0, h_bb = kRidge;
  NewtonStep s;
  for (size_t i = 0; i < problem.margins.size(); ++i) {
    const double m = problem.margins[i];
    const double p = Sigmoid(a * m + b);
    const double d = p - problem.targets[i];
    const double w = p * (1 - p);
    s.grad_a += d * m;
    s.grad_b += d;
    h_aa += w * m * m;
    h_ab += w * m;
    h_bb += w;
  }
  const double det = h_aa * h_bb - h_ab * h_ab;
  s.step_a = -(h_bb * s.grad_a - h_ab * s.grad_b) / det;
  s.step_b = -(-h_ab * s.grad_a + h_aa * s.grad_b) / det;
  return s;
}

}  // namespace

double Calibration::Apply(double margin) const { return Sigmoid(a * margin + b); }

nlohmann::json Calibration::ToJson() const { return {{"method", method}, {"a", a}, {"b", b}}; }

StatusOr<Calibration> Calibration::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("calibration must be a JSON object");
  Calibration c;
  auto method = json.find("method");
  if (method == json.end() || !method->is_string() || *method != "platt") {
    return absl::InvalidArgumentError("calibration.method must be \"platt\"");
  }
  for (auto [name, field] : {std::pair{"a", &c.a}, std::pair{"b", &c.b}}) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_number() || !std::isfinite(it->get<double>())) {
      return absl::InvalidArgumentError(
          fmt::format("calibration.{} must be a finite number", name));
    }
    *field = it->get<double>();
  }
  return c;
}

StatusOr<Calibration> FitPlatt(std::span<const float> margins, std::span<const float> labels) {
  if (margins.size() != labels.size()) {
    return absl::InvalidArgumentError(
        fmt::format("{} margins but {} labels", margins.size(), labels.size()));
  }
  double positives = 0;
  for (float y : labels) positives += y > 0.5f ? 1 : 0;
  const double negatives = static_cast<double>(labels.size()) - positives;
  if (positives == 0 || negatives == 0) {
    return absl::InvalidArgumentError(
        fmt::format("Platt scaling needs both classes; got {} positive and {} negative rows",
                    positives, negatives));
  }
  PlattProblem problem{margins, {}};
  const double hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2);
  for (float y : labels) problem.targets.push_back(y > 0.5f ? hi : lo);

  Calibration c;
  c.a = 0;
  c.b = std::log((positives + 1) / (negatives + 1));
  double loss = problem.Loss(c.a, c.b);
  for (int iteration = 0; iteration < 100; ++iteration) {
    const NewtonStep s = ComputeStep(problem, c.a, c.b);
    if (std::fabs(s.grad_a) < 1e-7 && std::fabs(s.grad_b) < 1e-7) break;
    const double slope = s.grad_a * s.step_a + s.grad_b * s.step_b;
    double step = 1;
    for (; step >= 1e-10; step /= 2) {
      const double new_loss = problem.Loss(c.a + step * s.step_a, c.b + step * s.step_b);
      if (new_loss <= loss + 1e-4 * step * slope) {
        loss = new_loss;
        break;
      }
    }
    if (step < 1e-10) break;  // no further decrease is possible in floating point
    c.a += step * s.step_a;
    c.b += step * s.step_b;
  }
  return c;
}

}  // namespace vigil
