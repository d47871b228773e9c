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

#include "tasks/posteriordb.hpp"

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
    const posteriordb::Data data(p.string("data"), "/data");
    y_ = data.vector("y", data.integer("N", 1), "N");
    const double log_2pi = std::log(2.0 * std::numbers::pi);
    const double log_beta_55 =
        2.0 * std::lgamma(5.0) - std::lgamma(10.0);  // log B(5, 5)
    // Four normal priors, the Beta prior and N normal likelihood terms.
    constant_ = 4.0 * (-0.5 * log_2pi - std::log(kPriorScale)) - log_beta_55 -
                0.5 * log_2pi * static_cast<double>(y_.size());
  }

  Index dim() const override { return 5; }

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
    const ArrayXd mu1 = x.col(0).array();
    const ArrayXd gap = x.col(1).array().exp();
    const ArrayXd mu2 = mu1 + gap;
    const ArrayXd log_s1 = x.col(2).array(), log_s2 = x.col(3).array();
    const ArrayXd s1 = log_s1.exp(), s2 = log_s2.exp();
    const ArrayXd b = x.col(4).array();
    const ArrayXd log_lambda = -softplus(-b), log_1m_lambda = -softplus(b);
    const ArrayXd lambda = log_lambda.exp();

    const ArrayXXd y = y_.array().replicate(1, n);  // N×n
    const ArrayXXd z1 =
        (y.rowwise() - mu1.transpose()).rowwise() / s1.transpose();
    const ArrayXXd z2 =
        (y.rowwise() - mu2.transpose()).rowwise() / s2.transpose();
    ArrayXXd l1 =
        (-0.5 * z1.square()).rowwise() + (log_lambda - log_s1).transpose();
    ArrayXXd l2 =
        (-0.5 * z2.square()).rowwise() + (log_1m_lambda - log_s2).transpose();
    const ArrayXXd lse =
        l1.max(l2) + (-(l1 - l2).abs()).exp().log1p();  // stable log-sum-exp
    l1 = (l1 - lse).exp();  // responsibilities ρ₁, ρ₂
    l2 = (l2 - lse).exp();

    const ArrayXd log_lik = lse.colwise().sum().transpose();
    logp =
        (constant_ + log_lik -
         0.5 * (mu1.square() + mu2.square() + s1.square() + s2.square()) / v +
         5.0 * (log_lambda + log_1m_lambda) + x.col(1).array() + log_s1 +
         log_s2)
            .matrix();

    const ArrayXd g_mu1 = (l1 * z1).colwise().sum().transpose() / s1 - mu1 / v;
    const ArrayXd g_mu2 = (l2 * z2).colwise().sum().transpose() / s2 - mu2 / v;
    grad.resize(n, 5);
    grad.col(0) = (g_mu1 + g_mu2).matrix();
    grad.col(1) = (g_mu2 * gap + 1.0).matrix();
    grad.col(2) = ((l1 * (z1.square() - 1.0)).colwise().sum().transpose() -
                   s1.square() / v + 1.0)
                      .matrix();
    grad.col(3) = ((l2 * (z2.square() - 1.0)).colwise().sum().transpose() -
                   s2.square() / v + 1.0)
                      .matrix();
    // Beta(5, 5) prior with the logit Jacobian: 5 log λ + 5 log(1 − λ).
    grad.col(4) =
        (l1.colwise().sum().transpose() - num * lambda + 5.0 - 10.0 * lambda)
            .matrix();
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

 private:
  static constexpr double kPriorScale = 2.0;

  Vector y_;
  double constant_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(LowDimGaussMixTask);

}  // namespace vibench
