// Clipped stochastic gradient descent-ascent (Sadiev, Danilova, Gorbunov
// et al., ICML 2023): z ← z − γ_t clip(F̃(z), λ), one operator sample per
// step, clipped to norm λ (operator_clipping.hpp) so that heavy-tailed
// noise cannot throw an iterate far. Default step 1/(2L), any schedule.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"
#include "algorithms/saddle/operator_clipping.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

class ClippedSgdaRun final : public Run {
 public:
  ClippedSgdaRun(const SaddlePointOracle& oracle, const State& initial,
                 double step_size, const Schedule& schedule, double level)
      : oracle_(oracle),
        step_size_(step_size),
        schedule_(schedule),
        level_(level) {
    state_.points = initial.points;
  }
  void step() override {
    field_ = oracle_.operator_value(state_.points);
    clip_rows(field_, level_);
    state_.points.noalias() -= step_size_ * schedule_.factor(t_++) * field_;
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double step_size_;
  Schedule schedule_;
  double level_;
  long long t_ = 0;
  State state_;
  Matrix field_;
};

StepFromLipschitz clipped_sgda_step() { return {0.5, "as clipped SEG"}; }

class ClippedSgda final : public SaddleSolver {
 public:
  static constexpr const char* kName = "clipped_sgda";
  static constexpr const char* kDescription =
      "clipped SGDA (Sadiev et al. 2023): z <- z - step*clip(F(z), "
      "clip_level); 1 operator call per step";
  static ParamSpecs params() {
    return {clipped_sgda_step().param(), schedule_param(), clip_level_param()};
  }
  explicit ClippedSgda(const Params& p)
      : step_(clipped_sgda_step()),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")),
        level_(p.real("clip_level")) {
    step_.read(p);
  }
  Capabilities requirements() const override { return step_.requirements(); }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ClippedSgdaRun>(
        oracle, initial, step_.resolve(oracle), schedule_, level_);
  }

 private:
  StepFromLipschitz step_;
  Schedule schedule_;
  double level_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(ClippedSgda);

}  // namespace vibench
