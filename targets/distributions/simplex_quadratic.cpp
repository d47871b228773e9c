// `simplex_quadratic`: log π(θ) = −θᵀAθ/(2σ²) on the probability simplex of
// ℝ^D, sampled in the first D − 1 coordinates θ (θ_D = 1 − Σθ), the
// quadratic simplex target of Shi, Liu & Mackey (2022, "Sampling with
// Mirrored Stein Operators"; their quad.ipynb): A = BBᵀ / max_ij |BBᵀ|_ij
// with B_ij ~ U(−1, 1) of size (D − 1) × (D − 1), σ² = 1e-4.
//
// The paper draws B with numpy's legacy seed 123; this task draws B from
// its `instance` seed with vibench's generator: the same distribution of A,
// not the paper's matrix. There are no exact draws: the reference posterior
// is NUTS in the dual coordinates η = ∇ψ(θ) of the entropic map, where the
// target is a smooth density on all of ℝ^{D−1} (lib/reference).
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

// Initial points ~ Dirichlet(5·1), as in Shi et al.'s protocol.
constexpr double kInitialConcentration = 5.0;
// Points with a coordinate (θ_D included) below −D·ε are outside the closed
// simplex (the slack absorbs the rounding of 1 − Σθ after a projection):
// log π = −∞ there, while the score is still the quadratic's.
constexpr double kSlackPerCoordinate = std::numeric_limits<double>::epsilon();

class SimplexQuadraticTask final : public Distribution {
 public:
  static constexpr const char* kName = "simplex_quadratic";
  static constexpr const char* kDescription =
      "log π(θ) = −θᵀAθ/(2σ²) on the probability simplex of ℝ^D (first D−1 "
      "coordinates, entropic mirror map), A = BBᵀ/max|BBᵀ|, B_ij ~ U(−1, 1) "
      "from `instance` (Shi, Liu & Mackey 2022's quadratic target; not "
      "their numpy matrix); reference posterior by NUTS in dual coordinates";
  static constexpr const char* kDimensionRule = "components − 1";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("components", 20,
                           "D, the number of simplex coordinates (the "
                           "dimension is D − 1; 20 in the paper)")
            .at_least(2),
        ParamSpec::real("sigma2", 1e-4,
                        "σ² (1e-4 in the paper's code): smaller is more "
                        "concentrated")
            .above(0.0),
        ParamSpec::integer("instance", 0, "seed of B").at_least(0),
    };
  }

  explicit SimplexQuadraticTask(const Params& p)
      : inverse_sigma2_(1.0 / p.real("sigma2")) {
    const Index d = static_cast<Index>(p.integer("components")) - 1;
    Rng rng = make_rng(static_cast<std::uint64_t>(p.integer("instance")))
                  .child("simplex_quadratic B");
    Matrix b(d, d);
    for (Index i = 0; i < d; ++i)
      for (Index j = 0; j < d; ++j) b(i, j) = 2.0 * rng.uniform() - 1.0;
    a_ = b * b.transpose();
    a_ /= a_.cwiseAbs().maxCoeff();
    a_ = 0.5 * (a_ + a_.transpose());
  }

  Index dim() const override { return a_.rows(); }
  const Domain& domain() const override { return *simplex_domain(); }
  Capabilities capabilities() const override { return {Capability::reference}; }

  Matrix initial_points(Index n, Rng& rng) const override {
    return dirichlet_draws(rng, n,
                           Vector::Constant(dim() + 1, kInitialConcentration))
        .leftCols(dim());
  }

  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    grad.noalias() = -inverse_sigma2_ * (x * a_);
    logp = 0.5 * (x.array() * grad.array()).rowwise().sum().matrix();
    const double slack = kSlackPerCoordinate * static_cast<double>(dim() + 1);
    for (Index i = 0; i < x.rows(); ++i)
      if (!(x.row(i).minCoeff() >= -slack) || !(1.0 - x.row(i).sum() >= -slack))
        logp(i) = -std::numeric_limits<double>::infinity();
  }

 private:
  double inverse_sigma2_;
  Matrix a_;
};

}  // namespace

VIBENCH_REGISTER_TASK(SimplexQuadraticTask);

}  // namespace vibench
