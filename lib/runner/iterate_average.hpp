// Iterate averaging, owned by the runner so that no algorithm re-implements
// it and any algorithm's average can be scored. After step k = 1, 2, ...
//   x̄_k = x̄_{k−1} + w_k (x_k − x̄_{k−1}),   x̄_0 = x_0,
// with
//   uniform      w_k = 1/k                 the ergodic mean of x_1..x_k
//   polynomial   w_k = (1+γ)/(k+γ)         DoG's averager (Ivgi et al. 2023;
//                                          γ = 8 in formll/dog)
//   ema          w_k = 1 − β               exponential moving average
// (w_1 = 1 for the first two: the average starts at the first iterate.)
#pragma once

#include <string>

#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

struct AveragingRule {
  enum class Kind { uniform, polynomial, ema };
  Kind kind = Kind::uniform;
  double gamma = 8.0;   // polynomial (formll/dog: 8)
  double decay = 0.99;  // β of ema (no paper default)

  double weight(long long k) const;
  // The suite's "averaging" object: {"kind": ..., "gamma": ..., "decay":
  // ...}; ConfigError naming `json_path`.
  static AveragingRule from_json(const Json& json, const std::string& path);
  Json to_json() const;
};

class IterateAverage {
 public:
  IterateAverage(const AveragingRule& rule, const Matrix& initial)
      : rule_(rule), average_(initial) {}
  // Folds in the iterate after step k (k = 1, 2, ..., in order).
  void add(const Matrix& x, long long k) {
    average_ += rule_.weight(k) * (x - average_);
  }
  const Matrix& value() const { return average_; }

 private:
  AveragingRule rule_;
  Matrix average_;
};

}  // namespace vibench
