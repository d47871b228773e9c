// Clipped step (Zhang, He, Sra & Jadbabaie, "Why Gradient Clipping
// Accelerates Training", ICLR 2020), per point:
// x ← x + η min(1, λ/‖d‖) d.
#pragma once

#include <algorithm>

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class ClippedRule {
 public:
  static constexpr const char* kName = "clipped";
  static constexpr const char* kDescription =
      "clipped step: x <- x + step * min(1, threshold/|d|) * d (per point)";
  static constexpr double kDefaultStepSize = 0.1;
  static constexpr const char* kStepSizeSource =
      "no paper default (theory: η from L₀, L₁)";
  struct Settings {
    double threshold = 1.0;
    static void declare(ParamFields<Settings>& f) {
      f.real("threshold", &Settings::threshold,
             "λ, the largest ‖d‖ used as is (no paper default)")
          .above(0);
    }
  };
  explicit ClippedRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    for (Index i = 0; i < x.rows(); ++i) {
      const double norm = d.row(i).norm();
      const double scale = norm > s_.threshold ? s_.threshold / norm : 1.0;
      x.row(i) += (eta * scale) * d.row(i);
    }
  }

 private:
  Settings s_;
};

}  // namespace vibench
