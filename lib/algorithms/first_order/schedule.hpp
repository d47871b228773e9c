// Step-size schedules, composable with any update rule: the step at step
// t = 0, 1, 2, ... is η_t = η · factor(t), η the algorithm's step_size.
//
//   constant      1
//   inverse_sqrt  1/√(t+1)
//   polynomial    1/(t+1)^power
//   exponential   rate^t
//   cosine        α + (1−α)(1 + cos(π min(t,T)/T))/2     T = decay_steps
//   linear        1 − (1−α) min(t,T)/T                    α = final_fraction
//   step          factor^⌊t/every⌋
//
// Every schedule takes warmup_steps w: for t < w the factor rises linearly,
// (t+1)/w, and from t = w on the schedule runs on t − w.
//
// Halpern-type methods also need the anchor weights β_k = 1/(k+2)
// (halpern_anchor_weight).
#pragma once

#include "core/params.hpp"

namespace vibench {

class Schedule {
 public:
  // From a `schedule` component parameter's settings (Params::
  // component_settings) and its member name; ConfigError when a member's
  // required setting is missing.
  Schedule(const std::string& name, const Params& settings);
  Schedule() : Schedule("constant", Params(Json{{"warmup_steps", 0}})) {}
  double factor(long long t) const;
  const std::string& name() const { return name_; }
  long long warmup_steps() const { return warmup_; }

 private:
  enum class Kind {
    constant,
    inverse_sqrt,
    polynomial,
    exponential,
    cosine,
    linear,
    step
  };
  double base_factor(long long t) const;
  std::string name_;
  Kind kind_ = Kind::constant;
  long long warmup_ = 0;
  double power_ = 1, rate_ = 1, final_fraction_ = 0, step_factor_ = 1;
  long long decay_steps_ = 1, every_ = 1;
};

// The schedules as a component family, for a `schedule` parameter.
const ComponentFamily& schedule_family();

// The `schedule` parameter every first-order algorithm takes (default
// constant).
ParamSpec schedule_param();

// β_k = 1/(k+2), the anchor weight of Halpern's iteration at step k = 0, 1, ...
double halpern_anchor_weight(long long k);

}  // namespace vibench
