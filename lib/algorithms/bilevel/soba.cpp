// SOBA (Dagréou, Ablin, Vaiter & Moreau, "A framework for bilevel
// optimization that enables stochastic and global variance reduction
// algorithms", NeurIPS 2022), as benchopt's benchmark_bilevel runs it
// (PAPERS.md §9.1): y, v and x move together, one step each per iteration,
// along directions taken at the same point (x, y, v):
//   D_y = ∇_y g(x, y)
//   D_v = ∇²_yy g(x, y) v + ∇_y f(x, y)        (v ≈ −(∇²_yy g)⁻¹ ∇_y f)
//   D_x = ∇_x f(x, y) + ∇²_xy g(x, y) v
//   y ← y − ρ_t D_y,  v ← v − ρ_t D_v,  x ← x − γ_t D_x,
// with ρ_t = ρ·factor(t), γ_t = (ρ / outer_ratio)·factor(t) and the
// schedule 1/√(t+1) by default. On a minibatch task (batch_size) each of
// the four oracle calls draws its own batch. state.hypergradient is D_x at
// the current point: the directions are computed after each move (and
// once at the start), so they always belong to state.points.
// Oracle calls per iteration and row: 1 inner gradient, 1 outer gradient,
// 1 Hessian-vector product, 1 cross product.
#include <fmt/format.h>

#include <memory>
#include <stdexcept>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"
#include "algorithms/first_order/schedule.hpp"

namespace vibench {
namespace {

struct SobaConfig {
  double step_size;
  double outer_ratio;
  Schedule schedule;
};

class SobaRun final : public Run {
 public:
  SobaRun(const BilevelOracle& oracle, const State& initial,
          const SobaConfig& config)
      : oracle_(oracle), config_(config) {
    state_ = bilevel_start(oracle, initial, "soba");
    v_ = Matrix::Zero(state_.points.rows(), oracle.dim_y());
    directions();
  }

  void step() override {
    const double rho = config_.step_size * config_.schedule.factor(t_++);
    state_.inner.noalias() -= rho * d_y_;
    v_.noalias() -= rho * d_v_;
    state_.points.noalias() -=
        (rho / config_.outer_ratio) * state_.hypergradient;
    directions();
  }
  const State& state() const override { return state_; }

 private:
  void directions() {
    const Matrix& x = state_.points;
    const Matrix& y = state_.inner;
    oracle_.inner_grad(x, y, gx_, d_y_);
    oracle_.outer_grad(x, y, fx_, fy_);
    d_v_ = oracle_.inner_hvp_yy(x, y, v_) + fy_;
    state_.hypergradient = fx_ + oracle_.inner_cross(x, y, v_);
  }

  const BilevelOracle& oracle_;
  SobaConfig config_;
  State state_;
  Matrix v_, gx_, d_y_, d_v_, fx_, fy_;
  long long t_ = 0;
};

class Soba final : public ConfiguredBilevelSolver<SobaRun, SobaConfig,
                                                  Capability::hessian_vector> {
 public:
  static constexpr const char* kName = "soba";
  static constexpr const char* kDescription =
      "SOBA (Dagréou et al. 2022): one joint stochastic step on y, on the "
      "linear-system variable v and on x per iteration, steps decaying as "
      "1/√(t+1) (benchopt's benchmark_bilevel rule)";
  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "ρ: the step of y and v (benchopt's grid: 0.01, 0.1)")
            .above(0),
        ParamSpec::real("outer_ratio", 1.0,
                        "ρ/γ: the outer step is step_size / outer_ratio "
                        "(benchopt's grid: 0.1 … 100)")
            .above(0),
        ParamSpec::component("schedule", "inverse_sqrt", schedule_family(),
                             "step decay shared by ρ_t and γ_t (default "
                             "1/√(t+1), as benchopt)"),
    };
  }
  explicit Soba(const Params& p)
      : ConfiguredBilevelSolver({p.real("step_size"), p.real("outer_ratio"),
                                 Schedule(p.component_name("schedule"),
                                          p.component_settings("schedule"))}) {}
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Soba);

}  // namespace vibench
