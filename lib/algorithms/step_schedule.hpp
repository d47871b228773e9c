// Step-size rules shared by particle methods (SVGD and its variants).
//
//   fixed             x ← x + ε φ
//   adagrad_momentum  the rule of the original SVGD code (Liu & Wang 2016,
//                     "AdaGrad with momentum"), elementwise per particle and
//                     coordinate:
//                       t = 0:  G ← φ²
//                       t > 0:  G ← α G + (1 − α) φ²
//                       x ← x + ε φ / (fudge + √G)
//   rmsprop           Tieleman & Hinton (2012, Coursera lecture 6e), as
//                     ascent on φ, from v = 0:
//                       v ← ρ v + (1 − ρ) φ²;  x ← x + ε φ / (√v + δ)
//   adam              Kingma & Ba (ICLR 2015, Algorithm 1), as ascent on φ,
//                     from m = v = 0, t = 1, 2, ...:
//                       m ← β₁m + (1 − β₁)φ;  v ← β₂v + (1 − β₂)φ²
//                       x ← x + ε (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + δ)
//
// All rules act elementwise, per particle and coordinate.
//
// The configuration (StepSchedule) is immutable and lives in the algorithm;
// the running state (StepScheduler) lives in a run.
#pragma once

#include <string>

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
  Matrix history_;   // G of adagrad_momentum, v of rmsprop and adam
  Matrix first_;     // m of adam
  long long t_ = 0;  // steps taken
  bool started_ = false;
};

}  // namespace vibench
