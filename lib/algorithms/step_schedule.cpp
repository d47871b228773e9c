#include "algorithms/step_schedule.hpp"

#include <stdexcept>

namespace vibench {

const char* to_string(StepRule rule) {
  switch (rule) {
    case StepRule::fixed:
      return "fixed";
    case StepRule::adagrad_momentum:
      return "adagrad_momentum";
  }
  return "?";
}

ParamSpecs StepSchedule::params(double default_step_size, StepRule default_rule,
                                const std::string& step_size_doc) {
  return {
      ParamSpec::real("step_size", default_step_size,
                      "step size ε (master step size under "
                      "adagrad_momentum); " +
                          step_size_doc)
          .above(0),
      ParamSpec::string(
          "schedule", to_string(default_rule), {"fixed", "adagrad_momentum"},
          "fixed: x ← x + εφ; adagrad_momentum: the original SVGD code's "
          "elementwise rule G ← φ² at t = 0, then G ← αG + (1−α)φ², "
          "x ← x + εφ/(fudge + √G)"),
      ParamSpec::real("momentum", 0.9,
                      "α of adagrad_momentum (original SVGD code: 0.9); "
                      "unused by the fixed schedule")
          .at_least(0)
          .at_most(1),
      ParamSpec::real("fudge", 1e-6,
                      "added to √G by adagrad_momentum (original SVGD code: "
                      "1e-6); unused by the fixed schedule")
          .above(0),
  };
}

StepSchedule StepSchedule::from(const Params& params) {
  StepSchedule s;
  s.rule = params.string("schedule") == "adagrad_momentum"
               ? StepRule::adagrad_momentum
               : StepRule::fixed;
  s.step_size = params.real("step_size");
  s.momentum = params.real("momentum");
  s.fudge = params.real("fudge");
  return s;
}

void StepScheduler::advance(Matrix& x, const Matrix& direction) {
  const double eps = schedule_.step_size;
  if (schedule_.rule == StepRule::fixed) {
    x.noalias() += eps * direction;
    return;
  }
  if (!started_) {
    history_ = direction.array().square();
    started_ = true;
  } else {
    if (history_.rows() != direction.rows() ||
        history_.cols() != direction.cols())
      throw std::logic_error("StepScheduler: direction changed shape");
    const double a = schedule_.momentum;
    history_.array() =
        a * history_.array() + (1.0 - a) * direction.array().square();
  }
  x.array() +=
      eps * direction.array() / (schedule_.fudge + history_.array().sqrt());
}

}  // namespace vibench
