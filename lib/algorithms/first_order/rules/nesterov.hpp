// Nesterov momentum in the form of Sutskever et al. (2013) as PyTorch codes
// it (gradient at the current point, look-ahead folded into the move):
// b ← μb + d (b₀ = d₀), x ← x + η(d + μb).
#pragma once

#include "algorithms/first_order/update_rule.hpp"

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
  struct Settings {
    double momentum = 0.9;
    static void declare(ParamFields<Settings>& f) {
      f.real("momentum", &Settings::momentum,
             "μ (Sutskever et al. 2013 use up to 0.99; 0.9 is the common "
             "choice)")
          .at_least(0)
          .below(1);
    }
  };
  explicit NesterovRule(const Settings& s) : s_(s) {}
  void apply(Matrix& x, const Matrix& d, double eta) {
    if (buffer_.size() == 0) {
      buffer_ = d;
    } else {
      check_same_shape(buffer_, d, kName);
      buffer_ = s_.momentum * buffer_ + d;
    }
    x.noalias() += eta * (d + s_.momentum * buffer_);
  }

 private:
  Settings s_;
  Matrix buffer_;
};

}  // namespace vibench
