// The run shared by svgd and coin_svgd: each step computes the scores and
// the SVGD direction φ (stein_kernel.hpp) and hands φ to an updater with
// `void advance(Matrix& x, const Matrix& direction)` — a StepScheduler
// (x ← x + εφ through the schedule) or a CoinBettor (no step size).
#pragma once

#include <utility>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/stein_kernel.hpp"

namespace vibench {

template <class Updater>
class SvgdRun final : public Run {
 public:
  SvgdRun(const DistributionOracle& oracle, const State& initial,
          KernelConfig kernel, Index kernel_tile_rows, Updater updater)
      : oracle_(oracle),
        stein_(kernel, kernel_tile_rows),
        updater_(std::move(updater)) {
    state_.points = initial.points;
  }

  void step() override {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    bandwidth_ = stein_.compute(state_.points, score_, phi_);
    updater_.advance(state_.points, phi_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {{"kernel", to_string(stein_.config().type)},
            {"bandwidth_rule", to_string(stein_.config().rule)},
            {"kernel_tile_rows", stein_.tile_rows_for(state_.points.rows())},
            {"last_bandwidth", bandwidth_}};
  }

 private:
  const DistributionOracle& oracle_;
  State state_;
  SteinDirection stein_;
  Updater updater_;
  Vector logp_;
  Matrix score_, phi_;
  double bandwidth_ = 0.0;
};

}  // namespace vibench
