// `gaussian`: a multivariate normal N(m, Σ) with an identity, diagonal or
// randomly rotated covariance of chosen condition number. The density is
// normalized, so log Z = 0.
#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

// `size` values log-spaced from 1 to `top` (just 1 when size == 1).
Vector log_spaced_to(Index size, double top) {
  Vector out(size);
  for (Index i = 0; i < size; ++i)
    out(i) = size == 1 ? 1.0
                       : std::pow(top, static_cast<double>(i) /
                                           static_cast<double>(size - 1));
  return out;
}

class GaussianTask final : public Distribution {
 public:
  static constexpr const char* kName = "gaussian";
  static constexpr const char* kDescription =
      "Multivariate normal N(mean, Σ), Σ identity, diagonal or randomly "
      "rotated with eigenvalues log-spaced in [1, condition_number]; "
      "normalized (log Z = 0)";
  static constexpr const char* kDimensionRule = "dim";

  // Seven dense d×d matrices at construction, whatever the covariance (Q,
  // Σ, Σ⁻¹, the Cholesky factor and the products' temporaries): declared so
  // that a dimension too large is refused before they are allocated.
  static MemoryNeed memory_need(const Params& p) {
    const double d = static_cast<double>(p.integer("dim"));
    return {dense_bytes(d, d, 7), "dim", "7 dense d×d matrices"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 2, "dimension d").at_least(1),
        ParamSpec::of_type(ParamType::vector, "mean", 0.0,
                           "mean: a number (every coordinate) or a list of "
                           "dim numbers"),
        ParamSpec::string("covariance", "identity",
                          {"identity", "diagonal", "correlated"},
                          "identity: Σ = I; diagonal: variances log-spaced "
                          "from 1 to condition_number; correlated: "
                          "Σ = Q diag(those variances) Qᵀ with Q a random "
                          "orthogonal matrix from `instance`"),
        ParamSpec::real("condition_number", 10.0,
                        "ratio of the largest to the smallest eigenvalue "
                        "of Σ (ignored for covariance = identity)")
            .at_least(1.0),
        ParamSpec::integer("instance", 0,
                           "seed of the rotation Q (covariance = correlated)")
            .at_least(0),
    };
  }

  explicit GaussianTask(const Params& p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    mean_ = p.vector("mean", d);
    const std::string kind = p.string("covariance");
    Vector eigenvalues = Vector::Ones(d);
    if (kind != "identity")
      eigenvalues = log_spaced_to(d, p.real("condition_number"));
    Matrix q = Matrix::Identity(d, d);
    if (kind == "correlated") {
      Rng rng = make_rng(static_cast<std::uint64_t>(p.integer("instance")));
      q = rng.orthogonal(d);
    } else if (kind != "identity" && kind != "diagonal") {
      throw ConfigError("", "gaussian: unknown covariance '" + kind + "'");
    }
    covariance_ = q * eigenvalues.asDiagonal() * q.transpose();
    covariance_ = 0.5 * (covariance_ + covariance_.transpose());
    precision_ = q * eigenvalues.cwiseInverse().asDiagonal() * q.transpose();
    precision_ = 0.5 * (precision_ + precision_.transpose());
    const Eigen::LLT<Matrix> llt(covariance_);
    if (llt.info() != Eigen::Success)
      throw ConfigError("", "gaussian: covariance is not positive definite");
    cholesky_ = llt.matrixL();
    log_norm_ =
        -0.5 * static_cast<double>(d) * std::log(2.0 * std::numbers::pi) -
        0.5 * eigenvalues.array().log().sum();
  }

  Index dim() const override { return mean_.size(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws,    Capability::moments,
            Capability::log_z,          Capability::smoothed_score,
            Capability::hessian_vector, Capability::fisher_metric};
  }

  // The Fisher information of N(m, Σ) in its location is Σ⁻¹ everywhere,
  // so its inverse has zero divergence.
  FisherMetric fisher_metric(const Matrix& x, double damping) const override {
    FisherMetric out;
    Matrix g = precision_;
    g.diagonal().array() += damping;
    out.metric.assign(static_cast<size_t>(x.rows()), g);
    out.inverse_divergence = Matrix::Zero(x.rows(), x.cols());
    return out;
  }

  // ∇²log π = −Σ⁻¹ everywhere.
  Matrix log_prob_hessian_vector(const Matrix&,
                                 const Matrix& v) const override {
    return -v * precision_;
  }

  // N(m, Σ) * N(0, σ²I) = N(m, Σ + σ²I).
  Matrix smoothed_score(const Matrix& x, double sigma) const override {
    const Matrix smoothed =
        covariance_ + sigma * sigma * Matrix::Identity(dim(), dim());
    const Matrix centered = x.rowwise() - mean_.transpose();
    return -Eigen::LLT<Matrix>(smoothed)
                .solve(centered.transpose())
                .transpose();
  }

  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Matrix centered = x.rowwise() - mean_.transpose();
    grad.noalias() = -centered * precision_;
    logp = (0.5 * (centered.array() * grad.array()).rowwise().sum() + log_norm_)
               .matrix();
  }

  Matrix sample(Index n, Rng& rng) const override {
    Matrix z = rng.normal_matrix(n, dim());
    return (z * cholesky_.transpose()).rowwise() + mean_.transpose();
  }
  Vector mean() const override { return mean_; }
  Matrix covariance() const override { return covariance_; }
  double log_z() const override { return 0.0; }

 private:
  Vector mean_;
  Matrix covariance_, precision_, cholesky_;
  double log_norm_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(GaussianTask);

}  // namespace vibench
