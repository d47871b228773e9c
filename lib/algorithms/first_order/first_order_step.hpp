// One first-order move as every first-order algorithm makes it: the update
// rule's running state, the step-size schedule and the step counter.
//   x ← x + move(d, step_size · factor(t)),  t = 0, 1, 2, ...
#pragma once

#include <memory>

#include "algorithms/first_order/schedule.hpp"
#include "algorithms/first_order/update_rule.hpp"

namespace vibench {

// The configuration a first-order algorithm reads from its parameters:
// `step_size`, `schedule` and its update rule. Immutable.
struct FirstOrderConfig {
  double step_size = 0.1;
  Schedule schedule;
  std::shared_ptr<const UpdateRule> rule;

  // For an algorithm whose rule is fixed (the optimizer `adam`): step_size
  // (with the rule's default and its source), schedule, then the rule's
  // settings, flat.
  static ParamSpecs params_for_rule(const RuleInfo& rule);
  static FirstOrderConfig from_rule(const RuleInfo& rule, const Params& p);
  // For an algorithm that takes any rule (`rule`, default `default_rule`):
  // step_size, schedule and rule, the rule's settings nested in it.
  static ParamSpecs params_with_rule(double default_step_size,
                                     const std::string& step_size_doc,
                                     const std::string& default_rule);
  static FirstOrderConfig from_params(const Params& p);
};

class FirstOrderStep {
 public:
  explicit FirstOrderStep(const FirstOrderConfig& config)
      : step_size_(config.step_size),
        schedule_(config.schedule),
        rule_(config.rule->start()) {}
  // x ← x + move(d, η_t), then t ← t + 1.
  void apply(Matrix& x, const Matrix& d) {
    rule_->apply(x, d, step_size_ * schedule_.factor(t_));
    ++t_;
  }
  long long steps() const { return t_; }

 private:
  double step_size_;
  Schedule schedule_;
  std::unique_ptr<RuleState> rule_;
  long long t_ = 0;
};

}  // namespace vibench
