// KSD descent with L-BFGS (Korba, Aubin-Frankowski, Majewski & Ablin,
// "Kernel Stein Discrepancy Descent", ICML 2021), the form the paper
// advocates: KSD² of the particles' empirical measure is an explicit
// function of their positions, so a robust optimizer with no step size can
// minimize it (the abstract: "KSD Descent can leverage robust
// parameter-free optimization schemes such as L-BFGS"). The whole n×d
// particle matrix X is one point of ℝ^{nd}, and
//   KSD²(X) = (1/n²) Σ_ij k_p(x_i, x_j)
// (ksd_gradient.hpp, as `ksd_descent` descends it) is minimized by L-BFGS
// with a strong Wolfe line search (algorithms/lbfgs_core.hpp).
//
// The authors' code (pierreablin/ksddescent at 9dfdfee,
// ksddescent/ksd_descent.py, `ksdd_lbfgs`, lines 99–186) hands the
// flattened particles to SciPy's fmin_l_bfgs_b (L-BFGS-B) with its defaults
// m = 10 and maxls = 20, and factr = 1e-12, pgtol = 1e-10,
// maxiter = 10 000, on the sum Σ_ij k_p = n²·KSD² (line 178) with a fixed
// bandwidth bw = 1 of exp(−r²/(2 bw)) (kernels.py line 109), i.e. h = 2 in
// vibench's exp(−r²/h). The defaults below are those: memory 10, at most 20
// evaluations per line search, and L-BFGS-B's line-search constants
// c₁ = ftol = 1e-3, c₂ = gtol = 0.9. The scale n² does not change the
// iterates: every test of L-BFGS is invariant to it except the stopping
// tolerances, which vibench does not have (below).
//
// This is L-BFGS, not L-BFGS-B. Without bounds, L-BFGS-B's generalized
// Cauchy point and subspace minimization give the same quasi-Newton step
// −H∇f over the same m pairs with H₀ = (sᵀy/yᵀy)I, and vibench keeps its
// safeguards: a pair with sᵀy ≤ ε_mach·(−∇fᵀs) is skipped, and a failed
// line search drops the memory and restarts from −∇f, or, when it was
// along −∇f already, ends all progress. It differs in:
//   - the line search: Nocedal & Wright's Alg. 3.5/3.6 (bracketing by
//     doubling, zoom by safeguarded cubic interpolation) instead of Moré &
//     Thuente's dcsrch. Both stop only at strong Wolfe points with the
//     constants above, but may choose different ones; and dcsrch's warnings
//     (rounding errors, interval below xtol) end L-BFGS-B's search on a
//     point that need not satisfy them, where vibench's search fails;
//   - the first trial after a restart: the unit-length step along −∇f, as
//     on the first iteration of both; L-BFGS-B tries the full step −∇f,
//     whose length depends on the scale of the objective;
//   - no stopping test: the runner's budget ends the cell. The authors'
//     factr = 1e-12 (a relative decrease below 2.2e-28) and pgtol = 1e-10
//     are at round-off level, so their runs end on maxiter or on a failed
//     line search, where vibench's run stops moving too;
//   - double precision throughout (the authors evaluate the kernel in
//     float32, line 169).
//
// The bandwidth. L-BFGS needs one objective for the whole run: its pairs
// (s, y) and its line search compare values and gradients taken at
// different points. The configured rule is therefore applied once, by the
// first evaluation, at the initial particles, and that h is held (the
// authors pass a fixed bw). The default rule is ksd_descent's and
// coin_ksdd's (median_code); bandwidth = fixed with bandwidth_value = 2 is
// the authors' default.
//
// A step is one L-BFGS iteration: its line search's trial points, each one
// batched score call and one batched Hessian-vector product on the n
// particles (n gradient and n Hessian-vector evaluations) plus O(n²d) for
// the kernel terms; the first step also evaluates the initial particles.
// A trial point where KSD² or its gradient is not finite is never
// accepted: it shortens the step. A KSD² that is not finite at the initial
// particles ends the cell as failed, saying so (a Run has no other way to
// stop a cell). Once no descent
// is left (a zero gradient, or a failed search along −∇f: where SciPy
// would return), the particles stay, and each further step evaluates them
// once more, counted, so that a budget in evaluations still ends the cell.
//
// Like the gradient form, the descent can stop at spurious stationary
// points on non-log-concave targets (the paper's §5 caveat).
#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <utility>

#include "algorithms/algorithm.hpp"
#include "algorithms/lbfgs_core.hpp"
#include "algorithms/samplers/ksd_gradient.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "core/error.hpp"
#include "core/param_struct.hpp"

namespace vibench {
namespace {

struct KsdDescentLbfgsSettings {
  long long n_particles = 100;
  long long memory = 10;
  double c1 = 1e-3;
  double c2 = 0.9;
  long long max_linesearch = 20;
  static void declare(ParamFields<KsdDescentLbfgsSettings>& f) {
    using S = KsdDescentLbfgsSettings;
    f.integer("n_particles", &S::n_particles,
              "number of particles n (ksd_descent's default; the authors' "
              "examples use 50)")
        .at_least(1);
    f.integer("memory", &S::memory,
              "m, the pairs (s, y) kept (SciPy's fmin_l_bfgs_b default "
              "m = 10, which the authors' ksdd_lbfgs keeps)")
        .at_least(1);
    f.real("c1", &S::c1,
           "sufficient-decrease constant of the line search (L-BFGS-B's "
           "ftol = 1e-3)")
        .above(0)
        .below(1);
    f.real("c2", &S::c2,
           "curvature constant of the strong Wolfe conditions (L-BFGS-B's "
           "gtol = 0.9); must exceed c1")
        .above(0)
        .below(1);
    f.integer("max_linesearch", &S::max_linesearch,
              "evaluations per line search at most (SciPy's fmin_l_bfgs_b "
              "default maxls = 20)")
        .at_least(1);
  }
};

class KsdDescentLbfgsRun final : public Run {
 public:
  KsdDescentLbfgsRun(const DistributionOracle& oracle, const State& initial,
                     const KernelConfig& kernel, Index kernel_tile_rows,
                     const LbfgsOptions& options)
      : oracle_(oracle),
        kernel_(kernel),
        tile_rows_(kernel_tile_rows),
        ksd_(kernel, kernel_tile_rows),
        lbfgs_(options) {
    state_.points = initial.points;
  }

  void step() override {
    const auto objective = [this](const Vector& x, Vector& gradient) {
      return evaluate(x, gradient);
    };
    if (!started_) {
      started_ = true;
      start(objective);
    }
    if (lbfgs_.stalled()) {
      // Nothing is left to descend; the evaluation only keeps the cost
      // counted, so that a budget of evaluations ends the cell.
      evaluate(lbfgs_.x(), recheck_gradient_);
      return;
    }
    lbfgs_.iterate(objective);
    state_.points = Eigen::Map<const Matrix>(lbfgs_.x().data(), n_, d_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {{"kernel", to_string(kernel_.type)},
            {"bandwidth_rule", to_string(kernel_.rule)},
            {"last_bandwidth", ksd_.last_bandwidth()},  // held since step 1
            {"last_ksd_squared", lbfgs_.value()},       // at state().points
            {"kernel_tile_rows", ksd_.tile_rows_for(n_)},
            {"stored_pairs", lbfgs_.stored_pairs()},
            {"skipped_pairs", lbfgs_.skipped_pairs()},
            {"restarts", lbfgs_.restarts()},
            {"stalled", lbfgs_.stalled()}};
  }

 private:
  // The first evaluation, at the initial particles, applies the bandwidth
  // rule there; that h is then held, so that L-BFGS sees one objective.
  template <class Objective>
  void start(const Objective& objective) {
    const Matrix& x0 = state_.points;
    n_ = x0.rows();
    d_ = x0.cols();
    const Vector flat = Eigen::Map<const Vector>(x0.data(), x0.size());
    const bool finite = lbfgs_.start(flat, objective);
    if (kernel_.rule != BandwidthRule::fixed) {
      KernelConfig held = kernel_;
      held.rule = BandwidthRule::fixed;
      held.fixed_bandwidth = ksd_.last_bandwidth();
      ksd_ = KsdGradient(held, tile_rows_);
    }
    if (!finite)
      throw std::runtime_error(fmt::format(
          "ksd_descent_lbfgs: KSD² or its gradient is not finite at the "
          "initial particles (KSD² = {}), so L-BFGS cannot start",
          lbfgs_.value()));
  }

  // KSD²(X) and ∇_X KSD² at the particles stored column by column in
  // `flat` (Eigen's layout of X), the gradient in the same layout: one
  // batched score call and one batched Hessian-vector product.
  double evaluate(const Vector& flat, Vector& gradient) {
    points_ = Eigen::Map<const Matrix>(flat.data(), n_, d_);
    oracle_.log_prob_grad(points_, logp_, score_);
    const double value = ksd_.compute(
        points_, score_,
        [&](const Matrix& v) {
          return oracle_.log_prob_hessian_vector(points_, v);
        },
        grad_);
    gradient = Eigen::Map<const Vector>(grad_.data(), grad_.size());
    return value;
  }

  const DistributionOracle& oracle_;
  const KernelConfig kernel_;  // as configured (rule included)
  const Index tile_rows_;      // 0: the whole n×n matrices
  KsdGradient ksd_;
  LbfgsMinimizer lbfgs_;
  State state_;
  bool started_ = false;
  Index n_ = 0, d_ = 0;
  // Workspaces of evaluate().
  Matrix points_, score_, grad_;
  Vector logp_, recheck_gradient_;
};

class KsdDescentLbfgs final : public Sampler {
 public:
  static constexpr const char* kName = "ksd_descent_lbfgs";
  static constexpr const char* kDescription =
      "Kernel Stein discrepancy descent with L-BFGS (Korba et al. 2021, the "
      "form the paper advocates): the particles' KSD^2 minimized by L-BFGS "
      "with a strong Wolfe line search, no step size; bandwidth held from "
      "the initial particles; needs hessian_vector";

  static ParamSpecs params() {
    ParamSpecs specs = specs_of<KsdDescentLbfgsSettings>();
    for (auto& spec : kernel_params(BandwidthRule::median_code)) {
      // The shared description says "re-evaluated at every step"; here the
      // rule is applied once.
      if (spec.name == "bandwidth")
        spec.description =
            "bandwidth rule, applied once at the initial particles and then "
            "held, since L-BFGS needs one objective; med² is the median "
            "squared pairwise distance: median (SVGD paper): h = "
            "med²/log n; median_code (SVGD authors' and Coin SVGD code): "
            "h = med²/log(n+1); median_squared: h = med²; fixed: h = "
            "bandwidth_value (the authors' ksdd_lbfgs: bw = 1 in "
            "exp(−r²/(2bw)), i.e. h = 2)";
      specs.push_back(std::move(spec));
    }
    specs.push_back(kernel_tile_param(AutomaticTiles::always));
    return specs;
  }

  explicit KsdDescentLbfgs(const Params& p)
      : settings_(read_struct<KsdDescentLbfgsSettings>(p)),
        kernel_(kernel_from(p, kName)),
        tile_rows_(kernel_tile_rows(p,
                                    static_cast<Index>(settings_.n_particles),
                                    AutomaticTiles::always)) {
    if (!(settings_.c1 < settings_.c2))
      throw ConfigError("",
                        "ksd_descent_lbfgs: the Wolfe constants need "
                        "c1 < c2");
  }

  Index num_points() const override {
    return static_cast<Index>(settings_.n_particles);
  }
  double workspace_bytes(Index) const override {
    return KsdGradient::pairwise_workspace_bytes(
        static_cast<Index>(settings_.n_particles), tile_rows_);
  }
  Capabilities requirements() const override {
    return {Capability::hessian_vector};
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    const LbfgsOptions options{
        .memory = static_cast<Index>(settings_.memory),
        .c1 = settings_.c1,
        .c2 = settings_.c2,
        .max_trials = settings_.max_linesearch,
    };
    return std::make_unique<KsdDescentLbfgsRun>(oracle, initial, kernel_,
                                                tile_rows_, options);
  }

 private:
  KsdDescentLbfgsSettings settings_;
  KernelConfig kernel_;
  Index tile_rows_;  // 0: the whole n×n matrices
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(KsdDescentLbfgs);

}  // namespace vibench
