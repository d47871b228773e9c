// `funnel`: Neal's funnel in d dimensions,
//   x₀ ~ N(0, σ²),  x_i | x₀ ~ N(0, e^{x₀}),  i = 1..d−1,
// with the defaults d = 10, σ = 3 of the diffusion-sampler benchmarks
// (gfn-diffusion's hard_funnel, sde_sampler's funnel). The density is the
// normalized product of these conditionals (log Z = 0); exact draws follow
// the same factorisation.
#include <cmath>
#include <numbers>

#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

class FunnelTask final : public Distribution {
 public:
  static constexpr const char* kName = "funnel";
  static constexpr const char* kDescription =
      "Neal's funnel: x₀ ~ N(0, sigma²), x_i | x₀ ~ N(0, e^{x₀}) for "
      "i = 1..dim−1 (d = 10, σ = 3 as in gfn-diffusion/sde_sampler); "
      "normalized (log Z = 0), exact draws";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 10,
                           "dimension d: the neck coordinate x₀ plus d − 1 "
                           "conditionally Gaussian ones (benchmark default 10)")
            .at_least(2),
        ParamSpec::real("sigma", 3.0,
                        "standard deviation σ of x₀ (benchmark default 3)")
            .above(0.0),
    };
  }

  explicit FunnelTask(const Params& p)
      : dim_(static_cast<Index>(p.integer("dim"))), sigma_(p.real("sigma")) {}

  Index dim() const override { return dim_; }
  // `moments` is not declared: Var(x_i) = E[e^{x₀}] = e^{σ²/2} ≈ 90 is
  // dominated by rare draws (x_i² has variance ≈ 3e^{2σ²}), so the generic
  // draws-versus-moments and importance-sampling checks of
  // tests/test_targets.cpp cannot verify them; mean() and covariance() are
  // exact nonetheless.
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::log_z,
            Capability::hessian_vector};
  }

  // ∂²/∂x₀² = −1/σ² − ½e^{−x₀}Σ_i x_i², ∂²/∂x₀∂x_i = e^{−x₀}x_i and
  // ∂²/∂x_i∂x_j = −e^{−x₀}δ_ij, so with v = (v₀, v_rest):
  //   (Hv)₀ = (−1/σ² − ½e^{−x₀}‖x_rest‖²)v₀ + e^{−x₀} x_rest·v_rest,
  //   (Hv)_rest = e^{−x₀}(x_rest v₀ − v_rest).
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index n = x.rows(), m = dim_ - 1;
    const Eigen::ArrayXd inv_var = (-x.col(0).array()).exp();
    const Eigen::ArrayXd sq = x.rightCols(m).rowwise().squaredNorm().array();
    const Eigen::ArrayXd dot =
        (x.rightCols(m).array() * v.rightCols(m).array()).rowwise().sum();
    const Eigen::ArrayXd v0 = v.col(0).array();
    const double s2 = sigma_ * sigma_;
    Matrix out(n, dim_);
    out.col(0) =
        ((-1.0 / s2 - 0.5 * inv_var * sq) * v0 + inv_var * dot).matrix();
    out.rightCols(m) =
        ((x.rightCols(m).array().colwise() * v0 - v.rightCols(m).array())
             .colwise() *
         inv_var)
            .matrix();
    return out;
  }

  // log π = −x₀²/(2σ²) − ½log(2πσ²) − (d−1)/2·(log 2π + x₀)
  //         − ½e^{−x₀} Σ_i x_i².
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows(), m = dim_ - 1;
    const double log_2pi = std::log(2.0 * std::numbers::pi);
    const Eigen::ArrayXd x0 = x.col(0).array();
    const Eigen::ArrayXd inv_var = (-x0).exp();
    const Eigen::ArrayXd sq = x.rightCols(m).rowwise().squaredNorm().array();
    const double s2 = sigma_ * sigma_;
    logp = (-0.5 * x0.square() / s2 - 0.5 * (log_2pi + std::log(s2)) -
            0.5 * static_cast<double>(m) * (log_2pi + x0) - 0.5 * inv_var * sq)
               .matrix();
    grad.resize(n, dim_);
    grad.col(0) =
        (-x0 / s2 - 0.5 * static_cast<double>(m) + 0.5 * inv_var * sq).matrix();
    grad.rightCols(m) = -(x.rightCols(m).array().colwise() * inv_var).matrix();
  }

  Matrix sample(Index n, Rng& rng) const override {
    Matrix out = rng.normal_matrix(n, dim_);
    out.col(0) *= sigma_;
    const Eigen::ArrayXd sd = (0.5 * out.col(0).array()).exp();
    out.rightCols(dim_ - 1).array().colwise() *= sd;
    return out;
  }

  Vector mean() const override { return Vector::Zero(dim_); }
  Matrix covariance() const override {
    Vector var = Vector::Constant(dim_, std::exp(0.5 * sigma_ * sigma_));
    var(0) = sigma_ * sigma_;
    return var.asDiagonal();
  }
  double log_z() const override { return 0.0; }

 private:
  Index dim_;
  double sigma_;
};

}  // namespace

VIBENCH_REGISTER_TASK(FunnelTask);

}  // namespace vibench
