// Adam (Kingma & Ba, ICLR 2015, Algorithm 1), from m = v = 0, t = 1, 2, ...:
//   m ← β₁m + (1 − β₁)d;  v ← β₂v + (1 − β₂)d²
//   x ← x + η (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
#pragma once

#include <cmath>

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

struct AdamSettings {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  static void declare(ParamFields<AdamSettings>& f) {
    f.real("beta1", &AdamSettings::beta1, "β₁ (Kingma & Ba 2015: 0.9)")
        .at_least(0)
        .below(1);
    f.real("beta2", &AdamSettings::beta2, "β₂ (Kingma & Ba 2015: 0.999)")
        .at_least(0)
        .below(1);
    f.real("epsilon", &AdamSettings::epsilon,
           "ε added to √v̂ (Kingma & Ba 2015: 1e-8)")
        .above(0);
  }
};

class AdamRule {
 public:
  static constexpr const char* kName = "adam";
  static constexpr const char* kDescription =
      "Adam (Kingma & Ba 2015): bias-corrected moments m^, v^ of d, x <- x + "
      "step*m^/(sqrt(v^) + epsilon)";
  static constexpr double kDefaultStepSize = 1e-3;
  static constexpr const char* kStepSizeSource = "Kingma & Ba 2015: α = 0.001";
  using Settings = AdamSettings;
  explicit AdamRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (m_.size() == 0) {
      m_ = Matrix::Zero(d.rows(), d.cols());
      v_ = Matrix::Zero(d.rows(), d.cols());
    }
    check_same_shape(m_, d, kName);
    ++t_;
    const double b1 = s_.beta1, b2 = s_.beta2;
    m_.array() = b1 * m_.array() + (1.0 - b1) * d.array();
    v_.array() = b2 * v_.array() + (1.0 - b2) * d.array().square();
    const double c1 = 1.0 - std::pow(b1, static_cast<double>(t_));
    const double c2 = 1.0 - std::pow(b2, static_cast<double>(t_));
    x.array() +=
        eta * (m_.array() / c1) / ((v_.array() / c2).sqrt() + s_.epsilon);
  }

 private:
  Settings s_;
  Matrix m_, v_;
  long long t_ = 0;
};

}  // namespace vibench
