// Iterative differentiation (ITD; Franceschi et al., "Forward and reverse
// gradient-based hyperparameter optimization", ICML 2017) and truncated
// back-propagation (Shaban et al., "Truncated back-propagation for bilevel
// optimization", AISTATS 2019).
//
// Each outer step runs T inner gradient steps
//   y_{t+1} = y_t − β ∇_y g(x, y_t),   t = 0 … T−1,
// from y_0 (the previous y_T when warm-started, treated as a constant),
// keeps the last K iterates y_{T−K} … y_{T−1}, and differentiates
// f(x, y_T(x)) in reverse mode through those K steps:
//   α = ∇_y f(x, y_T),  h = ∇_x f(x, y_T)
//   for t = T−1 down to T−K:  h ← h − β ∇²_xy g(x, y_t) α
//                             α ← (I − β ∇²_yy g(x, y_t)) α   (not after
//                                                          the last one)
// so K = T is full reverse-mode ITD and K < T the truncated hypergradient,
// biased by the steps it leaves out. Then x ← x + move(−h) by the rule.
// Oracle calls per outer step and row: T inner gradients, 1 outer
// gradient, K cross products and K − 1 Hessian-vector products.
#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"
#include "algorithms/first_order/first_order_step.hpp"
#include "core/error.hpp"

namespace vibench {
namespace {

struct ItdConfig {
  const char* name;
  FirstOrderConfig outer;
  double inner_step_size;
  long long inner_steps;     // T
  long long backprop_steps;  // K ≤ T
  bool warm_start;
};

class ItdRun final : public Run {
 public:
  ItdRun(const BilevelOracle& oracle, const State& initial,
         const ItdConfig& config)
      : oracle_(oracle), config_(config), outer_step_(config.outer) {
    state_ = bilevel_start(oracle, initial, config.name);
    start_y_ = initial.inner;
    trajectory_.resize(static_cast<size_t>(config.backprop_steps));
    refresh();
  }

  void step() override {
    direction_ = -state_.hypergradient;
    outer_step_.apply(state_.points, direction_);
    refresh();
  }
  const State& state() const override { return state_; }

 private:
  void refresh() {
    const Matrix& x = state_.points;
    const long long t_total = config_.inner_steps;
    const long long kept = config_.backprop_steps;
    Matrix& y = state_.inner;
    if (!config_.warm_start || y.size() == 0) y = start_y_;
    for (long long t = 0; t < t_total; ++t) {
      // Keep y_t for the last K steps (slot t − (T − K)).
      if (t >= t_total - kept) trajectory_[t - (t_total - kept)] = y;
      oracle_.inner_grad(x, y, gx_, gy_);
      y.noalias() -= config_.inner_step_size * gy_;
    }
    oracle_.outer_grad(x, y, h_, alpha_);
    for (long long s = kept - 1; s >= 0; --s) {
      const Matrix& y_t = trajectory_[static_cast<size_t>(s)];
      h_.noalias() -=
          config_.inner_step_size * oracle_.inner_cross(x, y_t, alpha_);
      if (s > 0)
        alpha_.noalias() -=
            config_.inner_step_size * oracle_.inner_hvp_yy(x, y_t, alpha_);
    }
    state_.hypergradient = h_;
  }

  const BilevelOracle& oracle_;
  ItdConfig config_;
  FirstOrderStep outer_step_;
  State state_;
  Matrix start_y_, direction_, gx_, gy_, h_, alpha_;
  std::vector<Matrix> trajectory_;  // y_{T−K} … y_{T−1}
};

ParamSpecs itd_params() {
  ParamSpecs specs = FirstOrderConfig::params_with_rule(
      0.1, "outer step on the hypergradient estimate; no paper default", "sgd");
  specs.push_back(ParamSpec::real("inner_step_size", 0.1,
                                  "inner gradient step β (≤ 1/L_g; no paper "
                                  "default)")
                      .above(0));
  specs.push_back(ParamSpec::integer("inner_steps", 20,
                                     "T: inner gradient steps per outer step")
                      .at_least(1));
  specs.push_back(ParamSpec::boolean(
      "warm_start", true,
      "start the inner steps from the previous y_T (true) or from the "
      "initial y every outer step"));
  return specs;
}

// The base of the two registrations.
using BackpropSolver =
    ConfiguredBilevelSolver<ItdRun, ItdConfig, Capability::hessian_vector>;

class Itd final : public BackpropSolver {
 public:
  static constexpr const char* kName = "itd";
  static constexpr const char* kDescription =
      "iterative differentiation: reverse mode through all T inner gradient "
      "steps (trajectory kept), by Hessian-vector and cross products";
  static ParamSpecs params() { return itd_params(); }
  explicit Itd(const Params& p)
      : BackpropSolver({kName, FirstOrderConfig::from_params(p),
                        p.real("inner_step_size"), p.integer("inner_steps"),
                        p.integer("inner_steps"), p.boolean("warm_start")}) {}
};

class TruncatedBackprop final : public BackpropSolver {
 public:
  static constexpr const char* kName = "truncated_backprop";
  static constexpr const char* kDescription =
      "truncated back-propagation (Shaban et al. 2019): T inner steps, "
      "reverse mode through the last K only";
  static ParamSpecs params() {
    ParamSpecs specs = itd_params();
    specs.push_back(ParamSpec::integer("backprop_steps", 1,
                                       "K ≤ T: inner steps differentiated "
                                       "through (no paper default)")
                        .at_least(1));
    return specs;
  }
  explicit TruncatedBackprop(const Params& p)
      : BackpropSolver({kName, FirstOrderConfig::from_params(p),
                        p.real("inner_step_size"), p.integer("inner_steps"),
                        checked_k(p), p.boolean("warm_start")}) {}

 private:
  static long long checked_k(const Params& p) {
    const long long k = p.integer("backprop_steps");
    if (k > p.integer("inner_steps"))
      throw ConfigError("backprop_steps",
                        fmt::format("backprop_steps = {} exceeds inner_steps "
                                    "= {}: truncation keeps at most all T "
                                    "steps",
                                    k, p.integer("inner_steps")));
    return k;
  }
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Itd);
VIBENCH_REGISTER_ALGORITHM(TruncatedBackprop);

}  // namespace vibench
