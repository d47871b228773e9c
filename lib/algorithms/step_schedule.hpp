// The step parameters of the particle methods (SVGD and its relatives), as
// they were before the update rules had a home of their own: `schedule`
// names an update rule of first_order/rules/ and `step_size` is its constant
// step, so every existing suite validates and gives the same numbers.
//
//   schedule           update rule          its settings
//   fixed              sgd                  -
//   adagrad_momentum   adagrad_momentum     momentum, fudge
//   rmsprop            rmsprop              decay = rmsprop_decay, epsilon
//   adam               adam                 beta1 = adam_beta1,
//                                           beta2 = adam_beta2, epsilon
//
// The step is constant (the `constant` step-size schedule).
#pragma once

#include <memory>
#include <string>

#include "algorithms/first_order/update_rule.hpp"
#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

enum class StepRule { fixed, adagrad_momentum, rmsprop, adam };

struct StepSchedule {
  StepRule rule = StepRule::fixed;
  double step_size = 0.1;
  double momentum = 0.9;       // α of adagrad_momentum
  double fudge = 1e-6;         // added to √G of adagrad_momentum
  double rmsprop_decay = 0.9;  // ρ of rmsprop (Tieleman & Hinton)
  double adam_beta1 = 0.9;     // β₁ of adam (Kingma & Ba)
  double adam_beta2 = 0.999;   // β₂ of adam (Kingma & Ba)
  double epsilon = 1e-8;       // δ of rmsprop and adam (Kingma & Ba)

  // The parameter specs `step_size`, `schedule`, `momentum`, `fudge`,
  // `rmsprop_decay`, `adam_beta1`, `adam_beta2`, `epsilon`, with the caller's
  // defaults for the first two (the others are the defaults above, from the
  // SVGD code and the RMSProp and Adam sources). `step_size_doc` says where the
  // default comes from.
  static ParamSpecs params(double default_step_size, StepRule default_rule,
                           const std::string& step_size_doc);
  // Reads the parameters declared by params().
  static StepSchedule from(const Params& params);
};

const char* to_string(StepRule rule);

// Per-run state: the update rule's running state.
class StepScheduler {
 public:
  explicit StepScheduler(const StepSchedule& schedule);
  // x ← x + move(direction, step_size) by the rule; x and direction have the
  // same shape on every call.
  void advance(Matrix& x, const Matrix& direction) {
    rule_->apply(x, direction, schedule_.step_size);
  }
  const StepSchedule& schedule() const { return schedule_; }

 private:
  StepSchedule schedule_;
  std::unique_ptr<RuleState> rule_;
};

}  // namespace vibench
