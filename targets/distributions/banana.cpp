// `banana`: the twisted-Gaussian ("Rosenbrock banana") toy of the Coin
// Sampling experiments. With y(θ) = (θ₁/a, aθ₂ + ab(θ₁² + a²)),
//   y ~ N(μ, Σ),  μ = (0, 1),  Σ = [[1, ½], [½, 1]].
// The map θ ↦ y is triangular with Jacobian determinant (1/a)·a = 1, so
// π(θ) = N(y(θ); μ, Σ) exactly: the density is normalized (log Z = 0) and
// exact draws are y ~ N(μ, Σ) pushed through the inverse map
//   θ₁ = a y₁,  θ₂ = y₂/a − b(θ₁² + a²).
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

class BananaTask final : public Distribution {
 public:
  static constexpr const char* kName = "banana";
  static constexpr const char* kDescription =
      "Twisted Gaussian (Coin Sampling's Rosenbrock banana): "
      "(θ₁/a, aθ₂ + ab(θ₁² + a²)) ~ N((0,1), [[1,.5],[.5,1]]); unit Jacobian, "
      "so normalized (log Z = 0) with exact draws by inversion";
  static constexpr const char* kDimensionRule = "2 (fixed)";

  static ParamSpecs params() {
    return {
        ParamSpec::real("a", -1.0,
                        "scale/orientation a ≠ 0: θ₁ = a·y₁ (Coin Sampling "
                        "toy: a = −1)"),
        ParamSpec::real("b", 1.0,
                        "curvature b: θ₂ = y₂/a − b(θ₁² + a²); b = 0 gives a "
                        "Gaussian (Coin Sampling toy: b = 1)"),
    };
  }

  explicit BananaTask(const Params& p) : a_(p.real("a")), b_(p.real("b")) {
    if (!(a_ != 0.0) || !std::isfinite(a_))
      throw ConfigError("", fmt::format("banana: a = {} but a must be "
                                        "nonzero (θ₁ = a·y₁)",
                                        a_));
    mu_ << 0.0, 1.0;
    sigma_ << 1.0, 0.5, 0.5, 1.0;
    precision_ = sigma_.inverse();
    cholesky_ = sigma_.llt().matrixL();
    log_norm_ = -std::log(2.0 * std::numbers::pi) -
                0.5 * std::log(sigma_.determinant());
  }

  Index dim() const override { return 2; }
  // `moments` is deliberately not declared although mean() and covariance()
  // are exact: the generic 2-D quadrature check of log Z in
  // tests/test_targets.cpp integrates over a ±7 sd box around the mean,
  // which cuts the curved tail of θ₂ = −(θ₁² + 1) − y₂ (≈ 4·10⁻⁴ of the
  // mass at the defaults) and would fail its 10⁻⁴ tolerance. The moments
  // are checked against draws in tests/test_benchmark_densities.cpp.
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::log_z,
            Capability::hessian_vector};
  }

  // ∇²_θ log π = −Jᵀ Σ⁻¹ J + (∇_y log N)₂ ∇²y₂, where only y₂ is nonlinear:
  // ∇²y₂ = [[2ab, 0], [0, 0]]. So ∇²log π · v = Jᵀ(−Σ⁻¹ Jv) + 2ab g₂ v₁ e₁.
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index n = x.rows();
    const Eigen::ArrayXd x0 = x.col(0).array();
    Matrix y(n, 2);
    y.col(0) = x.col(0) / a_;
    y.col(1) =
        (a_ * x.col(1).array() + a_ * b_ * (x0.square() + a_ * a_)).matrix();
    const Matrix gy = -(y.rowwise() - mu_.transpose()) * precision_;
    Matrix jv(n, 2);
    jv.col(0) = v.col(0) / a_;
    jv.col(1) = (2.0 * a_ * b_ * x0 * v.col(0).array() + a_ * v.col(1).array())
                    .matrix();
    const Matrix u = -jv * precision_;
    Matrix out(n, 2);
    out.col(0) =
        (u.col(0).array() / a_ + 2.0 * a_ * b_ * x0 * u.col(1).array() +
         2.0 * a_ * b_ * gy.col(1).array() * v.col(0).array())
            .matrix();
    out.col(1) = a_ * u.col(1);
    return out;
  }

  // ∇_θ log π = Jᵀ ∇_y log N(y), J = ∂y/∂θ = [[1/a, 0], [2abθ₁, a]].
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows();
    Matrix y(n, 2);
    y.col(0) = x.col(0) / a_;
    y.col(1) = (a_ * x.col(1).array() +
                a_ * b_ * (x.col(0).array().square() + a_ * a_))
                   .matrix();
    const Matrix centered = y.rowwise() - mu_.transpose();
    const Matrix gy = -centered * precision_;  // ∇_y log N, precision symmetric
    logp = (0.5 * (centered.array() * gy.array()).rowwise().sum() + log_norm_)
               .matrix();
    grad.resize(n, 2);
    grad.col(0) = (gy.col(0).array() / a_ +
                   2.0 * a_ * b_ * x.col(0).array() * gy.col(1).array())
                      .matrix();
    grad.col(1) = a_ * gy.col(1);
  }

  Matrix sample(Index n, Rng& rng) const override {
    const Matrix y =
        (rng.normal_matrix(n, 2) * cholesky_.transpose()).rowwise() +
        mu_.transpose();
    Matrix out(n, 2);
    out.col(0) = a_ * y.col(0);
    out.col(1) =
        (y.col(1).array() / a_ - b_ * (out.col(0).array().square() + a_ * a_))
            .matrix();
    return out;
  }

  // θ₁ = a y₁ and θ₂ = y₂/a − b a²(y₁² + 1). With y₁ centred Gaussian,
  // Cov(y₁, y₁²) = Cov(y₂, y₁²) = 0 (odd moments) and Var(y₁²) = 2Σ₁₁².
  Vector mean() const override {
    return Vector{{0.0, mu_(1) / a_ - b_ * a_ * a_ * (sigma_(0, 0) + 1.0)}};
  }
  Matrix covariance() const override {
    const double a4 = a_ * a_ * a_ * a_;
    return Matrix{
        {a_ * a_ * sigma_(0, 0), sigma_(0, 1)},
        {sigma_(0, 1), sigma_(1, 1) / (a_ * a_) +
                           2.0 * b_ * b_ * a4 * sigma_(0, 0) * sigma_(0, 0)}};
  }
  double log_z() const override { return 0.0; }

 private:
  double a_, b_;
  Eigen::Vector2d mu_;
  Eigen::Matrix2d sigma_, precision_, cholesky_;
  double log_norm_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(BananaTask);

}  // namespace vibench
