// DoG, "distance over gradients" (Ivgi, Hinder & Carmon, ICML 2023), per
// point with global norms, as the authors' code (formll/dog) does it:
//   r̄₀ = r_ε(1 + ‖x₀‖),  r̄ ← max(r̄, ‖x − x₀‖)
//   G ← G + ‖d‖²          (epsilon_placement "once": G₀ includes ε;
//                           "every_step": Optax's √(G + ε) at each step)
//   x ← x + η r̄/√G · d    η = 1 is the paper's rule (c = 1)
// The paper stresses the polynomially averaged iterate (γ = 8): ask the
// runner for it (suite "averaging": {"kind": "polynomial", "gamma": 8}).
#pragma once

#include <cmath>
#include <string>

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class DogRule {
 public:
  static constexpr const char* kName = "dog";
  static constexpr const char* kDescription =
      "DoG (Ivgi et al. 2023): x <- x + step * rbar/sqrt(sum |d|^2) * d, "
      "rbar the largest distance from x0 (per point, global norms)";
  static constexpr double kDefaultStepSize = 1.0;
  static constexpr const char* kStepSizeSource =
      "c = 1 of the paper (its rule has no step size)";
  struct Settings {
    double r_epsilon = 1e-6;
    double epsilon = 1e-8;
    std::string epsilon_placement = "once";
    static void declare(ParamFields<Settings>& f) {
      f.real("r_epsilon", &Settings::r_epsilon,
             "r_ε of the initial movement r̄₀ = r_ε(1 + ‖x₀‖) (authors' "
             "code: 1e-6; 1e-4 with batch norm)")
          .above(0);
      f.real("epsilon", &Settings::epsilon,
             "ε added to the sum of squared norms (authors' code: 1e-8)")
          .at_least(0);
      f.choice("epsilon_placement", &Settings::epsilon_placement,
               {"once", "every_step"},
               "once: G₀ = ‖d₀‖² + ε (authors' code); every_step: the step "
               "is r̄/√(Σ‖d‖² + ε) (Optax); equal up to rounding, recorded "
               "so results say which");
    }
  };
  explicit DogRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (anchor_.size() == 0) {
      anchor_ = x;
      r_bar_ = s_.r_epsilon * (1.0 + x.rowwise().norm().array());
      sum_sq_ = Vector::Constant(
          x.rows(), s_.epsilon_placement == "once" ? s_.epsilon : 0.0);
    }
    check_same_shape(anchor_, d, kName);
    const bool every_step = s_.epsilon_placement == "every_step";
    for (Index i = 0; i < x.rows(); ++i) {
      r_bar_(i) = std::max(r_bar_(i), (x.row(i) - anchor_.row(i)).norm());
      sum_sq_(i) += d.row(i).squaredNorm();
      const double g = every_step ? sum_sq_(i) + s_.epsilon : sum_sq_(i);
      // A zero first direction leaves G = 0 with ε = 0: no move.
      if (g > 0) x.row(i) += (eta * r_bar_(i) / std::sqrt(g)) * d.row(i);
    }
  }

 private:
  Settings s_;
  Matrix anchor_;
  Vector r_bar_, sum_sq_;
};

}  // namespace vibench
