// BO-REP (Hao, Gong & Liu, "Bilevel optimization under unbounded
// smoothness: a new algorithm and convergence analysis", ICLR 2024), for an
// upper level whose smoothness grows with the gradient. The paper's
// pseudo-code could not be read offline; the rules follow its abstract,
// PAPERS.md §7.6 and the authors' released code
// (MingruiLiu-ML-Lab/Bilevel-Optimization-under-Unbounded-Smoothness,
// data_cleaning/bo_rep.py), which agree on:
//   initialization refinement: `refinement_steps` inner gradient steps at
//       x₀ before the first outer step (in the code this is the periodic
//       update firing at step 0, so its default is inner_steps);
//   periodic updates: every `period` outer steps, `inner_steps` gradient
//       steps on y (warm-started); y is held fixed in between;
//   linear system: one step per outer step, z ← z − ν(∇²_yy g·z − ∇_y f),
//       from z = 0 (the code draws a random start) and never projected (the
//       code does not project either);
//   upper level: normalized momentum
//       m ← βm + (1 − β)ĥ,  ĥ = ∇_x f − ∇²_xy g·z,  x ← x − η m/‖m‖
//   (per row), so a step never exceeds η whatever the gradient's size.
// Defaults are the code's data-cleaning experiment (η = 0.05, β = 0.9,
// ν = 0.01, lower-level step 0.05, I = 2, N = 10). Not copied from the
// code: its lower-level loop never zeroes PyTorch's gradients, so its k-th
// step uses the sum of k + 1 gradients; its data-cleaning run takes one
// extra step per update (N + 1) and evaluates ∇²_yy g·z before the update
// (its other experiments after, as here).
// state.hypergradient is ĥ at the current x (computed after each move).
// Oracle calls per outer step and row: 1 outer gradient, 1 Hessian-vector
// and 1 cross product, plus inner_steps inner gradients every period-th
// step (refinement_steps once at the start).
#include <memory>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"

namespace vibench {
namespace {

struct BoRepConfig {
  double step_size, momentum, inner_step_size, linear_step_size;
  long long period, inner_steps, refinement_steps;
};

class BoRepRun final : public Run {
 public:
  BoRepRun(const BilevelOracle& oracle, const State& initial,
           const BoRepConfig& config)
      : oracle_(oracle), config_(config) {
    state_ = bilevel_start(oracle, initial, "bo_rep");
    const Index n = state_.points.rows();
    z_ = Matrix::Zero(n, oracle.dim_y());
    m_ = Matrix::Zero(n, oracle.dim_x());
    inner_descent(config_.refinement_steps);
    estimate();
  }

  void step() override {
    m_ =
        config_.momentum * m_ + (1.0 - config_.momentum) * state_.hypergradient;
    const Vector norms = m_.rowwise().norm();
    for (Index i = 0; i < m_.rows(); ++i)
      if (norms(i) > 0)
        state_.points.row(i) -= (config_.step_size / norms(i)) * m_.row(i);
    ++t_;
    if (t_ % config_.period == 0) inner_descent(config_.inner_steps);
    estimate();
  }
  const State& state() const override { return state_; }

 private:
  void inner_descent(long long steps) {
    for (long long k = 0; k < steps; ++k) {
      oracle_.inner_grad(state_.points, state_.inner, gx_, gy_);
      state_.inner.noalias() -= config_.inner_step_size * gy_;
    }
  }
  // One step on z, then ĥ at the current (x, y, z).
  void estimate() {
    const Matrix& x = state_.points;
    const Matrix& y = state_.inner;
    oracle_.outer_grad(x, y, fx_, fy_);
    z_.noalias() -=
        config_.linear_step_size * (oracle_.inner_hvp_yy(x, y, z_) - fy_);
    state_.hypergradient = fx_ - oracle_.inner_cross(x, y, z_);
  }

  const BilevelOracle& oracle_;
  BoRepConfig config_;
  State state_;
  Matrix z_, m_, gx_, gy_, fx_, fy_;
  long long t_ = 0;
};

class BoRep final : public ConfiguredBilevelSolver<BoRepRun, BoRepConfig,
                                                   Capability::hessian_vector> {
 public:
  static constexpr const char* kName = "bo_rep";
  static constexpr const char* kDescription =
      "BO-REP (Hao, Gong & Liu 2024): normalized-momentum upper level, "
      "lower level refined at the start and updated every `period` steps, "
      "one linear-system step per iteration; for unbounded smoothness";
  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.05,
                        "η: the length of every upper-level step (the code's "
                        "data cleaning: 0.05)")
            .above(0),
        ParamSpec::real("momentum", 0.9, "β of the momentum")
            .at_least(0)
            .below(1),
        ParamSpec::real("inner_step_size", 0.05,
                        "step of the lower-level gradient steps (< 2/L_g; "
                        "the code's data cleaning: 0.05)")
            .above(0),
        ParamSpec::real("linear_step_size", 0.01,
                        "ν of the linear-system step (< 2/L_g; the code's "
                        "0.01 in every experiment)")
            .above(0),
        ParamSpec::integer("period", 2,
                           "I: outer steps between lower-level updates (the "
                           "code's 2; 3 in its hyper-representation run)")
            .at_least(1),
        ParamSpec::integer("inner_steps", 10,
                           "N: lower-level gradient steps per update (the "
                           "code's data cleaning: 10; 3 elsewhere)")
            .at_least(0),
        ParamSpec::integer("refinement_steps", 10,
                           "lower-level gradient steps of the initialization "
                           "refinement at x₀ (the code's step-0 update: N)")
            .at_least(0),
    };
  }
  explicit BoRep(const Params& p)
      : ConfiguredBilevelSolver(
            {p.real("step_size"), p.real("momentum"), p.real("inner_step_size"),
             p.real("linear_step_size"), p.integer("period"),
             p.integer("inner_steps"), p.integer("refinement_steps")}) {}
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(BoRep);

}  // namespace vibench
