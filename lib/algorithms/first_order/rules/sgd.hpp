// Plain step: x ← x + η d.
#pragma once

#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

class SgdRule {
 public:
  static constexpr const char* kName = "sgd";
  static constexpr const char* kDescription = "x <- x + step*d";
  static constexpr double kDefaultStepSize = 0.1;
  static constexpr const char* kStepSizeSource =
      "no paper default; 1/L is the textbook choice on an L-smooth f";
  struct Settings {
    static void declare(ParamFields<Settings>&) {}
  };
  explicit SgdRule(const Settings&) {}
  void apply(Matrix& x, const Matrix& d, double eta) { x.noalias() += eta * d; }
};

}  // namespace vibench
