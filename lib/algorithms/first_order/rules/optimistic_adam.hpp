// Optimistic Adam (Daskalakis, Ilyas, Syrgkanis & Zeng, "Training GANs with
// Optimism", ICLR 2018, Algorithm 1): Adam's bias-corrected step
// u_t = m̂_t/(√v̂_t + ε) applied twice, minus the previous one,
//   x ← x + 2η u_t − η u_{t−1}        (u_0 = 0),
// the optimistic correction (OGD's 2g_t − g_{t−1}) on top of Adam's
// normalization. Moments as in Adam (AdamMoments); the same defaults.
#pragma once

#include "algorithms/first_order/rules/adam.hpp"

namespace vibench {

class OptimisticAdamRule {
 public:
  static constexpr const char* kName = "optimistic_adam";
  static constexpr const char* kDescription =
      "Optimistic Adam (Daskalakis et al. 2018): with Adam's step u = "
      "m^/(sqrt(v^) + epsilon), x <- x + 2*step*u_t - step*u_{t-1}";
  static constexpr double kDefaultStepSize = 1e-3;
  static constexpr const char* kStepSizeSource =
      "Adam's α = 0.001 (the paper tunes it per experiment)";
  struct Settings : AdamSettings {
    static void declare(ParamFields<Settings>& f) {
      AdamSettings::declare_moments(f, "Daskalakis et al. 2018, as Adam");
    }
  };
  explicit OptimisticAdamRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    moments_.update(d, s_, kName);
    const double c1 = moments_.correction(s_.beta1);
    const double c2 = moments_.correction(s_.beta2);
    step_ = (moments_.m().array() / c1) /
            ((moments_.v().array() / c2).sqrt() + s_.epsilon);
    if (previous_.size() == 0) previous_ = Matrix::Zero(d.rows(), d.cols());
    x += eta * (2.0 * step_ - previous_);
    previous_.swap(step_);  // no copy, no allocation once both are sized
  }

 private:
  Settings s_;
  AdamMoments moments_;
  Matrix step_, previous_;  // u_t and u_{t−1}
};

}  // namespace vibench
