// Polyak's heavy ball, in the buffer form of PyTorch's SGD with momentum
// (dampening 0): b ← μb + d (b₀ = d₀), x ← x + ηb; with a constant η this is
// Polyak's x⁺ = x + ηd + μ(x − x₋).
#pragma once

#include "algorithms/first_order/rules/momentum_buffer.hpp"

namespace vibench {

class HeavyBallRule {
 public:
  static constexpr const char* kName = "heavy_ball";
  static constexpr const char* kDescription =
      "Polyak momentum: b <- momentum*b + d, x <- x + step*b";
  static constexpr double kDefaultStepSize = 0.01;
  static constexpr const char* kStepSizeSource =
      "no paper default; PyTorch SGD examples use 0.01";
  using Settings = MomentumSettings;
  explicit HeavyBallRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    x.noalias() += eta * buffer_.update(d, s_.momentum, kName);
  }

 private:
  Settings s_;
  MomentumBuffer buffer_;
};

}  // namespace vibench
