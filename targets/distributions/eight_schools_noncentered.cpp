// `eight_schools_noncentered`: posteriordb's non-centred eight schools model,
//   θ̃_j ~ N(0, 1),  μ ~ N(0, 5),  τ ~ Cauchy(0, 5) truncated to τ > 0,
//   θ = μ + τ θ̃,  y_j ~ N(θ_j, sigma_j),
// on data J, y (J), sigma (J) from any posteriordb data file; by default the
// eight schools of Rubin (1981), the posterior
// eight_schools-eight_schools_noncentered whose Stan reference draws are
// bundled.
//
// Coordinates are Stan's unconstrained ones, (θ̃₁..θ̃_J, μ, log τ), and
//   log π̃ = Σ_j log N(θ̃_j | 0, 1) + log N(μ | 0, 5²) + log Cauchy(τ | 0, 5)
//           + Σ_j log N(y_j | θ_j, sigma_j²) + log τ,
// every density with its normalizing constant, the truncation of τ's prior
// unnormalized (as in the Stan program) and the last term the log-Jacobian of
// τ = e^t. Stan's lp__ (the program uses `~`) drops these constants, so it
// differs from log π̃ by a constant.
#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "targets/distributions/posteriordb.hpp"

namespace vibench {
namespace {

class EightSchoolsNoncenteredTask final : public posteriordb::StanPosterior {
 public:
  static constexpr const char* kName = "eight_schools_noncentered";
  static constexpr const char* kDescription =
      "posteriordb's non-centred eight schools model: θ̃_j ~ N(0, 1), "
      "μ ~ N(0, 5), τ ~ Cauchy(0, 5) truncated to τ > 0, y_j ~ N(μ + τθ̃_j, "
      "sigma_j), sampled as (θ̃, μ, log τ) with Stan's log-Jacobian; a "
      "funnel-shaped hierarchical posterior; data from posteriordb "
      "(stan-dev/posteriordb, BSD-3), by default the eight schools (J = 8) "
      "with Stan reference draws of eight_schools-eight_schools_noncentered";
  static constexpr const char* kDimensionRule = "J + 2 (from the data)";

  static ParamSpecs params() {
    return {
        ParamSpec::string(
            "data", "eight_schools-eight_schools_noncentered", {},
            "posteriordb data with fields J, y (J) and sigma (J, positive): "
            "the name of a bundled posterior "
            "(eight_schools-eight_schools_noncentered) or the path of a "
            "posteriordb data JSON file"),
    };
  }

  explicit EightSchoolsNoncenteredTask(const Params& p) {
    const posteriordb::Data data(
        p.string("data"), "/data",
        {"eight_schools_noncentered", {"J", "y", "sigma"}});
    j_ = data.integer("J", 1);
    y_ = data.vector("y", j_, "J");
    const Vector sigma = data.vector("sigma", j_, "J");
    if (!(sigma.array() > 0.0).all() || !sigma.allFinite())
      throw ConfigError("/data", "posteriordb data file " +
                                     data.path().string() +
                                     ": sigma must be positive and finite");
    inv_var_ = sigma.array().square().inverse().matrix();
    const double log_2pi = std::log(2.0 * std::numbers::pi);
    constant_ = -0.5 * static_cast<double>(2 * j_ + 1) * log_2pi -
                std::log(kMuScale) - std::log(std::numbers::pi * kTauScale) -
                sigma.array().log().sum();
  }

  Index dim() const override { return j_ + 2; }
  Capabilities capabilities() const override {
    Capabilities c = StanPosterior::capabilities();
    c.insert(Capability::hessian_vector);
    return c;
  }

  // With θ = μ + τθ̃, w_j = (y_j − θ_j)/sigma_j² and t = log τ:
  //   log π̃ = c − |θ̃|²/2 − μ²/50 − log(1 + τ²/25)
  //           − Σ_j sigma_j² w_j²/2 + t,
  //   ∇_θ̃ = −θ̃ + τw,  ∂_μ = −μ/25 + Σ_j w_j,
  //   ∂_t = −2τ²/(25 + τ²) + τ Σ_j w_j θ̃_j + 1.
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows();
    const Eigen::ArrayXXd theta_tilde = x.leftCols(j_).array();
    const Eigen::ArrayXd mu = x.col(j_).array();
    const Eigen::ArrayXd t = x.col(j_ + 1).array();
    const Eigen::ArrayXd tau = t.exp();
    // Residuals y − θ, n×J.
    Eigen::ArrayXXd r = -(theta_tilde.colwise() * tau);
    r.colwise() -= mu;
    r.rowwise() += y_.transpose().array();
    const Eigen::ArrayXXd w = r.rowwise() * inv_var_.transpose().array();
    const double s2 = kTauScale * kTauScale;
    logp = (constant_ - 0.5 * theta_tilde.square().rowwise().sum() -
            0.5 * mu.square() / (kMuScale * kMuScale) -
            (1.0 + tau.square() / s2).log() - 0.5 * (r * w).rowwise().sum() + t)
               .matrix();
    grad.resize(n, j_ + 2);
    grad.leftCols(j_) = (w.colwise() * tau - theta_tilde).matrix();
    grad.col(j_) = (-mu / (kMuScale * kMuScale) + w.rowwise().sum()).matrix();
    grad.col(j_ + 1) = (-2.0 * tau.square() / (s2 + tau.square()) +
                        tau * (w * theta_tilde).rowwise().sum() + 1.0)
                           .matrix();
  }

  // The derivative of the gradient above along v = (a, b, c) (parts for θ̃,
  // μ, t). Along v, τ changes by τc and the residuals by
  // dr = −τa − b − τθ̃c, so w by dw = dr/sigma²; hence
  //   (Hv)_θ̃ = −a + τdw + τc·w,  (Hv)_μ = −b/25 + Σ_j dw_j,
  //   (Hv)_t = −4·25τ²c/(25 + τ²)² + τc Σ_j w_jθ̃_j + τ Σ_j (dw_jθ̃_j + w_ja_j).
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index n = x.rows();
    const Eigen::ArrayXXd theta_tilde = x.leftCols(j_).array();
    const Eigen::ArrayXd mu = x.col(j_).array();
    const Eigen::ArrayXd tau = x.col(j_ + 1).array().exp();
    const Eigen::ArrayXXd a = v.leftCols(j_).array();
    const Eigen::ArrayXd b = v.col(j_).array();
    const Eigen::ArrayXd c = v.col(j_ + 1).array();
    Eigen::ArrayXXd r = -(theta_tilde.colwise() * tau);
    r.colwise() -= mu;
    r.rowwise() += y_.transpose().array();
    const Eigen::ArrayXXd w = r.rowwise() * inv_var_.transpose().array();
    Eigen::ArrayXXd dr = -((a + theta_tilde.colwise() * c).colwise() * tau);
    dr.colwise() -= b;
    const Eigen::ArrayXXd dw = dr.rowwise() * inv_var_.transpose().array();
    const double s2 = kTauScale * kTauScale;
    const Eigen::ArrayXd tau2 = tau.square();
    Matrix out(n, j_ + 2);
    out.leftCols(j_) = (-a + (dw + w.colwise() * c).colwise() * tau).matrix();
    out.col(j_) = (-b / (kMuScale * kMuScale) + dw.rowwise().sum()).matrix();
    out.col(j_ + 1) = (-4.0 * s2 * tau2 * c / (s2 + tau2).square() +
                       tau * c * (w * theta_tilde).rowwise().sum() +
                       tau * (dw * theta_tilde + w * a).rowwise().sum())
                          .matrix();
    return out;
  }

  std::vector<std::string> coordinate_names() const override {
    std::vector<std::string> names;
    for (Index j = 1; j <= j_; ++j)
      names.push_back("theta_trans[" + std::to_string(j) + "]");
    names.push_back("mu");
    names.push_back("log_tau");
    return names;
  }
  // As the reference draws report them: θ = μ + τθ̃ in place of θ̃.
  std::vector<std::string> parameter_names() const override {
    std::vector<std::string> names;
    for (Index j = 1; j <= j_; ++j)
      names.push_back("theta[" + std::to_string(j) + "]");
    names.push_back("mu");
    names.push_back("tau");
    return names;
  }
  Matrix to_parameters(const Matrix& x) const override {
    const Eigen::ArrayXd tau = x.col(j_ + 1).array().exp();
    Matrix out(x.rows(), j_ + 2);
    out.leftCols(j_) =
        (x.leftCols(j_).array().colwise() * tau).colwise() + x.col(j_).array();
    out.col(j_) = x.col(j_);
    out.col(j_ + 1) = tau.matrix();
    return out;
  }
  // θ̃ = (θ − μ)/τ and log τ; τ ≤ 0 gives a non-finite log.
  Matrix from_parameters(const Matrix& parameters) const override {
    const Eigen::ArrayXd tau = parameters.col(j_ + 1).array();
    Matrix out(parameters.rows(), j_ + 2);
    out.leftCols(j_) =
        (parameters.leftCols(j_).array().colwise() - parameters.col(j_).array())
            .colwise() /
        tau;
    out.col(j_) = parameters.col(j_);
    out.col(j_ + 1) = tau.log().matrix();
    return out;
  }

 private:
  static constexpr double kMuScale = 5.0;
  static constexpr double kTauScale = 5.0;

  Index j_ = 0;
  Vector y_;
  Vector inv_var_;  // 1/sigma_j²
  double constant_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(EightSchoolsNoncenteredTask);

}  // namespace vibench
