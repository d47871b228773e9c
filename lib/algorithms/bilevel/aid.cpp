// Approximate implicit differentiation (AID): one method, four registered
// variants that differ in how they solve the linear system and in their
// defaults.
//
// For min_x F(x) = f(x, y*(x)), y*(x) = argmin_y g(x, y):
//   ∇F(x) = ∇_x f − ∇²_xy g · v*,   ∇²_yy g · v* = ∇_y f.
// A run keeps, for every row, the outer iterate x, an inner iterate y and a
// linear-system iterate v, and the hypergradient estimate h at x:
//   refresh(x):  y ← y − β ∇_y g(x, y)        (inner_steps times, warm start;
//                                              fewer under a tolerance)
//                v ← solve ∇²_yy g(x, y) v = ∇_y f(x, y)   (linear_system.hpp)
//                h = ∇_x f(x, y) − ∇²_xy g(x, y) v
//   start():     refresh(x₀)
//   step():      x ← x + move(−h) by the update rule (`rule`, default sgd:
//                x ← x − η_t h, η_t from `schedule`);  refresh(x)
// so state.hypergradient is always the estimate at state.points (the one the
// next step will use), and state.inner the y it was computed with.
//
//   aid_cg       CG (Pedregosa, "Hyperparameter optimization with
//                approximate gradient", ICML 2016). With a
//                `tolerance_decrease` it runs HOAG's tolerance sequence: the
//                inner loop stops once max_i ‖∇_y g‖ ≤ ε_k and CG once its
//                residual is ≤ ε_k, with ε_k = ε₀/(k+1)² (quadratic),
//                ε₀/(k+1)³ (cubic) or ε₀ρ^k (exponential) at outer step k;
//                inner_steps and cg_iterations then cap the loops. ε₀ = 1e-3
//                and ρ = 0.9 are the defaults of HOAG's code (fabianp/hoag,
//                hoag.py), which differs in two ways kept out here: it
//                measures both tolerances relative to a norm (the inner one
//                to the first inner gradient's, CG's to ‖∇_y f‖, as scipy's
//                cg does) where vibench's are absolute, and it adapts its
//                outer step by a sufficient-decrease test (L ← 0.95L on
//                success; on failure L ← 2L and ε ← ε/2) where vibench takes
//                the update rule's step.
//   aid_neumann  a Neumann series, HIA or SHIA (PAPERS.md §9.2; Lorraine et
//                al., "Optimizing millions of hyperparameters by implicit
//                differentiation").
//   stocbio      Ji, Yang & Liang (ICML 2021): SHIA; with a minibatch task
//                (batch_size) every gradient and product is a fresh
//                minibatch. benchopt's defaults: step 0.1, 10 inner steps,
//                10 Neumann terms.
//   amigo        Arbel & Mairal (ICLR 2022): warm-started gradient descent
//                on the linear system's quadratic.
//   ttsa         Hong, Wai, Wang & Yang ("A two-timescale stochastic
//                algorithm framework for bilevel optimization", SIAM J.
//                Optim. 2023): one inner step per outer step, HIA, and two
//                decaying steps, β_k = β/(k+1)^{2/5} inner and
//                α_k = α/(k+1)^{3/5} outer (the paper's exponents for a
//                strongly convex F).
// Oracle calls per refresh and row: ≤ inner_steps inner gradients, 1 outer
// gradient, the linear solver's Hessian-vector products, 1 cross product.
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"
#include "algorithms/bilevel/linear_system.hpp"
#include "algorithms/first_order/first_order_step.hpp"
#include "algorithms/first_order/schedule.hpp"
#include "algorithms/first_order/update_rule.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

// HOAG's decreasing tolerances; `none` runs fixed iteration counts.
struct ToleranceSequence {
  std::string decrease = "none";
  double initial = 1e-3;
  double rate = 0.9;
  double at(long long k) const {
    const double t = static_cast<double>(k + 1);
    if (decrease == "quadratic") return initial / (t * t);
    if (decrease == "cubic") return initial / (t * t * t);
    if (decrease == "exponential")
      return initial * std::pow(rate, static_cast<double>(k));
    return 0.0;
  }
  static ParamSpecs params() {
    return {
        ParamSpec::string("tolerance_decrease", "none",
                          {"none", "quadratic", "cubic", "exponential"},
                          "HOAG's tolerance sequence ε_k for the inner loop "
                          "and the linear solve (none: fixed counts)"),
        ParamSpec::real("tolerance", 1e-3,
                        "ε₀ of the tolerance sequence (HOAG's code's "
                        "epsilon_tol_init, 1e-3)")
            .above(0),
        ParamSpec::real("tolerance_rate", 0.9,
                        "ρ of the exponential sequence ε₀ρ^k (HOAG's code's "
                        "exponential_decrease_factor, 0.9)")
            .above(0)
            .below(1),
    };
  }
  static ToleranceSequence from(const Params& p) {
    return {p.string("tolerance_decrease"), p.real("tolerance"),
            p.real("tolerance_rate")};
  }
};

struct AidConfig {
  const char* name;
  FirstOrderConfig outer;
  double inner_step_size;
  long long inner_steps;
  LinearSolverConfig linear;
  ToleranceSequence tolerance;
  // The inner step at outer step k is inner_step_size/(k+1)^decay (0 for
  // every variant but ttsa).
  double inner_step_decay = 0.0;
};

class AidRun final : public Run {
 public:
  AidRun(const BilevelOracle& oracle, const State& initial,
         const AidConfig& config, Rng rng)
      : oracle_(oracle),
        config_(config),
        outer_step_(config.outer),
        solver_(config.linear),
        rng_(std::move(rng)) {
    state_ = bilevel_start(oracle, initial, config.name);
    const Index n = state_.points.rows();
    v_ = Matrix::Zero(n, oracle.dim_y());
    refresh();
  }

  void step() override {
    direction_ = -state_.hypergradient;
    outer_step_.apply(state_.points, direction_);
    refresh();
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    Json out = {{"inner_steps_last", inner_steps_last_}};
    if (config_.linear.kind == LinearSolverKind::cg)
      out["cg_residual_norm_max"] = solver_.residual_norm_max();
    return out;
  }

 private:
  void refresh() {
    const Matrix& x = state_.points;
    Matrix& y = state_.inner;
    const double tolerance = config_.tolerance.at(refreshes_++);
    inner_steps_last_ = 0;
    for (long long k = 0; k < config_.inner_steps; ++k) {
      oracle_.inner_grad(x, y, gx_, gy_);
      if (tolerance > 0 && gy_.rowwise().norm().maxCoeff() <= tolerance) break;
      y.noalias() -= config_.inner_step_size * gy_;
      ++inner_steps_last_;
    }
    oracle_.outer_grad(x, y, fx_, fy_);
    solver_.solve(oracle_, x, y, fy_, v_, rng_, tolerance);
    state_.hypergradient = fx_ - oracle_.inner_cross(x, y, v_);
  }

  const BilevelOracle& oracle_;
  AidConfig config_;
  FirstOrderStep outer_step_;
  LinearSystemSolver solver_;
  Rng rng_;
  State state_;
  Matrix direction_, v_, gx_, gy_, fx_, fy_;
  long long refreshes_ = 0, inner_steps_last_ = 0;
};

// The shared parameters: the outer step, then the inner loop.
ParamSpecs aid_params(double step_size, const char* step_doc,
                      long long inner_steps, const char* inner_doc) {
  ParamSpecs specs =
      FirstOrderConfig::params_with_rule(step_size, step_doc, "sgd");
  specs.push_back(ParamSpec::real("inner_step_size", 0.1,
                                  "inner gradient step β on y (≤ 1/L_g for "
                                  "an L_g-smooth g; no paper default)")
                      .above(0));
  specs.push_back(
      ParamSpec::integer("inner_steps", inner_steps, inner_doc).at_least(0));
  return specs;
}

// A Neumann or gradient-descent step η ≥ 2/L makes (I − ηH)^j grow: refused
// where the task declares L of ∇_y g.
std::string check_series_step(const Task& task, double eta,
                              const char* parameter) {
  if (!task.offers(Capability::smoothness)) return "";
  const double l = static_cast<const Bilevel&>(task).inner_smoothness();
  if (eta < 2.0 / l) return "";
  return fmt::format(
      "{} = {} is at least 2/L = {:.6g} for this task's inner Hessian "
      "(L = {:.6g}): (I − {}·∇²_yy g)^j diverges; use {} < {:.6g}",
      parameter, eta, 2.0 / l, l, parameter, parameter, 2.0 / l);
}

// The base of the five registrations: the Neumann and gradient-descent
// steps are checked against the task's declared L.
class AidSolver : public ConfiguredBilevelSolver<AidRun, AidConfig,
                                                 Capability::hessian_vector> {
 public:
  using ConfiguredBilevelSolver::ConfiguredBilevelSolver;
  std::string check_task(const Task& task) const override {
    if (config().linear.kind == LinearSolverKind::cg) return "";
    return check_series_step(task, config().linear.step_size,
                             config().linear.kind == LinearSolverKind::gd
                                 ? "linear_step_size"
                                 : "neumann_step_size");
  }
};

class AidCg final : public AidSolver {
 public:
  static constexpr const char* kName = "aid_cg";
  static constexpr const char* kDescription =
      "approximate implicit differentiation with conjugate gradient "
      "(Pedregosa 2016): warm-started inner GD, CG on the Hessian system, "
      "outer step on the hypergradient estimate; HOAG with a "
      "tolerance_decrease";

  static ParamSpecs params() {
    ParamSpecs specs = aid_params(
        0.1, "outer step on the hypergradient estimate; no paper default", 10,
        "inner gradient steps per outer step, warm-started from the "
        "previous y (the cap under a tolerance)");
    specs.push_back(
        ParamSpec::integer("cg_iterations", 10,
                           "conjugate-gradient iterations per outer step on "
                           "∇²_yy g v = ∇_y f (the cap under a tolerance)")
            .at_least(0));
    specs.push_back(ParamSpec::boolean(
        "warm_start_v", true, "start CG from the previous v (true) or from 0"));
    for (auto& spec : ToleranceSequence::params())
      specs.push_back(std::move(spec));
    return specs;
  }
  explicit AidCg(const Params& p)
      : AidSolver({kName, FirstOrderConfig::from_params(p),
                   p.real("inner_step_size"), p.integer("inner_steps"),
                   LinearSolverConfig{LinearSolverKind::cg,
                                      p.integer("cg_iterations"), 0.0,
                                      p.boolean("warm_start_v")},
                   ToleranceSequence::from(p)}) {}
};

// The Neumann parameters of aid_neumann and stocbio.
ParamSpecs neumann_params(ParamSpecs specs, const char* default_estimator) {
  specs.push_back(ParamSpec::string(
      "estimator", default_estimator, {"shia", "hia"},
      "Neumann estimator: shia η Σ_{j≤K}(I − ηH)^j ∇_y f, or hia "
      "Kη(I − ηH)^p ∇_y f with p ~ U{0..K−1} (PAPERS.md §9.2)"));
  specs.push_back(ParamSpec::integer("neumann_steps", 10,
                                     "K: Neumann terms (Hessian-vector "
                                     "products per outer step)")
                      .at_least(0));
  specs.push_back(ParamSpec::real("neumann_step_size", 0.1,
                                  "η of the series, < 2/L of ∇²_yy g (no "
                                  "paper default; benchopt uses 0.1)")
                      .above(0));
  return specs;
}
LinearSolverConfig neumann_from(const Params& p) {
  return {linear_solver_from("neumann_" + p.string("estimator")),
          p.integer("neumann_steps"), p.real("neumann_step_size"), false};
}

class AidNeumann final : public AidSolver {
 public:
  static constexpr const char* kName = "aid_neumann";
  static constexpr const char* kDescription =
      "approximate implicit differentiation with a truncated Neumann series "
      "(HIA or SHIA) for the Hessian system";
  static ParamSpecs params() {
    return neumann_params(
        aid_params(0.1,
                   "outer step on the hypergradient estimate; no paper "
                   "default",
                   10,
                   "inner gradient steps per outer step, warm-started from "
                   "the previous y"),
        "shia");
  }
  explicit AidNeumann(const Params& p)
      : AidSolver({kName, FirstOrderConfig::from_params(p),
                   p.real("inner_step_size"), p.integer("inner_steps"),
                   neumann_from(p), ToleranceSequence{}}) {}
};

class StocBio final : public AidSolver {
 public:
  static constexpr const char* kName = "stocbio";
  static constexpr const char* kDescription =
      "stocBiO (Ji, Yang & Liang 2021): warm-started SGD on y, SHIA Neumann "
      "series from minibatch Hessian-vector products, SGD on x; "
      "stochastic where the task's batch_size is set";
  static ParamSpecs params() {
    return neumann_params(
        aid_params(0.1, "outer step β (benchopt's default 0.1)", 10,
                   "D: warm-started inner SGD steps per outer step "
                   "(benchopt's default 10)"),
        "shia");
  }
  explicit StocBio(const Params& p)
      : AidSolver({kName, FirstOrderConfig::from_params(p),
                   p.real("inner_step_size"), p.integer("inner_steps"),
                   neumann_from(p), ToleranceSequence{}}) {}
};

class Amigo final : public AidSolver {
 public:
  static constexpr const char* kName = "amigo";
  static constexpr const char* kDescription =
      "AmIGO (Arbel & Mairal 2022): warm-started inner SGD and warm-started "
      "gradient descent on ½vᵀ∇²_yy g v − vᵀ∇_y f for the Hessian system";
  static ParamSpecs params() {
    ParamSpecs specs =
        aid_params(0.1, "outer step on the hypergradient estimate", 10,
                   "warm-started inner SGD steps per outer step");
    specs.push_back(ParamSpec::integer("linear_steps", 10,
                                       "warm-started gradient steps on the "
                                       "linear system per outer step")
                        .at_least(0));
    specs.push_back(ParamSpec::real("linear_step_size", 0.1,
                                    "step of the linear-system descent, "
                                    "< 2/L of ∇²_yy g")
                        .above(0));
    return specs;
  }
  explicit Amigo(const Params& p)
      : AidSolver(
            {kName, FirstOrderConfig::from_params(p), p.real("inner_step_size"),
             p.integer("inner_steps"),
             LinearSolverConfig{LinearSolverKind::gd, p.integer("linear_steps"),
                                p.real("linear_step_size"), true},
             ToleranceSequence{}}) {}
};

class Ttsa final : public AidSolver {
 public:
  static constexpr const char* kName = "ttsa";
  static constexpr const char* kDescription =
      "TTSA (Hong et al. 2023): two-timescale stochastic approximation, one "
      "inner SGD step per outer step with steps decaying as k^{-2/5} "
      "(inner) and k^{-3/5} (outer), hypergradient by the HIA Neumann "
      "estimator";
  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::real("step_size", 0.1, "α of the outer step α/(k+1)^a")
            .above(0),
        ParamSpec::real("inner_step_size", 0.1,
                        "β of the inner step β/(k+1)^b (< 2/L_g)")
            .above(0),
        ParamSpec::real("outer_step_decay", 0.6,
                        "a (the paper's 3/5 for a strongly convex F)")
            .at_least(0),
        ParamSpec::real("inner_step_decay", 0.4, "b (the paper's 2/5)")
            .at_least(0),
    };
    ParamSpecs neumann = neumann_params({}, "hia");
    for (auto& spec : neumann) specs.push_back(std::move(spec));
    return specs;
  }
  explicit Ttsa(const Params& p)
      : AidSolver(
            {kName,
             FirstOrderConfig{
                 p.real("step_size"),
                 Schedule("polynomial",
                          Params(Json{{"power", p.real("outer_step_decay")},
                                      {"warmup_steps", 0}})),
                 find_rule("sgd").make(Params(Json::object()))},
             p.real("inner_step_size"), 1, neumann_from(p), ToleranceSequence{},
             p.real("inner_step_decay")}) {}
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Ttsa);
VIBENCH_REGISTER_ALGORITHM(AidCg);
VIBENCH_REGISTER_ALGORITHM(AidNeumann);
VIBENCH_REGISTER_ALGORITHM(StocBio);
VIBENCH_REGISTER_ALGORITHM(Amigo);

}  // namespace vibench
