// AdaGrad (Duchi, Hazan & Singer, JMLR 2011), diagonal, as PyTorch codes it:
// G ← G + d², x ← x + η d/(√G + ε), from G = initial_accumulator.
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class AdagradRule {
 public:
  static constexpr const char* kName = "adagrad";
  static constexpr const char* kDescription =
      "diagonal AdaGrad (Duchi et al. 2011): G <- G + d^2, x <- x + "
      "step*d/(sqrt(G) + epsilon)";
  static constexpr double kDefaultStepSize = 0.01;
  static constexpr const char* kStepSizeSource = "PyTorch Adagrad: lr = 0.01";
  struct Settings {
    double epsilon = 1e-10;
    double initial_accumulator = 0.0;
    static void declare(ParamFields<Settings>& f) {
      f.real("epsilon", &Settings::epsilon,
             "ε added to √G (PyTorch: 1e-10; Optax: 1e-7)")
          .above(0);
      f.real("initial_accumulator", &Settings::initial_accumulator,
             "G₀ (PyTorch: 0; Optax: 0.1)")
          .at_least(0);
    }
  };
  explicit AdagradRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (sum_.size() == 0)
      sum_ = Matrix::Constant(d.rows(), d.cols(), s_.initial_accumulator);
    check_same_shape(sum_, d, kName);
    sum_.array() += d.array().square();
    x.array() += eta * d.array() / (sum_.array().sqrt() + s_.epsilon);
  }

 private:
  Settings s_;
  Matrix sum_;
};

}  // namespace vibench
