// `phase_retrieval`: robust phase retrieval, a weakly convex nonsmooth
// problem (Duchi & Ruan, "Solving (most) of a set of quadratic equalities",
// 2019; Davis, Drusvyatskiy & Paquette on subgradient methods for weakly
// convex functions):
//   f(x) = (1/m) Σ_i |⟨a_i, x⟩² − b_i|,   b_i = ⟨a_i, x♮⟩² (noiseless),
// a_i ~ N(0, I), x♮ uniform on the unit sphere, from `instance`. Its
// minimizers are ±x♮ with f* = 0 (both: distance_to_optimum measures to
// the nearer). value_grad returns a subgradient, 2 sign(⟨a,x⟩² − b)⟨a,x⟩a
// averaged over i (0 taken as the sign at a kink), one product A·x for all
// points. Methods converge from a start near ±x♮; the default start is
// x♮ plus a perturbation of relative size `start_distance` (a spectral
// initialization lands at such a distance). Minibatches of `batch_size`
// measurements give unbiased subgradients, as in the stochastic
// subgradient experiments of Davis & Drusvyatskiy.
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class PhaseRetrievalTask final : public Objective {
 public:
  static constexpr const char* kName = "phase_retrieval";
  static constexpr const char* kDescription =
      "robust phase retrieval (1/m) sum |<a_i,x>^2 - b_i|, noiseless; weakly "
      "convex, nonsmooth (subgradients); x* = +-x_natural, f* = 0";
  static constexpr const char* kDimensionRule = "dim";
  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 20, "d").at_least(1),
        ParamSpec::integer("measurements", 100, "m (m ≥ 2d or so recovers x♮)")
            .at_least(1),
        ParamSpec::real("start_distance", 0.5,
                        "‖x₀ − x♮‖ / ‖x♮‖ of the default start, in a "
                        "random direction per row")
            .at_least(0.0),
        ParamSpec::integer("instance", 0, "seed of the a_i and of x♮")
            .at_least(0),
        ParamSpec::integer("batch_size", 0,
                           "measurements per minibatch subgradient (drawn "
                           "without replacement at every call); 0 or ≥ "
                           "measurements: full subgradients")
            .at_least(0),
    };
  }
  explicit PhaseRetrievalTask(const Params& p)
      : start_distance_(p.real("start_distance")) {
    const Index d = static_cast<Index>(p.integer("dim"));
    const Index m = static_cast<Index>(p.integer("measurements"));
    const Index b = static_cast<Index>(p.integer("batch_size"));
    batch_size_ = b >= m ? 0 : b;
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng a_rng = root.child("phase_retrieval A");
    a_ = a_rng.normal_matrix(m, d);
    Rng x_rng = root.child("phase_retrieval x");
    natural_ = x_rng.normal_vector(d);
    natural_ /= natural_.norm();
    b_ = (a_ * natural_).array().square().matrix();
  }
  Index dim() const override { return a_.cols(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::gradient_noise, Capability::minibatch};
  }
  Index data_size() const override { return a_.rows(); }
  Index batch_size() const override { return batch_size_; }
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix x(n, dim());
    for (Index i = 0; i < n; ++i) {
      Vector u = rng.normal_vector(dim());
      u *= start_distance_ / std::max(u.norm(), 1e-300);
      x.row(i) = (natural_ + u).transpose();
    }
    return x;
  }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    loss_subgradient(x, a_, b_, f, grad);
  }
  // The mean over `batch_size` measurements: unbiased for the mean over all.
  Index value_grad_minibatch(const Matrix& x, Rng& rng, Vector& f,
                             Matrix& grad) const override {
    const std::vector<Index> rows =
        sample_distinct(a_.rows(), batch_size_, rng);
    const Index batch = static_cast<Index>(rows.size());
    Matrix ab(batch, a_.cols());
    Vector bb(batch);
    for (Index k = 0; k < batch; ++k) {
      ab.row(k) = a_.row(rows[static_cast<size_t>(k)]);
      bb(k) = b_(rows[static_cast<size_t>(k)]);
    }
    loss_subgradient(x, ab, bb, f, grad);
    return batch;
  }
  double optimal_value() const override { return 0.0; }
  Vector optimum() const override { return natural_; }
  Matrix optima() const override {
    Matrix both(2, dim());
    both.row(0) = natural_.transpose();
    both.row(1) = -natural_.transpose();
    return both;
  }

 private:
  // Mean over the rows of (a, b), one product a·x for all points.
  static void loss_subgradient(const Matrix& x, const Matrix& a,
                               const Vector& b, Vector& f, Matrix& grad) {
    const Matrix inner = x * a.transpose();  // n×m: ⟨a_i, x⟩
    const Matrix residual =
        inner.array().square().rowwise() - b.transpose().array();
    const double inv_m = 1.0 / static_cast<double>(a.rows());
    f = residual.cwiseAbs().rowwise().sum() * inv_m;
    const Matrix weight =
        (2.0 * inv_m) * residual.array().sign() * inner.array();
    grad = weight * a;
  }

  Index batch_size_ = 0;
  double start_distance_;
  Matrix a_;
  Vector natural_, b_;
};

}  // namespace

VIBENCH_REGISTER_TASK(PhaseRetrievalTask);

}  // namespace vibench
