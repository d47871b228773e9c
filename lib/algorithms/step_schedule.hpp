// Step-size rules shared by particle methods (SVGD and its variants).
//
//   fixed             x ← x + ε φ
//   adagrad_momentum  the rule of the original SVGD code (Liu & Wang 2016,
//                     "AdaGrad with momentum"), elementwise per particle and
//                     coordinate:
//                       t = 0:  G ← φ²
//                       t > 0:  G ← α G + (1 − α) φ²
//                       x ← x + ε φ / (fudge + √G)
//
// The configuration (StepSchedule) is immutable and lives in the algorithm;
// the running state (StepScheduler) lives in a run.
#pragma once

#include <string>

#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

enum class StepRule { fixed, adagrad_momentum };

struct StepSchedule {
  StepRule rule = StepRule::fixed;
  double step_size = 0.1;
  double momentum = 0.9;  // α of adagrad_momentum
  double fudge = 1e-6;    // added to √G of adagrad_momentum

  // The parameter specs `step_size`, `schedule`, `momentum`, `fudge`, with
  // the caller's defaults for the first two (the others are the SVGD code's
  // 0.9 and 1e-6). `step_size_doc` says where the default comes from.
  static ParamSpecs params(double default_step_size, StepRule default_rule,
                           const std::string& step_size_doc);
  // Reads the parameters declared by params().
  static StepSchedule from(const Params& params);
};

const char* to_string(StepRule rule);

// Per-run state of a schedule.
class StepScheduler {
 public:
  explicit StepScheduler(const StepSchedule& schedule) : schedule_(schedule) {}
  // x ← x + (scaled) direction, elementwise; x and direction have the same
  // shape on every call.
  void advance(Matrix& x, const Matrix& direction);
  const StepSchedule& schedule() const { return schedule_; }

 private:
  StepSchedule schedule_;
  Matrix history_;  // G of adagrad_momentum
  bool started_ = false;
};

}  // namespace vibench
