// Nesterov momentum in the form of Sutskever et al. (2013) as PyTorch codes
// it (gradient at the current point, look-ahead folded into the move):
// b ← μb + d (b₀ = d₀), x ← x + η(d + μb).
#pragma once

#include "algorithms/first_order/rules/momentum_buffer.hpp"

namespace vibench {

class NesterovRule {
 public:
  static constexpr const char* kName = "nesterov";
  static constexpr const char* kDescription =
      "Nesterov momentum (Sutskever et al. 2013 form, as PyTorch): b <- "
      "momentum*b + d, x <- x + step*(d + momentum*b)";
  static constexpr double kDefaultStepSize = 0.01;
  static constexpr const char* kStepSizeSource =
      "no paper default; PyTorch SGD examples use 0.01";
  using Settings = MomentumSettings;
  explicit NesterovRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    const Matrix& b = buffer_.update(d, s_.momentum, kName);
    x.noalias() += eta * (d + s_.momentum * b);
  }

 private:
  Settings s_;
  MomentumBuffer buffer_;
};

}  // namespace vibench
