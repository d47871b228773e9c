// RMSProp (Tieleman & Hinton 2012, Coursera lecture 6e), from v = 0:
// v ← ρv + (1 − ρ)d², x ← x + η d/(√v + δ).
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class RmspropRule {
 public:
  static constexpr const char* kName = "rmsprop";
  static constexpr const char* kDescription =
      "RMSProp (Tieleman & Hinton 2012): v <- decay*v + (1-decay)*d^2 from "
      "v = 0, x <- x + step*d/(sqrt(v) + epsilon)";
  static constexpr double kDefaultStepSize = 1e-3;
  static constexpr const char* kStepSizeSource =
      "Tieleman & Hinton's lecture and Keras: 0.001";
  struct Settings {
    double decay = 0.9;
    double epsilon = 1e-8;
    static void declare(ParamFields<Settings>& f) {
      f.real("decay", &Settings::decay,
             "ρ (Tieleman & Hinton 2012: 0.9; PyTorch's alpha: 0.99)")
          .at_least(0)
          .below(1);
      f.real("epsilon", &Settings::epsilon, "δ added to √v (PyTorch: 1e-8)")
          .above(0);
    }
  };
  explicit RmspropRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (v_.size() == 0) v_ = Matrix::Zero(d.rows(), d.cols());
    check_same_shape(v_, d, kName);
    const double rho = s_.decay;
    v_.array() = rho * v_.array() + (1.0 - rho) * d.array().square();
    x.array() += eta * d.array() / (v_.array().sqrt() + s_.epsilon);
  }

 private:
  Settings s_;
  Matrix v_;
};

}  // namespace vibench
