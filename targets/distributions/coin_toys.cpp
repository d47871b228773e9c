// Two 2-D toys of the Coin Sampling experiments (distributions.py and the
// toy notebook), both normalized, with exact draws and moments:
//
// `donut`: log π(θ) = −(‖θ‖ − R)²/(2σ²) − log Z. The Coin toy has R = 2.5
//   and denominator 0.5 = 2σ², i.e. σ = 0.5. In polar coordinates the angle
//   is uniform and the radius has density ∝ r·exp(−(r − R)²/(2σ²)) on r > 0,
//   so Z = 2π ∫₀^∞ r e^{−(r−R)²/(2σ²)} dr = 2π(σ²e^{−R²/(2σ²)} +
//   Rσ√(2π) Φ(R/σ)) in closed form.
//
// `squiggle`: y = (θ₁, θ₂ + sin(2θ₁)) ~ N((1, 1), [[2, ¼], [¼, ½]]). The map
//   θ ↦ y has unit Jacobian, so π(θ) = N(y(θ); μ, Σ) is normalized, and exact
//   draws are θ = (y₁, y₂ − sin(2y₁)) with y ~ N(μ, Σ).
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

constexpr double kPi = std::numbers::pi;

class DonutTask final : public Distribution {
 public:
  static constexpr const char* kName = "donut";
  static constexpr const char* kDescription =
      "Coin Sampling donut: log π(θ) = −(‖θ‖ − radius)²/(2 sigma²) − log Z "
      "(Coin toy: radius 2.5, 2σ² = 0.5); normalized (log Z = 0, Z in closed "
      "form), exact draws (uniform angle, radius by rejection), moments";
  static constexpr const char* kDimensionRule = "2 (fixed)";

  static ParamSpecs params() {
    return {
        ParamSpec::real("radius", 2.5,
                        "radius R of the ring (Coin Sampling toy: 2.5)")
            .at_least(0.0),
        ParamSpec::real("sigma", 0.5,
                        "radial width σ: log π = −(‖θ‖ − R)²/(2σ²); the Coin "
                        "toy's denominator 0.5 is 2σ², so σ = 0.5")
            .above(0.0),
    };
  }

  explicit DonutTask(const Params& p)
      : radius_(p.real("radius")), sigma_(p.real("sigma")) {
    const double r = radius_, s = sigma_, s2 = s * s;
    // Integrals over u = ρ − R ∈ (−R, ∞) of u^k e^{−u²/(2σ²)}, k = 0..3.
    const double e = std::exp(-0.5 * r * r / s2);
    const double i0 =
        s * std::sqrt(2.0 * kPi) * 0.5 * std::erfc(-r / (s * std::sqrt(2.0)));
    const double i1 = s2 * e;
    const double i2 = -s2 * r * e + s2 * i0;
    const double i3 = s2 * r * r * e + 2.0 * s2 * i1;
    const double radial = i1 + r * i0;  // ∫₀^∞ ρ e^{...} dρ
    const double radial3 = i3 + 3.0 * r * i2 + 3.0 * r * r * i1 +
                           r * r * r * i0;  // ∫₀^∞ ρ³ e^{...} dρ
    log_norm_ = -std::log(2.0 * kPi * radial);
    second_moment_ = radial3 / radial;
    // Rejection proposal for the radius: N(m, τ²) with m the mode of the
    // radial density and τ = 1.25σ > σ. The log ratio
    //   ℓ(ρ) = log ρ − (ρ − R)²/(2σ²) + (ρ − m)²/(2τ²)
    // tends to −∞ at 0⁺ and at ∞ (τ > σ), and ρℓ'(ρ) = Aρ² + Bρ + 1 with
    // A = 1/τ² − 1/σ² < 0, B = R/σ² − m/τ², which has exactly one positive
    // root: the global maximiser of ℓ, so the envelope is exact.
    proposal_mean_ = 0.5 * (r + std::sqrt(r * r + 4.0 * s2));
    proposal_sd_ = 1.25 * s;
    const double a = 1.0 / (proposal_sd_ * proposal_sd_) - 1.0 / s2;
    const double b = r / s2 - proposal_mean_ / (proposal_sd_ * proposal_sd_);
    const double root = std::sqrt(b * b - 4.0 * a);
    const double argmax = b >= 0.0 ? (-b - root) / (2.0 * a) : 2.0 / (root - b);
    log_envelope_ = log_ratio(argmax);
  }

  Index dim() const override { return 2; }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z,
            Capability::hessian_vector};
  }

  // ∇log π = −(1 − R/‖θ‖)θ/σ², so
  //   ∇²log π = −[(1 − R/‖θ‖) I + R θθᵀ/‖θ‖³]/σ².
  // At θ = 0 (the cone point) the oracle returns −v/σ², the Hessian of the
  // smooth part −‖θ‖²/(2σ²): along every line through 0 the remaining term
  // R‖θ‖/σ² is linear on each side, so −‖v‖²/σ² is the second derivative
  // of t ↦ log π(tv) at every t ≠ 0.
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Eigen::ArrayXd norm = x.rowwise().norm().array();
    const double s2 = sigma_ * sigma_;
    const Eigen::ArrayXd radial =
        (norm > 0.0).select(1.0 - radius_ / norm, 1.0);
    const Eigen::ArrayXd outer =
        (norm > 0.0).select(radius_ / norm.cube(), 0.0) *
        (x.array() * v.array()).rowwise().sum();
    return (-(v.array().colwise() * radial + x.array().colwise() * outer) / s2)
        .matrix();
  }

  // ∇log π = −(‖θ‖ − R)/σ² · θ/‖θ‖. At θ = 0 the density has a cone point
  // (not differentiable when R > 0); the oracle returns the zero vector
  // there, the midpoint of the one-sided directional derivatives.
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Eigen::ArrayXd norm = x.rowwise().norm().array();
    const double s2 = sigma_ * sigma_;
    logp = (-(norm - radius_).square() / (2.0 * s2) + log_norm_).matrix();
    const Eigen::ArrayXd factor =
        (norm > 0.0).select(-(norm - radius_) / (s2 * norm), 0.0);
    grad = (x.array().colwise() * factor).matrix();
  }

  // Row by row: the radius by rejection, then a uniform angle.
  Matrix sample(Index n, Rng& rng) const override {
    Matrix out(n, 2);
    for (Index i = 0; i < n; ++i) {
      double rho;
      for (;;) {
        rho = proposal_mean_ + proposal_sd_ * rng.normal();
        if (rho <= 0.0) continue;  // the radial density is 0 there
        if (std::log(rng.uniform()) < log_ratio(rho) - log_envelope_) break;
      }
      const double angle = 2.0 * kPi * rng.uniform();
      out.row(i) << rho * std::cos(angle), rho * std::sin(angle);
    }
    return out;
  }

  Vector mean() const override { return Vector::Zero(2); }
  Matrix covariance() const override {
    return 0.5 * second_moment_ * Matrix::Identity(2, 2);
  }
  double log_z() const override { return 0.0; }

 private:
  // log(radial density / proposal density) up to a constant, ρ > 0.
  double log_ratio(double rho) const {
    const double u = (rho - radius_) / sigma_;
    const double v = (rho - proposal_mean_) / proposal_sd_;
    return std::log(rho) - 0.5 * u * u + 0.5 * v * v;
  }

  double radius_, sigma_;
  double log_norm_ = 0.0, second_moment_ = 0.0;
  double proposal_mean_ = 0.0, proposal_sd_ = 1.0, log_envelope_ = 0.0;
};

class SquiggleTask final : public Distribution {
 public:
  static constexpr const char* kName = "squiggle";
  static constexpr const char* kDescription =
      "Coin Sampling squiggle: (θ₁, θ₂ + sin(2θ₁)) ~ N((1,1), [[2,.25],[.25,"
      ".5]]); unit Jacobian, so normalized (log Z = 0), exact draws "
      "θ = (y₁, y₂ − sin(2y₁)), moments in closed form";
  static constexpr const char* kDimensionRule = "2 (fixed)";

  static ParamSpecs params() { return {}; }

  explicit SquiggleTask(const Params&) {
    mu_ << 1.0, 1.0;
    sigma_ << 2.0, 0.25, 0.25, 0.5;
    precision_ = sigma_.inverse();
    cholesky_ = sigma_.llt().matrixL();
    log_norm_ = -std::log(2.0 * kPi) - 0.5 * std::log(sigma_.determinant());
  }

  Index dim() const override { return 2; }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z,
            Capability::hessian_vector};
  }

  // ∇²_θ log π = −Jᵀ Σ⁻¹ J + (∇_y log N)₂ ∇²y₂ with ∇²y₂ =
  // [[−4sin(2θ₁), 0], [0, 0]], so ∇²log π · v = Jᵀ(−Σ⁻¹ Jv) − 4sin(2θ₁) g₂ v₁
  // e₁.
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index n = x.rows();
    const Eigen::ArrayXd angle = 2.0 * x.col(0).array();
    const Eigen::ArrayXd slope = 2.0 * angle.cos();  // ∂y₂/∂θ₁
    Matrix y = x;
    y.col(1) += angle.sin().matrix();
    const Matrix gy = -(y.rowwise() - mu_.transpose()) * precision_;
    Matrix jv = v;
    jv.col(1) += (slope * v.col(0).array()).matrix();
    const Matrix u = -jv * precision_;
    Matrix out(n, 2);
    out.col(0) = (u.col(0).array() + slope * u.col(1).array() -
                  4.0 * angle.sin() * gy.col(1).array() * v.col(0).array())
                     .matrix();
    out.col(1) = u.col(1);
    return out;
  }

  // ∇_θ log π = Jᵀ ∇_y log N(y), J = [[1, 0], [2cos(2θ₁), 1]].
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows();
    Matrix y = x;
    y.col(1) += (2.0 * x.col(0).array()).sin().matrix();
    const Matrix centered = y.rowwise() - mu_.transpose();
    const Matrix gy = -centered * precision_;
    logp = (0.5 * (centered.array() * gy.array()).rowwise().sum() + log_norm_)
               .matrix();
    grad.resize(n, 2);
    grad.col(0) = (gy.col(0).array() +
                   2.0 * (2.0 * x.col(0).array()).cos() * gy.col(1).array())
                      .matrix();
    grad.col(1) = gy.col(1);
  }

  Matrix sample(Index n, Rng& rng) const override {
    Matrix out = (rng.normal_matrix(n, 2) * cholesky_.transpose()).rowwise() +
                 mu_.transpose();
    out.col(1) -= (2.0 * out.col(0).array()).sin().matrix();
    return out;
  }

  // With y₁ ~ N(m, v): E sin(2y₁) = sin(2m)e^{−2v}, E cos(4y₁) =
  // cos(4m)e^{−8v}, and by Stein's lemma Cov(y_j, sin 2y₁) =
  // 2Σ_{1j} E cos(2y₁) = 2Σ_{1j} cos(2m)e^{−2v}.
  Vector mean() const override {
    const double m = mu_(0), v = sigma_(0, 0);
    return Vector{{m, mu_(1) - std::sin(2.0 * m) * std::exp(-2.0 * v)}};
  }
  Matrix covariance() const override {
    const double m = mu_(0), v = sigma_(0, 0);
    const double e_sin = std::sin(2.0 * m) * std::exp(-2.0 * v);
    const double var_sin =
        0.5 * (1.0 - std::cos(4.0 * m) * std::exp(-8.0 * v)) - e_sin * e_sin;
    const double e_cos = std::cos(2.0 * m) * std::exp(-2.0 * v);
    const double cov_1 = 2.0 * sigma_(0, 0) * e_cos;  // Cov(y₁, sin 2y₁)
    const double cov_2 = 2.0 * sigma_(0, 1) * e_cos;  // Cov(y₂, sin 2y₁)
    return Matrix{{sigma_(0, 0), sigma_(0, 1) - cov_1},
                  {sigma_(0, 1) - cov_1, sigma_(1, 1) + var_sin - 2.0 * cov_2}};
  }
  double log_z() const override { return 0.0; }

 private:
  Eigen::Vector2d mu_;
  Eigen::Matrix2d sigma_, precision_, cholesky_;
  double log_norm_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(DonutTask);
VIBENCH_REGISTER_TASK(SquiggleTask);

}  // namespace vibench
