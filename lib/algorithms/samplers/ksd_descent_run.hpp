// The run shared by ksd_descent and coin_ksdd: each step computes the
// scores, ∇_X KSD² (ksd_gradient.hpp) with one batched Hessian-vector
// product, and hands −∇_X KSD² to an updater with
// `void advance(Matrix& x, const Matrix& direction)` — a StepScheduler
// (x ← x − ε∇KSD², through the schedule) or a CoinBettor (no step size).
#pragma once

#include <utility>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/ksd_gradient.hpp"

namespace vibench {

template <class Updater>
class KsdDescentRun final : public Run {
 public:
  KsdDescentRun(const DistributionOracle& oracle, const State& initial,
                KernelConfig kernel, Index kernel_tile_rows, Updater updater)
      : oracle_(oracle),
        ksd_(kernel, kernel_tile_rows),
        updater_(std::move(updater)) {
    state_.points = initial.points;
  }

  void step() override {
    const Matrix& x = state_.points;
    oracle_.log_prob_grad(x, logp_, score_);
    ksd_squared_ = ksd_.compute(
        x, score_,
        [&](const Matrix& v) { return oracle_.log_prob_hessian_vector(x, v); },
        gradient_);
    gradient_ = -gradient_;  // the updaters ascend their direction
    updater_.advance(state_.points, gradient_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {{"kernel", to_string(ksd_.config().type)},
            {"bandwidth_rule", to_string(ksd_.config().rule)},
            {"last_bandwidth", ksd_.last_bandwidth()},
            {"kernel_tile_rows", ksd_.tile_rows_for(state_.points.rows())},
            {"last_ksd_squared", ksd_squared_}};
  }

 private:
  const DistributionOracle& oracle_;
  State state_;
  KsdGradient ksd_;
  Updater updater_;
  Vector logp_;
  Matrix score_, gradient_;
  double ksd_squared_ = 0.0;
};

}  // namespace vibench
