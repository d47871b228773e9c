// The momentum buffer shared by heavy_ball and nesterov, as PyTorch's SGD
// keeps it (dampening 0): b₀ = d₀, then b ← μb + d.
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

struct MomentumSettings {
  double momentum = 0.9;
  static void declare(ParamFields<MomentumSettings>& f) {
    f.real("momentum", &MomentumSettings::momentum,
           "μ (no paper default; 0.9 is the common choice, e.g. PyTorch "
           "examples; Sutskever et al. 2013 use up to 0.99)")
        .at_least(0)
        .below(1);
  }
};

class MomentumBuffer {
 public:
  const Matrix& update(const Matrix& d, double momentum, const char* rule) {
    if (buffer_.size() == 0) {
      buffer_ = d;
    } else {
      check_same_shape(buffer_, d, rule);
      buffer_ = momentum * buffer_ + d;
    }
    return buffer_;
  }

 private:
  Matrix buffer_;
};

}  // namespace vibench
