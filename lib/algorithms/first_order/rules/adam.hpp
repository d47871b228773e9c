// Adam (Kingma & Ba, ICLR 2015, Algorithm 1), from m = v = 0, t = 1, 2, ...:
//   m ← β₁m + (1 − β₁)d;  v ← β₂v + (1 − β₂)d²
//   x ← x + η (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
// AdamMoments (m, v, t) is shared with adamw and amsgrad.
#pragma once

#include <cmath>
#include <string>

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

struct AdamSettings {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  static void declare(ParamFields<AdamSettings>& f) {
    declare_moments(f, "Kingma & Ba 2015");
  }
  // β₁, β₂, ε with `source` named for their defaults; for the settings of
  // the rules built on Adam's moments.
  template <class S>
  static void declare_moments(ParamFields<S>& f, const std::string& source) {
    f.real("beta1", &S::beta1, "β₁ (" + source + ": 0.9)").at_least(0).below(1);
    f.real("beta2", &S::beta2, "β₂ (" + source + ": 0.999)")
        .at_least(0)
        .below(1);
    f.real("epsilon", &S::epsilon, "ε added to the root (" + source + ": 1e-8)")
        .above(0);
  }
};

// Adam's first and second moments of the directions seen so far.
class AdamMoments {
 public:
  void update(const Matrix& d, const AdamSettings& s, const char* rule) {
    if (m_.size() == 0) {
      m_ = Matrix::Zero(d.rows(), d.cols());
      v_ = Matrix::Zero(d.rows(), d.cols());
    }
    check_same_shape(m_, d, rule);
    ++t_;
    m_.array() = s.beta1 * m_.array() + (1.0 - s.beta1) * d.array();
    v_.array() = s.beta2 * v_.array() + (1.0 - s.beta2) * d.array().square();
  }
  const Matrix& m() const { return m_; }
  const Matrix& v() const { return v_; }
  // The bias corrections 1 − βᵗ at the current step.
  double correction(double beta) const {
    return 1.0 - std::pow(beta, static_cast<double>(t_));
  }

 private:
  Matrix m_, v_;
  long long t_ = 0;
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
    moments_.update(d, s_, kName);
    const double c1 = moments_.correction(s_.beta1);
    const double c2 = moments_.correction(s_.beta2);
    x.array() += eta * (moments_.m().array() / c1) /
                 ((moments_.v().array() / c2).sqrt() + s_.epsilon);
  }

 private:
  Settings s_;
  AdamMoments moments_;
};

}  // namespace vibench
