// An optimizer made of one update rule: each step asks for ∇f at the
// iterates (one batched value_grad call, one gradient per iterate) and moves
// them by the rule along d = −∇f, with the step of the schedule; on a
// constrained problem the moved iterates are then clamped into its box
// (projected updates, as in Reddi et al.'s Adam and AMSGrad; the rule's
// own state — moments, DoG's distance, COCOB's wealth — is not reset).
//
// One registration line per optimizer (rule_optimizers.cpp):
//   VIBENCH_REGISTER_RULE_OPTIMIZER(adam, AdamRule);
#pragma once

#include <memory>
#include <string>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/first_order_step.hpp"

namespace vibench {

class RuleOptimizerRun final : public Run {
 public:
  RuleOptimizerRun(const ObjectiveOracle& oracle, const State& initial,
                   const FirstOrderConfig& config)
      : oracle_(oracle), step_(config) {
    state_.points = initial.points;
  }
  void step() override {
    oracle_.value_grad(state_.points, value_, direction_);
    direction_ = -direction_;
    step_.apply(state_.points, direction_);
    oracle_.project_feasible(state_.points);
  }
  const State& state() const override { return state_; }

 private:
  const ObjectiveOracle& oracle_;
  FirstOrderStep step_;
  State state_;
  Vector value_;
  Matrix direction_;
};

class RuleOptimizer final : public Optimizer {
 public:
  RuleOptimizer(const RuleInfo& rule, const Params& p)
      : config_(FirstOrderConfig::from_rule(rule, p)) {}
  Capabilities handles() const override { return {Capability::feasible_set}; }

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<RuleOptimizerRun>(oracle, initial, config_);
  }

 private:
  FirstOrderConfig config_;
};

template <class Rule>
bool register_rule_optimizer(const char* name) {
  static const RuleInfo rule = rule_info<Rule>();
  return AlgorithmRegistry::instance().add(
      {name, TaskKind::objective,
       std::string(rule.description) +
           "; d = -grad f, 1 gradient per iterate per step",
       FirstOrderConfig::params_for_rule(rule), [](const Params& p) {
         return std::shared_ptr<const Algorithm>(
             std::make_shared<const RuleOptimizer>(rule, p));
       }});
}

#define VIBENCH_REGISTER_RULE_OPTIMIZER(name, Rule)                        \
  [[maybe_unused]] static const bool vibench_registered_optimizer_##name = \
      ::vibench::register_rule_optimizer<Rule>(#name)

}  // namespace vibench
