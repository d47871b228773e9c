#include "algorithms/step_schedule.hpp"

#include "algorithms/first_order/rules/adagrad_momentum.hpp"
#include "algorithms/first_order/rules/adam.hpp"
#include "algorithms/first_order/rules/rmsprop.hpp"
#include "algorithms/first_order/rules/sgd.hpp"
namespace vibench {

const char* to_string(StepRule rule) {
  switch (rule) {
    case StepRule::fixed:
      return "fixed";
    case StepRule::adagrad_momentum:
      return "adagrad_momentum";
    case StepRule::rmsprop:
      return "rmsprop";
    case StepRule::adam:
      return "adam";
  }
  return "?";
}

ParamSpecs StepSchedule::params(double default_step_size, StepRule default_rule,
                                const std::string& step_size_doc) {
  return {
      ParamSpec::real("step_size", default_step_size,
                      "step size ε (master step size under "
                      "adagrad_momentum, rmsprop and adam); " +
                          step_size_doc)
          .above(0),
      ParamSpec::string(
          "schedule", to_string(default_rule),
          {"fixed", "adagrad_momentum", "rmsprop", "adam"},
          "the update rule (the older name of the `rule` of first-order "
          "methods; the step is constant): fixed = rule sgd: x ← x + εφ; "
          "adagrad_momentum: the original SVGD code's "
          "elementwise rule G ← φ² at t = 0, then G ← αG + (1−α)φ², "
          "x ← x + εφ/(fudge + √G); rmsprop (Tieleman & Hinton 2012): "
          "v ← ρv + (1−ρ)φ² from v = 0, x ← x + εφ/(√v + δ); adam (Kingma & "
          "Ba 2015): bias-corrected moments m̂, v̂ of φ, x ← x + εm̂/(√v̂ + δ). "
          "rmsprop_decay is rmsprop's decay, adam_beta1/2 adam's beta1/2"),
      ParamSpec::real("momentum", 0.9,
                      "α of adagrad_momentum (original SVGD code: 0.9); "
                      "unused by the other schedules")
          .at_least(0)
          .at_most(1),
      ParamSpec::real("fudge", 1e-6,
                      "added to √G by adagrad_momentum (original SVGD code: "
                      "1e-6); unused by the other schedules")
          .above(0),
      ParamSpec::real("rmsprop_decay", 0.9,
                      "ρ of rmsprop (Tieleman & Hinton 2012: 0.9); unused by "
                      "the other schedules")
          .at_least(0)
          .below(1),
      ParamSpec::real("adam_beta1", 0.9,
                      "β₁ of adam (Kingma & Ba 2015: 0.9); unused by the "
                      "other schedules")
          .at_least(0)
          .below(1),
      ParamSpec::real("adam_beta2", 0.999,
                      "β₂ of adam (Kingma & Ba 2015: 0.999); unused by the "
                      "other schedules")
          .at_least(0)
          .below(1),
      ParamSpec::real("epsilon", 1e-8,
                      "δ added to the root mean square by rmsprop and adam "
                      "(Kingma & Ba 2015: 1e-8)")
          .above(0),
  };
}

StepSchedule StepSchedule::from(const Params& params) {
  StepSchedule s;
  const std::string rule = params.string("schedule");
  s.rule = rule == "adagrad_momentum" ? StepRule::adagrad_momentum
           : rule == "rmsprop"        ? StepRule::rmsprop
           : rule == "adam"           ? StepRule::adam
                                      : StepRule::fixed;
  s.step_size = params.real("step_size");
  s.momentum = params.real("momentum");
  s.fudge = params.real("fudge");
  s.rmsprop_decay = params.real("rmsprop_decay");
  s.adam_beta1 = params.real("adam_beta1");
  s.adam_beta2 = params.real("adam_beta2");
  s.epsilon = params.real("epsilon");
  return s;
}

StepScheduler::StepScheduler(const StepSchedule& schedule)
    : schedule_(schedule) {
  switch (schedule.rule) {
    case StepRule::fixed:
      rule_ = RuleOf<SgdRule>({}).start();
      break;
    case StepRule::adagrad_momentum: {
      AdagradMomentumRule::Settings s;
      s.momentum = schedule.momentum;
      s.fudge = schedule.fudge;
      rule_ = RuleOf<AdagradMomentumRule>(s).start();
      break;
    }
    case StepRule::rmsprop: {
      RmspropRule::Settings s;
      s.decay = schedule.rmsprop_decay;
      s.epsilon = schedule.epsilon;
      rule_ = RuleOf<RmspropRule>(s).start();
      break;
    }
    case StepRule::adam: {
      AdamRule::Settings s;
      s.beta1 = schedule.adam_beta1;
      s.beta2 = schedule.adam_beta2;
      s.epsilon = schedule.epsilon;
      rule_ = RuleOf<AdamRule>(s).start();
      break;
    }
  }
}

}  // namespace vibench
