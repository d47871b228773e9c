// `quadratic_deep`: DeepOBS's noisy quadratic with a deep-learning-like
// spectrum (PAPERS.md §9.2; DeepOBS `quadratic_deep`, read in its
// TensorFlow code): per data point ℓ_i(θ) = ½(θ − x_i)ᵀQ(θ − x_i) with
// x_i ~ N(0, σ²I) (σ = 0.6, 1000 points), Q = Rᵀdiag(λ)R, 90 eigenvalues
// U(0, 1) and 10 U(30, 60), R Haar-distributed (or the identity, to compare
// axis-aligned and rotated problems at the same spectrum); θ₀ = 1.
// f = mean ℓ_i = ½(θ − x̄)ᵀQ(θ − x̄) + c, so x* = x̄ and f* = c =
// mean ½(x_i − x̄)ᵀQ(x_i − x̄), both exact. Minibatches of `batch_size`
// points (DeepOBS's default 128) give unbiased gradients.
//
// DeepOBS draws its eigenvalues, rotation and data from NumPy's
// RandomState(42); vibench draws them from its own streams seeded by
// `instance`, so the problem has the same distribution, not the same draw.
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class QuadraticDeepTask final : public Objective {
 public:
  static constexpr const char* kName = "quadratic_deep";
  static constexpr const char* kDescription =
      "DeepOBS noisy quadratic: mean of 1/2 (theta - x_i)' Q (theta - x_i), "
      "x_i ~ N(0, 0.6^2 I), Q with 90 eigenvalues U(0,1) and 10 U(30,60), "
      "Haar-rotated or diagonal; minibatch; x* = mean x_i, f* exact";
  static constexpr const char* kDimensionRule = "dim (100)";
  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 100,
                           "d; the spectrum keeps DeepOBS's proportions "
                           "(90 % small, 10 % large eigenvalues)")
            .at_least(2),
        ParamSpec::integer("n_data", 1000, "data points x_i").at_least(1),
        ParamSpec::real("noise_level", 0.6, "σ of the data points")
            .at_least(0.0),
        ParamSpec::integer("batch_size", 128,
                           "points per minibatch gradient (drawn without "
                           "replacement at every call); 0 or ≥ n_data: "
                           "full gradients")
            .at_least(0),
        ParamSpec::boolean("rotate", true,
                           "true: Q = Rᵀdiag(λ)R with R Haar; false: "
                           "diag(λ), the same spectrum axis-aligned"),
        ParamSpec::real("start", 1.0, "every coordinate of θ₀ (DeepOBS: 1)"),
        ParamSpec::integer("instance", 0,
                           "seed of the spectrum, the rotation and the data")
            .at_least(0),
    };
  }

  explicit QuadraticDeepTask(const Params& p) : start_(p.real("start")) {
    const Index d = static_cast<Index>(p.integer("dim"));
    const Index n = static_cast<Index>(p.integer("n_data"));
    const Index b = static_cast<Index>(p.integer("batch_size"));
    batch_size_ = b >= n ? 0 : b;
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng spectrum_rng = root.child("quadratic_deep spectrum");
    const Index large = std::max<Index>(1, d / 10);
    Vector eigenvalues(d);
    for (Index i = 0; i < d; ++i)
      eigenvalues(i) = i < d - large ? spectrum_rng.uniform()
                                     : 30.0 + 30.0 * spectrum_rng.uniform();
    smoothness_ = eigenvalues.maxCoeff();
    strong_convexity_ = eigenvalues.minCoeff();
    if (p.boolean("rotate")) {
      Rng rotation_rng = root.child("quadratic_deep rotation");
      const Matrix r = rotation_rng.orthogonal(d);
      hessian_ = r.transpose() * eigenvalues.asDiagonal() * r;
      hessian_ = 0.5 * (hessian_ + hessian_.transpose());
    } else {
      hessian_ = eigenvalues.asDiagonal();
    }
    Rng data_rng = root.child("quadratic_deep data");
    data_ = p.real("noise_level") * data_rng.normal_matrix(n, d);
    half_norms_ =
        0.5 * ((data_ * hessian_).cwiseProduct(data_)).rowwise().sum();
    optimum_ = data_.colwise().mean().transpose();
    optimal_value_ =
        half_norms_.mean() - 0.5 * optimum_.dot(hessian_ * optimum_);
  }

  Index dim() const override { return hessian_.rows(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::minibatch, Capability::smoothness};
  }
  Index data_size() const override { return data_.rows(); }
  Index batch_size() const override { return batch_size_; }
  Matrix initial_points(Index n, Rng&) const override {
    return Matrix::Constant(n, dim(), start_);
  }
  void value_grad(const Matrix& theta, Vector& f, Matrix& grad) const override {
    loss_grad(theta, optimum_, half_norms_.mean(), f, grad);
  }
  Index value_grad_minibatch(const Matrix& theta, Rng& rng, Vector& f,
                             Matrix& grad) const override {
    const std::vector<Index> rows =
        sample_distinct(data_.rows(), batch_size_, rng);
    Vector mean = Vector::Zero(dim());
    double half_norm = 0;
    for (Index r : rows) {
      mean += data_.row(r).transpose();
      half_norm += half_norms_(r);
    }
    const double inv = 1.0 / static_cast<double>(rows.size());
    loss_grad(theta, mean * inv, half_norm * inv, f, grad);
    return static_cast<Index>(rows.size());
  }
  ObjectiveProperties properties() const override {
    return {true, strong_convexity_, smoothness_};
  }
  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_; }

 private:
  // mean_b ½(θ − x_b)ᵀQ(θ − x_b) = ½θᵀQθ − θᵀQx̄ + mean_b ½x_bᵀQx_b, for
  // each row θ (one product for all rows), and its gradient Q(θ − x̄).
  void loss_grad(const Matrix& theta, const Vector& mean, double half_norm,
                 Vector& f, Matrix& grad) const {
    const Matrix q_theta = theta * hessian_;
    const Vector q_mean = hessian_ * mean;
    f = 0.5 * q_theta.cwiseProduct(theta).rowwise().sum() - theta * q_mean;
    f.array() += half_norm;
    grad = q_theta.rowwise() - q_mean.transpose();
  }

  double start_;
  Index batch_size_ = 0;
  Matrix hessian_, data_;
  Vector half_norms_, optimum_;
  double smoothness_ = 0, strong_convexity_ = 0, optimal_value_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(QuadraticDeepTask);

}  // namespace vibench
