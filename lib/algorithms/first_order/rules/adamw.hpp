// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR
// 2019), in PyTorch's order: x ← x(1 − ηλ), then the Adam move. The decay is
// scaled by the scheduled step η, as in PyTorch and Optax.
#pragma once

#include "algorithms/first_order/rules/adam.hpp"

namespace vibench {

class AdamwRule {
 public:
  static constexpr const char* kName = "adamw";
  static constexpr const char* kDescription =
      "AdamW (Loshchilov & Hutter 2019): x <- x*(1 - step*weight_decay), "
      "then the Adam move";
  static constexpr double kDefaultStepSize = 1e-3;
  static constexpr const char* kStepSizeSource = "PyTorch AdamW: lr = 0.001";
  struct Settings : AdamSettings {
    double weight_decay = 1e-2;
    static void declare(ParamFields<Settings>& f) {
      f.real("beta1", &Settings::beta1, "β₁ (PyTorch AdamW: 0.9)")
          .at_least(0)
          .below(1);
      f.real("beta2", &Settings::beta2, "β₂ (PyTorch AdamW: 0.999)")
          .at_least(0)
          .below(1);
      f.real("epsilon", &Settings::epsilon, "ε (PyTorch AdamW: 1e-8)").above(0);
      f.real("weight_decay", &Settings::weight_decay,
             "λ, decoupled (PyTorch AdamW: 0.01)")
          .at_least(0);
    }
  };
  explicit AdamwRule(const Settings& s)
      : weight_decay_(s.weight_decay), adam_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    x *= 1.0 - eta * weight_decay_;
    adam_.apply(x, d, eta);
  }

 private:
  double weight_decay_;
  AdamRule adam_;
};

}  // namespace vibench
