// F2SA (Kwon, Kwon, Wright & Nowak, "A fully first-order method for
// stochastic bilevel optimization", ICML 2023), with the update rule of
// benchopt's current benchmark_bilevel (PAPERS.md §9.1): the penalty
//   f(x, y) + λ (g(x, y) − min_z g(x, z))
// is minimized by first-order steps only. Per outer step t:
//   K times:  y ← y − γ^y_t (∇_y f(x, y) + λ ∇_y g(x, y))
//             z ← z − γ^z_t ∇_y g(x, z)
//   x ← x − α_t (∇_x f(x, y) + λ (∇_x g(x, y) − ∇_x g(x, z)))
//   λ ← λ + δλ / (t+1)^{1/7}
// with γ^y_t = c/(t+1)^{5/7}, γ^z_t = c/(t+1)^{4/7} and
// α_t = (c / outer_ratio)/(t+1)^{4/7}, c = step_size. z tracks y*(x) and
// is reported as state.inner; y tracks the penalty's minimizer. The x
// direction is state.hypergradient (it tends to ∇F as λ grows); it is
// computed after each move (and once at the start), so it belongs to
// state.points. No Hessian-vector or cross product is ever called.
// Oracle calls per outer step and row: K + 1 outer gradients and 2K + 2
// inner gradients.
#include <cmath>
#include <memory>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"

namespace vibench {
namespace {

struct F2saConfig {
  double step_size, outer_ratio;
  long long inner_steps;
  double lambda0, lambda_increment;
  double exponent_y, exponent_z, exponent_x, exponent_lambda;
};

class F2saRun final : public Run {
 public:
  F2saRun(const BilevelOracle& oracle, const State& initial,
          const F2saConfig& config)
      : oracle_(oracle), config_(config), lambda_(config.lambda0) {
    state_ = bilevel_start(oracle, initial, "f2sa");
    y_ = initial.inner;  // state_.inner is z
    refresh();
  }

  void step() override {
    const double t1 = static_cast<double>(t_ + 1);
    const double alpha = config_.step_size / config_.outer_ratio /
                         std::pow(t1, config_.exponent_x);
    state_.points.noalias() -= alpha * state_.hypergradient;
    lambda_ += config_.lambda_increment / std::pow(t1, config_.exponent_lambda);
    ++t_;
    refresh();
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override { return {{"lambda", lambda_}}; }

 private:
  // The K inner steps at the current x, then the x direction.
  void refresh() {
    const Matrix& x = state_.points;
    Matrix& z = state_.inner;
    const double t1 = static_cast<double>(t_ + 1);
    const double step_y = config_.step_size / std::pow(t1, config_.exponent_y);
    const double step_z = config_.step_size / std::pow(t1, config_.exponent_z);
    for (long long k = 0; k < config_.inner_steps; ++k) {
      oracle_.outer_grad(x, y_, fx_, fy_);
      oracle_.inner_grad(x, y_, gx_, gy_);
      y_.noalias() -= step_y * (fy_ + lambda_ * gy_);
      oracle_.inner_grad(x, z, gzx_, gzy_);
      z.noalias() -= step_z * gzy_;
    }
    oracle_.outer_grad(x, y_, fx_, fy_);
    oracle_.inner_grad(x, y_, gx_, gy_);
    oracle_.inner_grad(x, z, gzx_, gzy_);
    state_.hypergradient = fx_ + lambda_ * (gx_ - gzx_);
  }

  const BilevelOracle& oracle_;
  F2saConfig config_;
  State state_;
  Matrix y_, fx_, fy_, gx_, gy_, gzx_, gzy_;
  double lambda_;
  long long t_ = 0;
};

class F2sa final : public ConfiguredBilevelSolver<F2saRun, F2saConfig> {
 public:
  static constexpr const char* kName = "f2sa";
  static constexpr const char* kDescription =
      "F2SA (Kwon et al. 2023), benchopt's current rule: fully first-order "
      "penalty method with a growing multiplier λ; no Hessian-vector or "
      "cross products";
  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.01,
                        "c of the y and z steps c/(t+1)^e (benchopt's "
                        "default 0.01)")
            .above(0),
        ParamSpec::real("outer_ratio", 1.0,
                        "the x step is step_size / outer_ratio / "
                        "(t+1)^exponent_x")
            .above(0),
        ParamSpec::integer("inner_steps", 10,
                           "K: steps on y and z per outer step (benchopt's "
                           "default 10)")
            .at_least(1),
        ParamSpec::real("lambda0", 1.0, "initial multiplier λ₀").above(0),
        ParamSpec::real("lambda_increment", 0.1,
                        "δλ: λ grows by δλ/(t+1)^exponent_lambda per outer "
                        "step")
            .at_least(0),
        ParamSpec::real("exponent_y", 5.0 / 7.0, "decay of the y step")
            .at_least(0),
        ParamSpec::real("exponent_z", 4.0 / 7.0, "decay of the z step")
            .at_least(0),
        ParamSpec::real("exponent_x", 4.0 / 7.0, "decay of the x step")
            .at_least(0),
        ParamSpec::real("exponent_lambda", 1.0 / 7.0, "decay of λ's increments")
            .at_least(0),
    };
  }
  explicit F2sa(const Params& p)
      : ConfiguredBilevelSolver({p.real("step_size"), p.real("outer_ratio"),
                                 p.integer("inner_steps"), p.real("lambda0"),
                                 p.real("lambda_increment"),
                                 p.real("exponent_y"), p.real("exponent_z"),
                                 p.real("exponent_x"),
                                 p.real("exponent_lambda")}) {}
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(F2sa);

}  // namespace vibench
