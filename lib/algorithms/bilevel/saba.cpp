// SABA (Dagréou, Ablin, Vaiter & Moreau, NeurIPS 2022): SOBA's three
// directions, each a finite sum, estimated by SAGA. Every sample keeps in
// memory its last-evaluated term — inner rows i: ∇_y g_i, ∇²_yy g_i·v,
// ∇²_xy g_i·v; outer rows j: ∇_x f_j, ∇_y f_j — and a direction is
//   (1/B) Σ_{i∈S} (new_i − memory_i) + mean of all memories,
// unbiased, with a variance that vanishes as the iterates converge, so
// constant steps converge linearly on strongly convex problems (SOBA needs
// decaying steps and converges sublinearly):
//   D_y = ∇_y g,  D_v = ∇²_yy g·v + ∇_y f,  D_x = ∇²_xy g·v + ∇_x f,
//   y ← y − ρ D_y,  v ← v − ρ D_v,  x ← x − (ρ/outer_ratio) D_x.
// S (B inner rows) and T (B outer rows) are drawn without replacement from
// the algorithm's stream, B the task's batch_size (every row when it is
// 0). The memories start from one full pass at the initial point. Needs
// the task's per-sample terms (Capability::sample_terms); memory
// (n_inner·(2·dim_y + dim_x) + n_outer·(dim_x + dim_y)) numbers per point.
// Oracle calls per iteration and point: B inner rows × 3 terms and B outer
// rows × 1 (counted as oracle_calls; one inner gradient, Hessian-vector,
// cross product and outer gradient in the per-point counts).
#include <memory>
#include <stdexcept>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "algorithms/bilevel/bilevel_start.hpp"
#include "algorithms/bilevel/configured_solver.hpp"
#include "core/distinct_sample.hpp"

namespace vibench {
namespace {

struct SabaConfig {
  double step_size, outer_ratio;
};

// One finite sum's SAGA memory: a term per row and their running mean.
// Terms are stored row-major, so that each row's update is contiguous.
class SagaMemory {
 public:
  void reset(const Matrix& terms) {
    terms_ = terms;
    mean_ = terms.colwise().mean();
  }
  // Replaces the rows' terms by `fresh` and returns the SAGA estimate.
  RowVector update(const std::vector<Index>& rows, const Matrix& fresh) {
    fresh_ = fresh;
    correction_.setZero(terms_.cols());
    const double n = static_cast<double>(terms_.rows());
    for (size_t k = 0; k < rows.size(); ++k) {
      const Index r = rows[k];
      change_ = fresh_.row(static_cast<Index>(k)) - terms_.row(r);
      correction_ += change_;
      terms_.row(r) = fresh_.row(static_cast<Index>(k));
      mean_ += change_ / n;
    }
    // The estimate uses the memory's mean before this update.
    const RowVector before = mean_ - correction_ / n;
    return correction_ / static_cast<double>(rows.size()) + before;
  }

 private:
  using RowMajor =
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor terms_, fresh_;
  RowVector mean_, change_, correction_;
};

class SabaRun final : public Run {
 public:
  SabaRun(const BilevelOracle& oracle, const State& initial,
          const SabaConfig& config, Rng rng)
      : oracle_(oracle), config_(config), rng_(std::move(rng)) {
    state_ = bilevel_start(oracle, initial, "saba");
    const Index n = state_.points.rows();
    v_ = Matrix::Zero(n, oracle.dim_y());
    n_inner_ = oracle.inner_data_size();
    n_outer_ = oracle.outer_data_size();
    batch_ = oracle.batch_size() > 0 ? oracle.batch_size()
                                     : std::max(n_inner_, n_outer_);
    memories_.resize(static_cast<size_t>(n));
    std::vector<Index> all_inner(static_cast<size_t>(n_inner_)),
        all_outer(static_cast<size_t>(n_outer_));
    for (Index i = 0; i < n_inner_; ++i) all_inner[static_cast<size_t>(i)] = i;
    for (Index j = 0; j < n_outer_; ++j) all_outer[static_cast<size_t>(j)] = j;
    d_y_.resize(n, oracle.dim_y());
    d_v_.resize(n, oracle.dim_y());
    state_.hypergradient.resize(n, oracle.dim_x());
    for (Index p = 0; p < n; ++p) {
      Memories& m = memories_[static_cast<size_t>(p)];
      evaluate(p, all_inner, all_outer);
      m.gy.reset(gy_);
      m.hvp.reset(hvp_);
      m.cross.reset(cross_);
      m.fx.reset(fx_);
      m.fy.reset(fy_);
      d_y_.row(p) = gy_.colwise().mean();
      d_v_.row(p) = hvp_.colwise().mean() + fy_.colwise().mean();
      state_.hypergradient.row(p) =
          cross_.colwise().mean() + fx_.colwise().mean();
    }
  }

  void step() override {
    const double rho = config_.step_size;
    state_.inner.noalias() -= rho * d_y_;
    v_.noalias() -= rho * d_v_;
    state_.points.noalias() -=
        (rho / config_.outer_ratio) * state_.hypergradient;
    for (Index p = 0; p < state_.points.rows(); ++p) {
      const std::vector<Index> inner_rows =
          sample_distinct(n_inner_, std::min(batch_, n_inner_), rng_);
      const std::vector<Index> outer_rows =
          sample_distinct(n_outer_, std::min(batch_, n_outer_), rng_);
      evaluate(p, inner_rows, outer_rows);
      Memories& m = memories_[static_cast<size_t>(p)];
      d_y_.row(p) = m.gy.update(inner_rows, gy_);
      d_v_.row(p) =
          m.hvp.update(inner_rows, hvp_) + m.fy.update(outer_rows, fy_);
      state_.hypergradient.row(p) =
          m.cross.update(inner_rows, cross_) + m.fx.update(outer_rows, fx_);
    }
  }
  const State& state() const override { return state_; }

 private:
  struct Memories {
    SagaMemory gy, hvp, cross, fx, fy;
  };
  void evaluate(Index p, const std::vector<Index>& inner_rows,
                const std::vector<Index>& outer_rows) {
    const RowVector x = state_.points.row(p), y = state_.inner.row(p),
                    v = v_.row(p);
    oracle_.inner_sample_terms(x, y, v, inner_rows, gy_, hvp_, cross_);
    oracle_.outer_sample_terms(x, y, outer_rows, fx_, fy_);
  }

  const BilevelOracle& oracle_;
  SabaConfig config_;
  Rng rng_;
  State state_;
  Matrix v_, d_y_, d_v_, gy_, hvp_, cross_, fx_, fy_;
  std::vector<Memories> memories_;
  Index n_inner_ = 0, n_outer_ = 0, batch_ = 0;
};

class Saba final : public ConfiguredBilevelSolver<SabaRun, SabaConfig,
                                                  Capability::sample_terms> {
 public:
  static constexpr const char* kName = "saba";
  static constexpr const char* kDescription =
      "SABA (Dagréou et al. 2022): SOBA's joint steps on y, v and x with "
      "SAGA variance reduction of all three directions and constant steps; "
      "needs per-sample terms (sample_terms); minibatches of the task's "
      "batch_size";
  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "ρ: the constant step of y and v (benchopt's grid: "
                        "0.01, 0.1)")
            .above(0),
        ParamSpec::real("outer_ratio", 1.0,
                        "ρ/γ: the outer step is step_size / outer_ratio")
            .above(0),
    };
  }
  explicit Saba(const Params& p)
      : ConfiguredBilevelSolver({p.real("step_size"), p.real("outer_ratio")}) {}
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Saba);

}  // namespace vibench
