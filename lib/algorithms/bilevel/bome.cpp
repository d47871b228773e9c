// BOME (Ye, Liu, Wright, Stone & Liu, "BOME! Bilevel optimization made
// easy: a simple first-order approach", NeurIPS 2022). With the value-gap
//   q(x, y) = g(x, y) − g(x, ŷ_T),
// ŷ_T being T gradient steps on g(x, ·) from y (a constant in q), x and y
// move together along
//   d = ∇f + λ ∇q,   λ = max(η‖∇q‖² − ⟨∇f, ∇q⟩, 0) / ‖∇q‖²
// (the gradients over (x, y) jointly, λ = 0 where ∇q = 0), so that q
// decreases at rate η while f does as well as it can:
//   (x, y) ← (x, y) − ξ d.
// Defaults from benchopt and the authors' toy script (PAPERS.md §7.5):
// η = 0.5, T = 10, ξ = 0.1. The x part of d is state.hypergradient (the
// direction BOME moves x along, not an estimate of ∇F); it is computed
// after each move, so it belongs to state.points. No Hessian-vector or
// cross product is ever called.
// Oracle calls per step and row: T + 2 inner gradients, 1 outer gradient.
#include <memory>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"

namespace vibench {
namespace {

struct BomeConfig {
  double step_size, inner_step_size, eta;
  long long inner_steps;
};

class BomeRun final : public Run {
 public:
  BomeRun(const BilevelOracle& oracle, const State& initial,
          const BomeConfig& config)
      : oracle_(oracle), config_(config) {
    state_ = bilevel_start(oracle, initial, "bome");
    direction();
  }

  void step() override {
    state_.points.noalias() -= config_.step_size * state_.hypergradient;
    state_.inner.noalias() -= config_.step_size * d_y_;
    direction();
  }
  const State& state() const override { return state_; }

 private:
  void direction() {
    const Matrix& x = state_.points;
    const Matrix& y = state_.inner;
    y_hat_ = y;
    for (long long k = 0; k < config_.inner_steps; ++k) {
      oracle_.inner_grad(x, y_hat_, gx_, gy_);
      y_hat_.noalias() -= config_.inner_step_size * gy_;
    }
    oracle_.inner_grad(x, y_hat_, q_x_, gy_);  // ∇_x g(x, ŷ_T)
    oracle_.inner_grad(x, y, gx_, q_y_);
    q_x_ = gx_ - q_x_;  // ∇_x q; ∇_y q = ∇_y g(x, y)
    oracle_.outer_grad(x, y, fx_, fy_);
    const Vector q_norm2 =
        q_x_.rowwise().squaredNorm() + q_y_.rowwise().squaredNorm();
    const Vector inner_product = (fx_.cwiseProduct(q_x_)).rowwise().sum() +
                                 (fy_.cwiseProduct(q_y_)).rowwise().sum();
    const Vector lambda =
        (q_norm2.array() > 0)
            .select(
                (config_.eta * q_norm2 - inner_product).cwiseMax(0.0).array() /
                    q_norm2.array(),
                0.0);
    state_.hypergradient = fx_ + lambda.asDiagonal() * q_x_;
    d_y_ = fy_ + lambda.asDiagonal() * q_y_;
  }

  const BilevelOracle& oracle_;
  BomeConfig config_;
  State state_;
  Matrix y_hat_, gx_, gy_, q_x_, q_y_, fx_, fy_, d_y_;
};

class Bome final : public ConfiguredBilevelSolver<BomeRun, BomeConfig> {
 public:
  static constexpr const char* kName = "bome";
  static constexpr const char* kDescription =
      "BOME (Ye et al. 2022): first-order value-gap method, a joint step on "
      "(x, y) along ∇f + λ∇q with λ from the control-barrier rule; no "
      "Hessian-vector or cross products";
  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "ξ: the joint step on (x, y) (benchopt's default "
                        "0.1)")
            .above(0),
        ParamSpec::real("inner_step_size", 0.1,
                        "step of the T gradient steps giving ŷ_T")
            .above(0),
        ParamSpec::integer("inner_steps", 10, "T (default 10)").at_least(0),
        ParamSpec::real("eta", 0.5,
                        "η: the decrease rate asked of q (default 0.5)")
            .above(0),
    };
  }
  explicit Bome(const Params& p)
      : ConfiguredBilevelSolver({p.real("step_size"), p.real("inner_step_size"),
                                 p.real("eta"), p.integer("inner_steps")}) {}
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Bome);

}  // namespace vibench
