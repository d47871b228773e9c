// `low_dim_gauss_mix`: posteriordb's two-component normal mixture
// `low_dim_gauss_mix`,
//   μ ∈ R² ordered (μ₁ < μ₂),  σ_k ~ N(0, 2) truncated to σ_k > 0,
//   μ_k ~ N(0, 2),  λ ~ Beta(5, 5),
//   y_n ~ λ N(μ₁, σ₁) + (1 − λ) N(μ₂, σ₂),
// on data N, y (N) from any posteriordb data file; by default the simulated
// data set of the posterior low_dim_gauss_mix-low_dim_gauss_mix (N = 1000)
// whose Stan reference draws are bundled. posteriordb calls λ `theta`.
//
// Coordinates are Stan's unconstrained ones: x = (μ₁, log(μ₂ − μ₁),
// log σ₁, log σ₂, logit λ), Stan's ordered transform μ₂ = μ₁ + e^{x₂}
// keeping the modes from swapping labels. Then
//   log π̃ = Σ_k [log N(μ_k | 0, 2²) + log N(σ_k | 0, 2²)] + log Beta(λ | 5, 5)
//           + Σ_n log(λ N(y_n | μ₁, σ₁²) + (1 − λ) N(y_n | μ₂, σ₂²))
//           + x₂ + log σ₁ + log σ₂ + log λ + log(1 − λ),
// every density with its normalizing constant, the truncations of σ's
// prior unnormalized (as in the Stan program) and the last line Stan's
// log-Jacobian of the transforms. Stan's lp__ (the program uses `~`) drops
// the constants, so it differs from log π̃ by a constant.
#include <cmath>
#include <numbers>

#include "targets/distributions/posteriordb.hpp"

namespace vibench {
namespace {

using Eigen::ArrayXd;
using Eigen::ArrayXXd;

// log(1 + e^z) without overflow for large z or loss for very negative z.
ArrayXd softplus(const ArrayXd& z) {
  return z.max(0.0) + (-z.abs()).exp().log1p();
}

class LowDimGaussMixTask final : public posteriordb::StanPosterior {
 public:
  static constexpr const char* kName = "low_dim_gauss_mix";
  static constexpr const char* kDescription =
      "posteriordb's two-component normal mixture `low_dim_gauss_mix`: "
      "y_n ~ λN(μ₁, σ₁) + (1 − λ)N(μ₂, σ₂) with μ ordered, μ_k ~ N(0, 2), "
      "σ_k ~ N(0, 2) truncated to σ_k > 0, λ ~ Beta(5, 5), sampled as "
      "(μ₁, log(μ₂ − μ₁), log σ₁, log σ₂, logit λ) with Stan's log-Jacobian; "
      "data from posteriordb (stan-dev/posteriordb, BSD-3), by default its "
      "simulated N = 1000 data set with Stan reference draws of "
      "low_dim_gauss_mix-low_dim_gauss_mix";
  static constexpr const char* kDimensionRule = "5 (fixed)";

  static ParamSpecs params() {
    return {
        ParamSpec::string(
            "data", "low_dim_gauss_mix-low_dim_gauss_mix", {},
            "posteriordb data with fields N and y (N): the name of a bundled "
            "posterior (low_dim_gauss_mix-low_dim_gauss_mix) or the path of "
            "a posteriordb data JSON file"),
    };
  }

  explicit LowDimGaussMixTask(const Params& p) {
    const posteriordb::Data data(p.string("data"), "/data",
                                 {"low_dim_gauss_mix", {"N", "y"}});
    y_ = data.vector("y", data.integer("N", 1), "N");
    const double log_2pi = std::log(2.0 * std::numbers::pi);
    const double log_beta_55 =
        2.0 * std::lgamma(5.0) - std::lgamma(10.0);  // log B(5, 5)
    // Four normal priors, the Beta prior and N normal likelihood terms.
    constant_ = 4.0 * (-0.5 * log_2pi - std::log(kPriorScale)) - log_beta_55 -
                0.5 * log_2pi * static_cast<double>(y_.size());
  }

  Index dim() const override { return 5; }
  Capabilities capabilities() const override {
    Capabilities c = StanPosterior::capabilities();
    c.insert(Capability::hessian_vector);
    return c;
  }

  // With z_kn = (y_n − μ_k)/σ_k and ℓ_kn = log λ_k − log σ_k − z_kn²/2
  // (λ₁ = λ, λ₂ = 1 − λ), the likelihood is Σ_n logsumexp_k ℓ_kn and, with
  // responsibilities ρ_kn = exp(ℓ_kn − logsumexp_k ℓ_kn),
  //   ∂/∂μ_k = Σ_n ρ_kn z_kn/σ_k,  ∂/∂log σ_k = Σ_n ρ_kn (z_kn² − 1),
  //   ∂/∂logit λ = Σ_n (ρ_1n − λ).
  // All points are handled together as N×n arrays.
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows();
    const double num = static_cast<double>(y_.size());
    const double v = kPriorScale * kPriorScale;
    const Terms t = terms(x);
    const ArrayXd log_lik = t.lse.colwise().sum().transpose();
    logp =
        (constant_ + log_lik -
         0.5 *
             (t.mu1.square() + t.mu2.square() + t.s1.square() + t.s2.square()) /
             v +
         kBetaShape * (t.log_lambda + t.log_1m_lambda) + x.col(1).array() +
         t.log_s1 + t.log_s2)
            .matrix();

    const ArrayXd g_mu2 = mu2_score(t);
    grad.resize(n, 5);
    grad.col(0) =
        ((t.rho1 * t.z1).colwise().sum().transpose() / t.s1 - t.mu1 / v + g_mu2)
            .matrix();
    grad.col(1) = (g_mu2 * t.gap + 1.0).matrix();
    grad.col(2) =
        ((t.rho1 * (t.z1.square() - 1.0)).colwise().sum().transpose() -
         t.s1.square() / v + 1.0)
            .matrix();
    grad.col(3) =
        ((t.rho2 * (t.z2.square() - 1.0)).colwise().sum().transpose() -
         t.s2.square() / v + 1.0)
            .matrix();
    // Beta(5, 5) prior with the logit Jacobian: 5 log λ + 5 log(1 − λ).
    grad.col(4) = (t.rho1.colwise().sum().transpose() - num * t.lambda +
                   kBetaShape - 2.0 * kBetaShape * t.lambda)
                      .matrix();
  }

  // Write p = (μ₁, μ₂, u₁, u₂, b) = (x₀, x₀ + e^{x₁}, x₂, x₃, x₄) and
  // log π̃(x) = G(p(x)) + x₁. Only μ₂ is nonlinear in x, so
  //   ∇²log π̃ · v = Jᵀ ∇²G (Jv) + (∂G/∂μ₂) e^{x₁} v₁ e₁,
  // Jv = (v₀, v₀ + e^{x₁}v₁, v₂, v₃, v₄), Jᵀu = (u₀ + u₁, e^{x₁}u₁, u₂, u₃,
  // u₄). Per datum, the log-sum-exp L = log(e^{ℓ₁} + e^{ℓ₂}) has
  //   ∇²L = ρ₁∇²ℓ₁ + ρ₂∇²ℓ₂ + ρ₁ρ₂ (∇ℓ₁ − ∇ℓ₂)(∇ℓ₁ − ∇ℓ₂)ᵀ,
  // with, in p, ∇ℓ₁ = (z₁/σ₁, 0, z₁² − 1, 0, 1 − λ),
  // ∇ℓ₂ = (0, z₂/σ₂, 0, z₂² − 1, −λ) and the nonzero second derivatives
  // ∂²ℓ_k/∂μ_k² = −1/σ_k², ∂²ℓ_k/∂μ_k∂u_k = −2z_k/σ_k, ∂²ℓ_k/∂u_k² = −2z_k²,
  // ∂²ℓ_k/∂b² = −λ(1 − λ). The priors add −1/4 (μ_k), −2σ_k²/4 (u_k) and
  // −10λ(1 − λ) (b) on the diagonal. As for the gradient, all points are
  // N×n arrays.
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index n = x.rows();
    const double num = static_cast<double>(y_.size());
    const double prior_var = kPriorScale * kPriorScale;
    const Terms t = terms(x);
    const ArrayXd q0 = v.col(0).array();
    const ArrayXd q1 = q0 + t.gap * v.col(1).array();
    const ArrayXd q2 = v.col(2).array(), q3 = v.col(3).array();
    const ArrayXd q4 = v.col(4).array();
    const ArrayXd lambda_var = (t.log_lambda + t.log_1m_lambda).exp();

    // ∇ℓ_k·q per datum, and ρ₁ρ₂ times their difference.
    const ArrayXXd a1 = t.z1.rowwise() / t.s1.transpose();  // z₁/σ₁
    const ArrayXXd a2 = t.z2.rowwise() / t.s2.transpose();
    const ArrayXXd c1 = t.z1.square() - 1.0, c2 = t.z2.square() - 1.0;
    const ArrayXXd d1 =
        (a1.rowwise() * q0.transpose() + c1.rowwise() * q2.transpose())
            .rowwise() +
        (q4 * (1.0 - t.lambda)).transpose();
    const ArrayXXd d2 =
        (a2.rowwise() * q1.transpose() + c2.rowwise() * q3.transpose())
            .rowwise() -
        (q4 * t.lambda).transpose();
    const ArrayXXd delta = t.rho1 * t.rho2 * (d1 - d2);
    const auto total = [](const ArrayXXd& a) -> ArrayXd {
      return a.colwise().sum().transpose();
    };
    const ArrayXd h0 =
        total(delta * a1 - 2.0 * t.rho1 * (a1.rowwise() * q2.transpose())) -
        total(t.rho1) * q0 / t.s1.square() - q0 / prior_var;
    const ArrayXd h1 =
        total(-delta * a2 - 2.0 * t.rho2 * (a2.rowwise() * q3.transpose())) -
        total(t.rho2) * q1 / t.s2.square() - q1 / prior_var;
    const ArrayXd h2 =
        total(delta * c1 - 2.0 * t.rho1 *
                               (a1.rowwise() * q0.transpose() +
                                t.z1.square().rowwise() * q2.transpose())) -
        2.0 * t.s1.square() / prior_var * q2;
    const ArrayXd h3 =
        total(-delta * c2 - 2.0 * t.rho2 *
                                (a2.rowwise() * q1.transpose() +
                                 t.z2.square().rowwise() * q3.transpose())) -
        2.0 * t.s2.square() / prior_var * q3;
    const ArrayXd h4 =
        total(delta) - (num + 2.0 * kBetaShape) * lambda_var * q4;

    Matrix out(n, 5);
    out.col(0) = (h0 + h1).matrix();
    out.col(1) =
        (t.gap * h1 + mu2_score(t) * t.gap * v.col(1).array()).matrix();
    out.col(2) = h2.matrix();
    out.col(3) = h3.matrix();
    out.col(4) = h4.matrix();
    return out;
  }

  std::vector<std::string> coordinate_names() const override {
    return {"mu[1]", "log_mu_gap", "log_sigma[1]", "log_sigma[2]",
            "logit_theta"};
  }
  // The reference draws' names and order; `theta` is the weight λ.
  std::vector<std::string> parameter_names() const override {
    return {"mu[1]", "mu[2]", "sigma[1]", "sigma[2]", "theta"};
  }
  Matrix to_parameters(const Matrix& x) const override {
    Matrix out(x.rows(), 5);
    out.col(0) = x.col(0);
    out.col(1) = x.col(0) + x.col(1).array().exp().matrix();
    out.col(2) = x.col(2).array().exp().matrix();
    out.col(3) = x.col(3).array().exp().matrix();
    out.col(4) = (-softplus(-x.col(4).array())).exp().matrix();
    return out;
  }
  // μ₁, log(μ₂ − μ₁), log σ and logit λ; a pair that is not ordered, σ ≤ 0
  // or λ outside (0, 1) gives a non-finite log.
  Matrix from_parameters(const Matrix& parameters) const override {
    Matrix out(parameters.rows(), 5);
    out.col(0) = parameters.col(0);
    out.col(1) = (parameters.col(1) - parameters.col(0)).array().log().matrix();
    out.col(2) = parameters.col(2).array().log().matrix();
    out.col(3) = parameters.col(3).array().log().matrix();
    const ArrayXd lambda = parameters.col(4).array();
    out.col(4) = (lambda.log() - (1.0 - lambda).log()).matrix();
    return out;
  }

 private:
  static constexpr double kPriorScale = 2.0;
  static constexpr double kBetaShape = 5.0;  // λ ~ Beta(5, 5)

  // The quantities that the log density and its derivatives share, for all
  // points: per point (n) the parameters, per datum and point (N×n) the
  // standardized residuals z_k, the responsibilities ρ_k and the
  // log-likelihood terms logsumexp_k ℓ_kn.
  struct Terms {
    ArrayXd mu1, gap, mu2, log_s1, log_s2, s1, s2, log_lambda, log_1m_lambda,
        lambda;
    ArrayXXd z1, z2, rho1, rho2, lse;
  };

  Terms terms(const Matrix& x) const {
    const Index n = x.rows();
    Terms t;
    t.mu1 = x.col(0).array();
    t.gap = x.col(1).array().exp();
    t.mu2 = t.mu1 + t.gap;
    t.log_s1 = x.col(2).array();
    t.log_s2 = x.col(3).array();
    t.s1 = t.log_s1.exp();
    t.s2 = t.log_s2.exp();
    const ArrayXd b = x.col(4).array();
    t.log_lambda = -softplus(-b);
    t.log_1m_lambda = -softplus(b);
    t.lambda = t.log_lambda.exp();

    const ArrayXXd y = y_.array().replicate(1, n);  // N×n
    t.z1 = (y.rowwise() - t.mu1.transpose()).rowwise() / t.s1.transpose();
    t.z2 = (y.rowwise() - t.mu2.transpose()).rowwise() / t.s2.transpose();
    const ArrayXXd l1 = (-0.5 * t.z1.square()).rowwise() +
                        (t.log_lambda - t.log_s1).transpose();
    const ArrayXXd l2 = (-0.5 * t.z2.square()).rowwise() +
                        (t.log_1m_lambda - t.log_s2).transpose();
    t.lse = l1.max(l2) + (-(l1 - l2).abs()).exp().log1p();  // stable
    t.rho1 = (l1 - t.lse).exp();
    t.rho2 = (l2 - t.lse).exp();
    return t;
  }

  // ∂G/∂μ₂: the likelihood's Σ_n ρ₂ z₂/σ₂ and the prior's −μ₂/4.
  static ArrayXd mu2_score(const Terms& t) {
    return (t.rho2 * t.z2).colwise().sum().transpose() / t.s2 -
           t.mu2 / (kPriorScale * kPriorScale);
  }

  Vector y_;
  double constant_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(LowDimGaussMixTask);

}  // namespace vibench
