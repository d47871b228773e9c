// "AdaGrad with momentum", the rule of the original SVGD code (Liu & Wang
// 2016), elementwise: G ← d² at the first step, then G ← αG + (1 − α)d²;
// x ← x + η d/(fudge + √G). (An exponential average, despite the name.)
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class AdagradMomentumRule {
 public:
  static constexpr const char* kName = "adagrad_momentum";
  static constexpr const char* kDescription =
      "the original SVGD code's rule: G <- d^2 at the first step, then G <- "
      "momentum*G + (1-momentum)*d^2; x <- x + step*d/(fudge + sqrt(G))";
  static constexpr double kDefaultStepSize = 0.1;
  static constexpr const char* kStepSizeSource =
      "the master step size of the SVGD authors' MATLAB code";
  struct Settings {
    double momentum = 0.9;
    double fudge = 1e-6;
    static void declare(ParamFields<Settings>& f) {
      f.real("momentum", &Settings::momentum, "α (original SVGD code: 0.9)")
          .at_least(0)
          .at_most(1);
      f.real("fudge", &Settings::fudge,
             "added to √G (original SVGD code: 1e-6)")
          .above(0);
    }
  };
  explicit AdagradMomentumRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (history_.size() == 0) {
      history_ = d.array().square();
    } else {
      check_same_shape(history_, d, kName);
      const double a = s_.momentum;
      history_.array() = a * history_.array() + (1.0 - a) * d.array().square();
    }
    x.array() += eta * d.array() / (s_.fudge + history_.array().sqrt());
  }

 private:
  Settings s_;
  Matrix history_;
};

}  // namespace vibench
