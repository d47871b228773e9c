// MAID, the method of adaptive inexact descent (Salehi, Mukherjee, Roberts &
// Ehrhardt, "An adaptively inexact first-order method for bilevel
// optimization with application to hyperparameter learning", SIAM J. Math.
// Data Sci., arXiv:2308.10098). Hypergradient descent whose step comes from
// a backtracking line search on inexact values, and whose lower-level
// accuracy ε and linear-solve accuracy δ are set as it runs, not fixed in
// advance. The rules below follow the authors' code (MAID.py of
// MohammadSadeghSalehi/MAID; the paper's body could not be read here).
//
// For one run, with ỹ ≈ y*(x) to ‖ỹ − y*‖ ≤ ε and q ≈ ∇²_yy g⁻¹∇_y f:
//   lower solve   accelerated gradient descent on g(x, ·) from the previous
//                 ỹ (momentum (√L − √μ)/(√L + √μ), step 1/L, with μ(x), L(x)
//                 declared by the task) until ‖∇_y g‖/μ ≤ ε, then one more
//                 gradient step: the strongly convex FISTA the scripts
//                 name (as written, their loop resets x_old = x each
//                 iteration, so it runs plain gradient descent; and
//                 Quadratic.py stops at ‖∇_y g‖/(2μ) ≤ ε);
//   linear solve  CG from 0 on ∇²_yy g(x, ỹ) q = ∇_y f(x, ỹ) until the
//                 residual is ≤ δ (absolute, as in the code);
//   estimate      h = ∇_x f − ∇²_xy g·q at (x, ỹ);
//   descent test  the error bound ω ≥ ‖h − ∇F(x)‖ must satisfy
//                 ω ≤ (1 − η)‖h‖, else ε ← τε, δ ← τδ and the estimate is
//                 recomputed (warm-started);
//   line search   α = β, βρ, βρ², … (`line_search_trials` + j trials at
//                 attempt j): x⁺ = x − αh, ỹ⁺ by the lower solve at x⁺, and
//                 accept when the upper bound of F(x⁺) is below the lower
//                 bound of F(x) by α η² ‖h‖²:
//                   f(x⁺, ỹ⁺) + ‖∇_y f(x⁺, ỹ⁺)‖ε + L_f ε²/2
//                     − (f(x, ỹ) − ‖∇_y f(x, ỹ)‖ε) ≤ −α η² ‖h‖²;
//   on success    β ← α·step_growth, ε ← νε, δ ← νδ;
//   on failure    ε ← τε, δ ← τδ, recompute the estimate, try again (at most
//                 `attempts` times per step; x stays if all fail).
// With `fixed_accuracy` ε and δ never change (the code's fixed_eps runs,
// which also shorten the line searches to 5 + j trials: set
// line_search_trials to 5 for them). If a lower solve or CG stops at its
// iteration cap, the accuracy it reached (‖∇_y g‖/μ, the CG residual)
// replaces ε or δ in the bound and the line search. The line search's lower
// bound f(x, ỹ) − ‖∇_y f‖ε of F(x) holds for f(x, ·) convex, as in the
// code's problems.
//
// The error bound. With B = ‖∇²_xy g‖, L_A and L_B the Lipschitz constants
// of ∇²_yy g and ∇²_xy g in y, and L_f that of ∇f(x, ·), splitting
// h − ∇F(x) as in the code's bound gives
//   ω = ε·[L_f(1 + B/μ) + G·(B L_A/μ² + L_B/μ)] + B δ/μ,
//   G = ‖∇_y f(x, ỹ)‖ + L_f ε ≥ ‖∇_y f(x, y*)‖.
// μ and L_f are declared by the task (Capability::error_bounds); B, L_A and
// L_B are estimated as the run goes, as the code does, by running maxima
// (the code recomputes its B at every estimate): B from ‖∇²_xy g·q‖/‖q‖, L_A
// and L_B from the change of ∇²_yy g·q and ∇²_xy g·q between ỹ and ỹ + ξ, ‖ξ‖ =
// max(ε, √u (1 + ‖ỹ‖)) in a random direction (two Hessian-vector and one cross
// product per estimate; the code estimates the inverse's constant with a second
// CG solve instead). Deviations from the code, each a choice of vibench: the
// bound includes ∇_x f's change in y (the code's problems have none); the
// line search compares with f(x, ỹ) at the current estimate's ỹ (the code
// with the value recorded at the last acceptance).
//
// Defaults: the code's class defaults (ε₀ = δ₀ = 0.1, β₀ = 0.1, η = 1e-4,
// ρ = 0.9, τ = 0.5, ν = 1.05, growth 10/9, 3 attempts of 10 + j trials,
// 2000 lower-level and CG iterations at most); its scripts also use
// ρ = 0.5, ν = 1.25 and β₀ = 0.01. `max_refinements` bounds the descent
// test's loop and `min_accuracy` floors ε and δ, where the code has
// neither (at a stationary point it would tighten them forever). As in the
// code, β only changes on an accepted step: a β₀ far too large for the
// problem is never accepted, and the run stays where it is.
//
// Runs are independent per row (each has its own ε, δ, β and line search),
// so rows are stepped one at a time. Oracle calls per estimate: the lower
// solve's inner gradients, 1 outer gradient, the CG's Hessian-vector
// products, 1 cross product, and 2 Hessian-vector and 1 cross product for
// the constants, then 1 outer value once the descent test holds; per
// line-search trial: a lower solve, 1 outer value and 1 outer gradient.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"
#include "algorithms/bilevel/linear_system.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

struct MaidConfig {
  double step_size, accuracy, linear_accuracy, eta, backtracking, tighten,
      relax, step_growth;
  long long attempts, line_search_trials, max_inner_steps, max_cg_iterations,
      max_refinements;
  double min_accuracy;
  bool fixed_accuracy;
};

// What a run has spent and found, for diagnostics.
struct MaidTally {
  long long lower_level_iterations = 0, estimates = 0, refinements = 0,
            line_searches = 0, line_search_trials = 0, failed_steps = 0;
};

// One run: a single row of x and y.
class MaidRow {
 public:
  MaidRow(const BilevelOracle& oracle, const MaidConfig& config, RowVector x,
          RowVector y, Rng& rng)
      : oracle_(oracle),
        config_(config),
        rng_(rng),
        cg_({LinearSolverKind::cg, config.max_cg_iterations, 0.0, false}),
        x_(std::move(x)),
        y_(std::move(y)),
        epsilon_(config.accuracy),
        delta_(config.linear_accuracy),
        beta_(config.step_size) {
    estimate();
  }

  // One outer iteration: the line search, retried at tighter accuracies.
  void step() {
    for (long long j = 0; j < config_.attempts; ++j) {
      if (line_search(config_.line_search_trials + j)) {
        if (!config_.fixed_accuracy) {
          epsilon_ *= config_.relax;
          delta_ *= config_.relax;
        }
        estimate();
        return;
      }
      if (!config_.fixed_accuracy) tighten();
      estimate();
    }
    ++tally_.failed_steps;
  }

  const Matrix& x() const { return x_; }
  const Matrix& y() const { return y_; }
  const Matrix& hypergradient() const { return h_; }
  const MaidTally& tally() const { return tally_; }
  Json diagnostics() const {
    return {{"accuracy", epsilon_},
            {"linear_accuracy", delta_},
            {"step_size", beta_},
            {"error_bound", bound_},
            {"cross_norm_estimate", cross_norm_},
            {"hessian_lipschitz_estimate", hessian_lipschitz_},
            {"cross_lipschitz_estimate", cross_lipschitz_},
            {"lower_level_iterations", tally_.lower_level_iterations},
            {"estimates", tally_.estimates},
            {"refinements", tally_.refinements},
            {"line_searches", tally_.line_searches},
            {"line_search_trials", tally_.line_search_trials},
            {"failed_steps", tally_.failed_steps}};
  }

 private:
  // ε ← τε and δ ← τδ, not below min_accuracy; false if both were there.
  bool tighten() {
    const double epsilon =
        std::max(epsilon_ * config_.tighten, config_.min_accuracy);
    const double delta =
        std::max(delta_ * config_.tighten, config_.min_accuracy);
    const bool moved = epsilon < epsilon_ || delta < delta_;
    epsilon_ = epsilon;
    delta_ = delta;
    return moved;
  }

  // y ← an ε-accurate y*(x) by accelerated gradient descent from y; returns
  // the accuracy certified, ‖∇_y g‖/μ at the last gradient (above ε only
  // when max_inner_steps ran out; the final gradient step only gets closer).
  double lower_solve(const Matrix& x, Matrix& y) {
    const double mu = oracle_.inner_strong_convexity(x)(0);
    if (!(mu > 0) || !std::isfinite(mu))
      throw std::runtime_error(fmt::format(
          "maid: the task's strong convexity μ(x) = {} is not positive", mu));
    const double l = std::max(oracle_.inner_smoothness_at(x)(0), mu);
    const double momentum =
        (std::sqrt(l) - std::sqrt(mu)) / (std::sqrt(l) + std::sqrt(mu));
    z_ = y;
    previous_ = y;
    double certified = std::numeric_limits<double>::infinity();
    for (long long k = 0; k < config_.max_inner_steps; ++k) {
      oracle_.inner_grad(x, z_, gx_, gy_);
      ++tally_.lower_level_iterations;
      certified = gy_.norm() / mu;
      y = z_ - gy_ / l;
      if (certified <= epsilon_) break;
      z_ = y + momentum * (y - previous_);
      previous_ = y;
    }
    return certified;
  }

  // h at x from ỹ (refined until the descent test holds), its bound ω, and
  // f(x, ỹ) for the line search.
  void estimate() {
    for (long long r = 0;; ++r) {
      ++tally_.estimates;
      // The accuracies reached, which exceed ε and δ only when a solver's
      // iteration cap ran out: the bound and the line search use these.
      reached_epsilon_ = std::max(epsilon_, lower_solve(x_, y_));
      oracle_.outer_grad(x_, y_, fx_, fy_);
      q_.setZero(1, y_.cols());  // CG from 0 (its cold start keeps the size)
      cg_.solve(oracle_, x_, y_, fy_, q_, rng_, delta_);
      reached_delta_ = std::max(delta_, cg_.residual_norm_max());
      cross_q_ = oracle_.inner_cross(x_, y_, q_);
      h_ = fx_ - cross_q_;
      bound_ = error_bound();
      if (config_.fixed_accuracy || r >= config_.max_refinements ||
          bound_ <= (1.0 - config_.eta) * h_.norm() || !tighten())
        break;
      ++tally_.refinements;
    }
    value_ = oracle_.outer_value(x_, y_)(0);
    lower_bound_ = value_ - fy_.norm() * reached_epsilon_;
  }

  double error_bound() {
    const double q_norm = q_.norm();
    const double mu = oracle_.inner_strong_convexity(x_)(0);
    const double l_f = oracle_.outer_smoothness();
    if (q_norm > 0) {
      cross_norm_ = std::max(cross_norm_, cross_q_.norm() / q_norm);
      // ỹ + ξ in a random direction, far enough from ỹ that rounding does
      // not dominate the differences.
      const double radius = std::max(
          reached_epsilon_, std::sqrt(std::numeric_limits<double>::epsilon()) *
                                (1.0 + y_.norm()));
      xi_ = rng_.normal_vector(y_.cols()).transpose();
      shifted_ = y_ + (radius / xi_.norm()) * xi_;
      const Matrix hq = oracle_.inner_hvp_yy(x_, y_, q_);
      const Matrix hq_shifted = oracle_.inner_hvp_yy(x_, shifted_, q_);
      const Matrix cross_shifted = oracle_.inner_cross(x_, shifted_, q_);
      hessian_lipschitz_ = std::max(
          hessian_lipschitz_, (hq_shifted - hq).norm() / (radius * q_norm));
      cross_lipschitz_ =
          std::max(cross_lipschitz_,
                   (cross_shifted - cross_q_).norm() / (radius * q_norm));
    }
    const double b = cross_norm_;
    const double epsilon = reached_epsilon_;
    const double g = fy_.norm() + l_f * epsilon;
    return epsilon *
               (l_f * (1.0 + b / mu) + g * (b * hessian_lipschitz_ / (mu * mu) +
                                            cross_lipschitz_ / mu)) +
           b * reached_delta_ / mu;
  }

  // Backtracking from β on the current estimate; moves x, y on success.
  bool line_search(long long trials) {
    ++tally_.line_searches;
    const double decrease = config_.eta * config_.eta * h_.squaredNorm();
    for (long long i = 0; i < trials; ++i) {
      ++tally_.line_search_trials;
      const double alpha =
          beta_ * std::pow(config_.backtracking, static_cast<double>(i));
      x_trial_ = x_ - alpha * h_;
      y_trial_ = y_;
      const double epsilon =
          std::max(epsilon_, lower_solve(x_trial_, y_trial_));
      const double value = oracle_.outer_value(x_trial_, y_trial_)(0);
      oracle_.outer_grad(x_trial_, y_trial_, fx_trial_, fy_trial_);
      const double upper = value + fy_trial_.norm() * epsilon +
                           0.5 * oracle_.outer_smoothness() * epsilon * epsilon;
      if (upper - lower_bound_ <= -alpha * decrease) {
        x_ = x_trial_;
        y_ = y_trial_;
        beta_ = alpha * config_.step_growth;
        return true;
      }
    }
    return false;
  }

  const BilevelOracle& oracle_;
  const MaidConfig& config_;
  Rng& rng_;
  LinearSystemSolver cg_;
  Matrix x_, y_, h_, q_, fx_, fy_, gx_, gy_, cross_q_, z_, previous_, xi_,
      shifted_, x_trial_, y_trial_, fx_trial_, fy_trial_;
  double epsilon_, delta_, beta_;
  double reached_epsilon_ = 0, reached_delta_ = 0;
  double value_ = 0, lower_bound_ = 0, bound_ = 0;
  double cross_norm_ = 0, hessian_lipschitz_ = 0, cross_lipschitz_ = 0;
  MaidTally tally_;
};

class MaidRun final : public Run {
 public:
  MaidRun(const BilevelOracle& oracle, const State& initial,
          const MaidConfig& config, Rng rng)
      : config_(config), rng_(std::move(rng)) {
    state_ = bilevel_start(oracle, initial, "maid");
    state_.hypergradient.resize(state_.points.rows(), state_.points.cols());
    for (Index i = 0; i < state_.points.rows(); ++i)
      rows_.push_back(std::make_unique<MaidRow>(
          oracle, config_, state_.points.row(i), state_.inner.row(i), rng_));
    publish();
  }

  // The rows keep references to config_ and rng_.
  MaidRun(const MaidRun&) = delete;
  MaidRun& operator=(const MaidRun&) = delete;

  void step() override {
    for (auto& row : rows_) row->step();
    publish();
  }
  const State& state() const override { return state_; }
  // The first run's (a bilevel cell has one).
  Json diagnostics() const override { return rows_.front()->diagnostics(); }

 private:
  void publish() {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const Index r = static_cast<Index>(i);
      state_.points.row(r) = rows_[i]->x();
      state_.inner.row(r) = rows_[i]->y();
      state_.hypergradient.row(r) = rows_[i]->hypergradient();
    }
  }

  MaidConfig config_;
  Rng rng_;
  State state_;
  std::vector<std::unique_ptr<MaidRow>> rows_;
};

class Maid final : public ConfiguredBilevelSolver<MaidRun, MaidConfig,
                                                  Capability::hessian_vector,
                                                  Capability::error_bounds> {
 public:
  static constexpr const char* kName = "maid";
  static constexpr const char* kDescription =
      "MAID (Salehi, Mukherjee, Roberts & Ehrhardt 2023): hypergradient "
      "descent with a backtracking line search on inexact values and "
      "lower-level and CG accuracies tightened or relaxed as it runs";

  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "β₀, the line search's first trial step (the code's "
                        "default; its scripts use 0.01)")
            .above(0),
        ParamSpec::real("accuracy", 0.1,
                        "ε₀: the lower-level accuracy ‖ỹ − y*‖ ≤ ε, certified "
                        "by ‖∇_y g‖/μ ≤ ε")
            .above(0),
        ParamSpec::real("linear_accuracy", 0.1,
                        "δ₀: the CG residual tolerance (absolute)")
            .above(0),
        ParamSpec::real("eta", 1e-4,
                        "η of the descent test ω ≤ (1 − η)‖h‖ and of the "
                        "sufficient decrease α η² ‖h‖² (the code's 1e-4)")
            .above(0)
            .below(1),
        ParamSpec::real("backtracking", 0.9,
                        "ρ, the line search's step factor (the code's 0.9; "
                        "its scripts use 0.5)")
            .above(0)
            .below(1),
        ParamSpec::real("tighten", 0.5,
                        "τ: ε and δ are multiplied by τ when a test fails")
            .above(0)
            .below(1),
        ParamSpec::real("relax", 1.05,
                        "ν: ε and δ are multiplied by ν after an accepted "
                        "step (the code's 1.05; its scripts use 1.25)")
            .at_least(1),
        ParamSpec::real("step_growth", 10.0 / 9.0,
                        "the next line search starts from the accepted step "
                        "times this (the code's 10/9)")
            .at_least(1),
        ParamSpec::integer("attempts", 3,
                           "line searches per step, each after tightening "
                           "ε and δ (the code's 3)")
            .at_least(1),
        ParamSpec::integer("line_search_trials", 10,
                           "trial steps of the first line search; attempt j "
                           "has this + j (the code's 10)")
            .at_least(1),
        ParamSpec::integer("max_inner_steps", 2000,
                           "cap on the lower solve's iterations (the code's "
                           "2000)")
            .at_least(1),
        ParamSpec::integer("max_cg_iterations", 2000,
                           "cap on the CG iterations (the code's 2000)")
            .at_least(1),
        ParamSpec::integer("max_refinements", 40,
                           "cap on the descent test's tightenings per "
                           "estimate (vibench's; the code has none)")
            .at_least(0),
        ParamSpec::real("min_accuracy", 1e-14,
                        "floor of ε and δ (vibench's: near a stationary "
                        "point the descent test would tighten them to 0; "
                        "the code has none)")
            .above(0),
        ParamSpec::boolean("fixed_accuracy", false,
                           "keep ε and δ at ε₀ and δ₀ (the code's fixed_eps "
                           "runs: the line search alone adapts)"),
    };
  }
  explicit Maid(const Params& p)
      : ConfiguredBilevelSolver(
            {p.real("step_size"), p.real("accuracy"), p.real("linear_accuracy"),
             p.real("eta"), p.real("backtracking"), p.real("tighten"),
             p.real("relax"), p.real("step_growth"), p.integer("attempts"),
             p.integer("line_search_trials"), p.integer("max_inner_steps"),
             p.integer("max_cg_iterations"), p.integer("max_refinements"),
             p.real("min_accuracy"), p.boolean("fixed_accuracy")}) {}

  // The bound and the line search assume exact oracles.
  std::string check_task(const Task& task) const override {
    if (task.batch_size() == 0) return "";
    return fmt::format(
        "maid needs exact oracles, and this task estimates them from "
        "minibatches of {} rows; drop batch_size",
        task.batch_size());
  }
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Maid);

}  // namespace vibench
