// The run shared by msvgd and svmd: particles kept in the dual coordinates
// η = ∇ψ(θ) of the task's domain; each step takes the dual scores, a Stein
// direction in η (MsvgdDirection or SvmdDirection, mirrored_stein.hpp),
// advances η through the step schedule and maps back θ = ∇ψ*(η), so every
// particle stays strictly inside the domain whatever the step.
#pragma once

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/mirrored_stein.hpp"
#include "algorithms/step_schedule.hpp"

namespace vibench {

template <class Direction>
class MirroredRun final : public Run {
 public:
  MirroredRun(const DistributionOracle& oracle, const State& initial,
              const Direction& stein, const StepSchedule& schedule)
      : oracle_(oracle),
        domain_(oracle.domain()),
        stein_(stein),
        scheduler_(schedule) {
    state_.points = initial.points;
    dual_ = domain_.to_dual(state_.points);
  }

  void step() override {
    const Matrix& theta = state_.points;
    score_ = oracle_.dual_score(theta);
    bandwidth_ = stein_.compute(theta, score_, mirror_metric(domain_, theta),
                                direction_);
    scheduler_.advance(dual_, direction_);
    state_.points = domain_.to_primal(dual_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    Json out = stein_.diagnostics();
    out["domain"] = domain_.name();
    out["last_bandwidth"] = bandwidth_;
    return out;
  }

 private:
  const DistributionOracle& oracle_;
  const Domain& domain_;
  State state_;
  Direction stein_;
  StepScheduler scheduler_;
  Matrix dual_;               // η = ∇ψ(θ)
  Matrix score_, direction_;  // dual scores, dual direction
  double bandwidth_ = 0.0;
};

}  // namespace vibench
