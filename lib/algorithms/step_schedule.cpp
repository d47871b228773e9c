#include "algorithms/step_schedule.hpp"

#include <cmath>
#include <stdexcept>

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
          "fixed: x ← x + εφ; adagrad_momentum: the original SVGD code's "
          "elementwise rule G ← φ² at t = 0, then G ← αG + (1−α)φ², "
          "x ← x + εφ/(fudge + √G); rmsprop (Tieleman & Hinton 2012): "
          "v ← ρv + (1−ρ)φ² from v = 0, x ← x + εφ/(√v + δ); adam (Kingma & "
          "Ba 2015): bias-corrected moments m̂, v̂ of φ, x ← x + εm̂/(√v̂ + δ)"),
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

void StepScheduler::advance(Matrix& x, const Matrix& direction) {
  const double eps = schedule_.step_size;
  if (schedule_.rule == StepRule::fixed) {
    x.noalias() += eps * direction;
    return;
  }
  if (started_ && (history_.rows() != direction.rows() ||
                   history_.cols() != direction.cols()))
    throw std::logic_error("StepScheduler: direction changed shape");
  ++t_;
  switch (schedule_.rule) {
    case StepRule::fixed:
      break;
    case StepRule::adagrad_momentum: {
      if (!started_) {
        history_ = direction.array().square();
      } else {
        const double a = schedule_.momentum;
        history_.array() =
            a * history_.array() + (1.0 - a) * direction.array().square();
      }
      x.array() +=
          eps * direction.array() / (schedule_.fudge + history_.array().sqrt());
      break;
    }
    case StepRule::rmsprop: {
      if (!started_)
        history_ = Matrix::Zero(direction.rows(), direction.cols());
      const double rho = schedule_.rmsprop_decay;
      history_.array() =
          rho * history_.array() + (1.0 - rho) * direction.array().square();
      x.array() += eps * direction.array() /
                   (history_.array().sqrt() + schedule_.epsilon);
      break;
    }
    case StepRule::adam: {
      if (!started_) {
        history_ = Matrix::Zero(direction.rows(), direction.cols());
        first_ = Matrix::Zero(direction.rows(), direction.cols());
      }
      const double b1 = schedule_.adam_beta1, b2 = schedule_.adam_beta2;
      first_.array() = b1 * first_.array() + (1.0 - b1) * direction.array();
      history_.array() =
          b2 * history_.array() + (1.0 - b2) * direction.array().square();
      const double c1 = 1.0 - std::pow(b1, static_cast<double>(t_));
      const double c2 = 1.0 - std::pow(b2, static_cast<double>(t_));
      x.array() += eps * (first_.array() / c1) /
                   ((history_.array() / c2).sqrt() + schedule_.epsilon);
      break;
    }
  }
  started_ = true;
}

}  // namespace vibench
