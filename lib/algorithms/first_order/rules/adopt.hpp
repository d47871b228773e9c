// ADOPT (Taniguchi et al., "ADOPT: Modified Adam Can Converge with Any β₂
// with the Optimal Rate", NeurIPS 2024), as the authors' main branch codes
// it (iShohei220/adopt; Optax contrib.adopt), with the step k counted from 0:
//   k = 0:  v ← d²  (x does not move)
//   k ≥ 1:  n ← d / max(√v, ε);  n ← clip(n, ±k^p) when clipping
//           m ← β₁m + (1 − β₁)n  (m₀ = 0);  x ← x + η m
//           v ← β₂v + (1 − β₂)d²
// The second moment excludes the current direction, and the direction is
// normalized before the momentum average. Clipping with p = 0.25 is the
// main branch's default; clip = false is the paper's original rule
// (PAPERS.md §9.1).
#pragma once

#include <cmath>

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class AdoptRule {
 public:
  static constexpr const char* kName = "adopt";
  static constexpr const char* kDescription =
      "ADOPT (Taniguchi et al. 2024): the direction normalized by the "
      "previous second moment, clipped to +-k^clip_exponent, then momentum; "
      "clip = false is the paper's original unclipped rule";
  static constexpr double kDefaultStepSize = 1e-3;
  static constexpr const char* kStepSizeSource = "authors' code: lr = 0.001";
  struct Settings {
    double beta1 = 0.9;
    double beta2 = 0.9999;
    double epsilon = 1e-6;
    bool clip = true;
    double clip_exponent = 0.25;
    static void declare(ParamFields<Settings>& f) {
      f.real("beta1", &Settings::beta1, "β₁ (authors' code: 0.9)")
          .at_least(0)
          .below(1);
      f.real("beta2", &Settings::beta2, "β₂ (authors' code: 0.9999)")
          .at_least(0)
          .below(1);
      f.real("epsilon", &Settings::epsilon,
             "ε, the floor of √v (authors' code: 1e-6)")
          .above(0);
      f.boolean("clip", &Settings::clip,
                "clip the normalized direction to ±k^clip_exponent (true: "
                "the authors' main branch; false: the paper's original rule)");
      f.real("clip_exponent", &Settings::clip_exponent,
             "p of the clip bound k^p (authors' main branch: 0.25)")
          .above(0);
    }
  };
  explicit AdoptRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (v_.size() == 0) {
      v_ = d.array().square();
      m_ = Matrix::Zero(d.rows(), d.cols());
      k_ = 1;
      return;
    }
    check_same_shape(v_, d, kName);
    normalized_.array() = d.array() / v_.array().sqrt().max(s_.epsilon);
    if (s_.clip) {
      const double bound = std::pow(static_cast<double>(k_), s_.clip_exponent);
      normalized_ = normalized_.cwiseMax(-bound).cwiseMin(bound);
    }
    m_.array() = s_.beta1 * m_.array() + (1.0 - s_.beta1) * normalized_.array();
    x.noalias() += eta * m_;
    v_.array() = s_.beta2 * v_.array() + (1.0 - s_.beta2) * d.array().square();
    ++k_;
  }

 private:
  Settings s_;
  Matrix v_, m_, normalized_;
  long long k_ = 0;
};

}  // namespace vibench
