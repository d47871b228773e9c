// Polyak's heavy ball, in the buffer form of PyTorch's SGD with momentum
// (dampening 0): b ← μb + d (b₀ = d₀), x ← x + ηb; with a constant η this is
// Polyak's x⁺ = x + ηd + μ(x − x₋).
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class HeavyBallRule {
 public:
  static constexpr const char* kName = "heavy_ball";
  static constexpr const char* kDescription =
      "Polyak momentum: b <- momentum*b + d, x <- x + step*b";
  static constexpr double kDefaultStepSize = 0.01;
  static constexpr const char* kStepSizeSource =
      "no paper default; PyTorch SGD examples use 0.01";
  struct Settings {
    double momentum = 0.9;
    static void declare(ParamFields<Settings>& f) {
      f.real("momentum", &Settings::momentum,
             "μ (no paper default; 0.9 is the common choice, e.g. PyTorch "
             "examples)")
          .at_least(0)
          .below(1);
    }
  };
  explicit HeavyBallRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (buffer_.size() == 0) {
      buffer_ = d;
    } else {
      check_same_shape(buffer_, d, kName);
      buffer_ = s_.momentum * buffer_ + d;
    }
    x.noalias() += eta * buffer_;
  }

 private:
  Settings s_;
  Matrix buffer_;
};

}  // namespace vibench
