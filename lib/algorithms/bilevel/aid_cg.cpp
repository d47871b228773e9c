// Approximate implicit differentiation with conjugate gradient (AID-CG;
// Pedregosa, "Hyperparameter optimization with approximate gradient", ICML
// 2016, with fixed iteration counts instead of HOAG's tolerance sequence).
//
// For min_x F(x) = f(x, y*(x)), y*(x) = argmin_y g(x, y):
//   ∇F(x) = ∇_x f − ∇²_xy g · v*,   ∇²_yy g · v* = ∇_y f.
// A run keeps, for every row, the outer iterate x, an inner iterate y and a
// linear-system iterate v, and the hypergradient estimate h at x:
//   refresh(x):  y ← y − β ∇_y g(x, y)          (inner_steps times, warm start)
//                v ← CG on ∇²_yy g(x, y) v = ∇_y f(x, y)
//                    (cg_iterations steps from the previous v)
//                h = ∇_x f(x, y) − ∇²_xy g(x, y) v
//   start():     refresh(x₀)
//   step():      x ← x + move(−h) by the update rule (`rule`, default sgd:
//                x ← x − η_t h, η_t from `schedule`);  refresh(x)
// so state.hypergradient is always the estimate at state.points (the one the
// next step will use), and state.inner the y it was computed with.
// Oracle calls per step and row: inner_steps inner gradients, 1 outer
// gradient, cg_iterations Hessian-vector products (+1 for the initial
// residual when warm-starting v) and 1 cross product.
#include <cmath>
#include <memory>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/first_order_step.hpp"

namespace vibench {
namespace {

struct AidCgConfig {
  FirstOrderConfig outer;
  double inner_step_size;
  long long inner_steps;
  long long cg_iterations;
  bool warm_start_v;
};

class AidCgRun final : public Run {
 public:
  AidCgRun(const BilevelOracle& oracle, const State& initial,
           const AidCgConfig& config)
      : oracle_(oracle), config_(config), outer_step_(config.outer) {
    state_.points = initial.points;
    const Index n = state_.points.rows();
    if (initial.inner.rows() != n || initial.inner.cols() != oracle.dim_y())
      throw std::invalid_argument(
          "aid_cg: the initial state needs one inner point (dim_y columns) "
          "per outer point");
    state_.inner = initial.inner;
    v_ = Matrix::Zero(n, oracle.dim_y());
    refresh();
  }

  void step() override {
    direction_ = -state_.hypergradient;
    outer_step_.apply(state_.points, direction_);
    refresh();
  }
  const State& state() const override { return state_; }
  // Largest CG residual norm ‖∇_y f − ∇²_yy g v‖ over the rows, from the CG
  // recursion of the latest refresh (no extra oracle call).
  Json diagnostics() const override {
    return {{"cg_residual_norm_max", residual_norm_max_}};
  }

 private:
  void refresh() {
    const Matrix& x = state_.points;
    Matrix& y = state_.inner;
    for (long long k = 0; k < config_.inner_steps; ++k) {
      oracle_.inner_grad(x, y, gx_, gy_);
      y.noalias() -= config_.inner_step_size * gy_;
    }
    oracle_.outer_grad(x, y, fx_, fy_);
    solve_linear_system();
    state_.hypergradient = fx_ - oracle_.inner_cross(x, y, v_);
  }

  // Per-row conjugate gradient on H_i v_i = b_i, H_i = ∇²_yy g(x_i, y_i),
  // b = ∇_y f; the step sizes α, β are per-row vectors. A row whose
  // residual vanishes, or whose curvature pᵀHp is not positive (g not
  // convex there), stops moving.
  void solve_linear_system() {
    const Matrix& x = state_.points;
    const Matrix& y = state_.inner;
    if (config_.warm_start_v) {
      r_ = fy_ - oracle_.inner_hvp_yy(x, y, v_);
    } else {
      v_.setZero();
      r_ = fy_;
    }
    p_ = r_;
    rs_ = r_.rowwise().squaredNorm();
    for (long long k = 0; k < config_.cg_iterations; ++k) {
      hp_ = oracle_.inner_hvp_yy(x, y, p_);
      curvature_ = (p_.array() * hp_.array()).rowwise().sum();
      alpha_ = (curvature_.array() > 0.0)
                   .select(rs_.array() / curvature_.array(), 0.0);
      v_.array() += p_.array().colwise() * alpha_.array();
      r_.array() -= hp_.array().colwise() * alpha_.array();
      rs_new_ = r_.rowwise().squaredNorm();
      beta_ = (rs_.array() > 0.0).select(rs_new_.array() / rs_.array(), 0.0);
      p_.array() = r_.array() + p_.array().colwise() * beta_.array();
      rs_ = rs_new_;
    }
    residual_norm_max_ = rs_.size() > 0 ? std::sqrt(rs_.maxCoeff()) : 0.0;
  }

  const BilevelOracle& oracle_;
  AidCgConfig config_;
  FirstOrderStep outer_step_;
  State state_;
  Matrix direction_, v_, gx_, gy_, fx_, fy_, r_, p_, hp_;
  Vector rs_, rs_new_, curvature_, alpha_, beta_;
  double residual_norm_max_ = 0.0;
};

class AidCg final : public BilevelSolver {
 public:
  static constexpr const char* kName = "aid_cg";
  static constexpr const char* kDescription =
      "approximate implicit differentiation with conjugate gradient "
      "(Pedregosa 2016): warm-started inner GD, CG on the Hessian system, "
      "outer step on the hypergradient estimate";

  static ParamSpecs params() {
    ParamSpecs specs = FirstOrderConfig::params_with_rule(
        0.1, "outer step on the hypergradient estimate; no paper default",
        "sgd");
    for (auto& spec : ParamSpecs{
             ParamSpec::real("inner_step_size", 0.1,
                             "inner gradient step β on y (≤ 1/L_g for an "
                             "L_g-smooth g; no paper default)")
                 .above(0),
             ParamSpec::integer("inner_steps", 10,
                                "inner gradient steps per outer step, warm-"
                                "started from the previous y")
                 .at_least(0),
             ParamSpec::integer(
                 "cg_iterations", 10,
                 "conjugate-gradient iterations per outer step on "
                 "∇²_yy g v = ∇_y f")
                 .at_least(0),
             ParamSpec::boolean(
                 "warm_start_v", true,
                 "start CG from the previous v (true) or from 0"),
         })
      specs.push_back(std::move(spec));
    return specs;
  }
  explicit AidCg(const Params& p)
      : config_{FirstOrderConfig::from_params(p), p.real("inner_step_size"),
                p.integer("inner_steps"), p.integer("cg_iterations"),
                p.boolean("warm_start_v")} {}

  Capabilities requirements() const override {
    return {Capability::hessian_vector};
  }

 protected:
  std::unique_ptr<Run> start_run(const BilevelOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<AidCgRun>(oracle, initial, config_);
  }

 private:
  AidCgConfig config_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(AidCg);

}  // namespace vibench
