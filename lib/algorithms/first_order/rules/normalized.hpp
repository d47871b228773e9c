// Normalized step for generalized-smooth problems ("Generalized-Smooth
// Nonconvex Optimization is As Efficient As Smooth Nonconvex Optimization"),
// per point: x ← x + η d/‖d‖^β. β = 1 is normalized GD; the paper sets β
// from the smoothness exponent. A zero direction does not move.
#pragma once

#include <cmath>

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class NormalizedRule {
 public:
  static constexpr const char* kName = "normalized";
  static constexpr const char* kDescription =
      "normalized step: x <- x + step * d/|d|^power (per point)";
  static constexpr double kDefaultStepSize = 0.01;
  static constexpr const char* kStepSizeSource =
      "no paper default (theory: γ from L₀, L₁)";
  struct Settings {
    double power = 1.0;
    static void declare(ParamFields<Settings>& f) {
      f.real("power", &Settings::power,
             "β of ‖d‖^β (1: normalized GD; the paper derives β from the "
             "generalized-smoothness exponent)")
          .at_least(0)
          .at_most(1);
    }
  };
  explicit NormalizedRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    for (Index i = 0; i < x.rows(); ++i) {
      const double norm = d.row(i).norm();
      if (norm > 0) x.row(i) += (eta / std::pow(norm, s_.power)) * d.row(i);
    }
  }

 private:
  Settings s_;
};

}  // namespace vibench
