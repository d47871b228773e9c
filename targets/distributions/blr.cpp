// `blr`: posteriordb's Bayesian linear regression `blr`,
//   β_k ~ N(0, 10),  σ ~ N(0, 10) truncated to σ > 0,  y_n ~ N(X_n β, σ),
// on data N, D, X (N×D), y (N) from any posteriordb data file; by default
// sblrc (N = 100, D = 5, strongly correlated predictors), the posterior
// sblrc-blr whose Stan reference draws are bundled.
//
// Coordinates are Stan's unconstrained ones, (β₁..β_D, log σ), and
//   log π̃ = log N(β | 0, 10²I) + log N(σ | 0, 10²) + Σ_n log N(y_n | X_n β, σ²)
//           + log σ,
// every density with its normalizing constant and the last term the
// log-Jacobian of σ = e^s. This is exactly Stan's lp__ for the program
// (which writes `target += normal_lpdf(...)`, keeping constants, and leaves
// the truncation of σ's prior unnormalized).
#include <cmath>
#include <numbers>

#include "targets/distributions/posteriordb.hpp"

namespace vibench {
namespace {

class BlrTask final : public posteriordb::StanPosterior {
 public:
  static constexpr const char* kName = "blr";
  static constexpr const char* kDescription =
      "posteriordb's Bayesian linear regression `blr`: β_k ~ N(0, 10), "
      "σ ~ N(0, 10) truncated to σ > 0, y_n ~ N(X_n β, σ), sampled as "
      "(β, log σ) with Stan's log-Jacobian; data from posteriordb "
      "(stan-dev/posteriordb, BSD-3), by default sblrc (N = 100, D = 5, "
      "correlated predictors) with Stan reference draws of sblrc-blr";
  static constexpr const char* kDimensionRule = "D + 1 (from the data)";

  static ParamSpecs params() {
    return {
        ParamSpec::string(
            "data", "sblrc-blr", {},
            "posteriordb data of the blr model, fields N, D, X (N×D, a list "
            "of rows) and y (N): the name of a bundled posterior "
            "(sblrc-blr), or the path of a posteriordb data JSON file (or of "
            "a directory holding data.json); with posteriordb's record "
            "posterior.json beside it, its model must be blr, and without "
            "one the fields must be exactly N, D, X, y"),
    };
  }

  explicit BlrTask(const Params& p) {
    const posteriordb::Data data(p.string("data"), "/data",
                                 {"blr", {"N", "D", "X", "y"}});
    const Index n = data.integer("N", 1);
    d_ = data.integer("D", 1);
    x_ = data.matrix("X", n, d_, "N", "D");
    y_ = data.vector("y", n, "N");
  }

  Index dim() const override { return d_ + 1; }
  Capabilities capabilities() const override {
    Capabilities c = StanPosterior::capabilities();
    c.insert(Capability::hessian_vector);
    return c;
  }

  // With r = y − Xβ and s = log σ:
  //   log π̃ = c − |β|²/200 − σ²/200 − N s − |r|²/(2σ²) + s,
  //   ∇_β = −β/100 + Xᵀr/σ²,  ∂_s = −σ²/100 − N + |r|²/σ² + 1.
  // The residuals of all n points are one N×n matrix y·1ᵀ − X·Bᵀ, so the
  // data are passed twice per batch (X·Bᵀ and Xᵀ·R) whatever n.
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows(), num = y_.size();
    const double c = -static_cast<double>(d_ + 1 + num) * 0.5 *
                         std::log(2.0 * std::numbers::pi) -
                     static_cast<double>(d_ + 1) * std::log(kPriorSd);
    const auto beta = x.leftCols(d_);
    const Eigen::ArrayXd s = x.col(d_).array();
    const Eigen::ArrayXd var = (2.0 * s).exp();
    Matrix r = -x_ * beta.transpose();  // N×n
    r.colwise() += y_;
    const Eigen::ArrayXd ss = r.colwise().squaredNorm().transpose().array();
    const double inv_prior_var = 1.0 / (kPriorSd * kPriorSd);
    logp = (c - 0.5 * inv_prior_var * beta.rowwise().squaredNorm().array() -
            0.5 * inv_prior_var * var - static_cast<double>(num) * s -
            0.5 * ss / var + s)
               .matrix();
    grad.resize(n, d_ + 1);
    grad.leftCols(d_) = (r.transpose() * x_).array().colwise() / var -
                        inv_prior_var * beta.array();
    grad.col(d_) =
        (-inv_prior_var * var - static_cast<double>(num) + ss / var + 1.0)
            .matrix();
  }

  // Differentiating the gradient above once more (σ² = e^{2s}):
  //   ∇²_ββ = −I/100 − XᵀX/σ²,  ∇²_βs = −2Xᵀr/σ²,
  //   ∂²_s = −2σ²/100 − 2|r|²/σ²,
  // so (Hv)_β = −v_β/100 − Xᵀ(X v_β + 2 v_s r)/σ² and
  // (Hv)_s = −2 rᵀX v_β/σ² − (2σ²/100 + 2|r|²/σ²) v_s. For all n points
  // at once: R (N×n) as in log_prob_grad, T = X·V_βᵀ + 2R·diag(v_s), and one
  // product Tᵀ·X.
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const Index n = x.rows();
    const double inv_prior_var = 1.0 / (kPriorSd * kPriorSd);
    const Eigen::ArrayXd var = (2.0 * x.col(d_).array()).exp();
    const Eigen::ArrayXd vs = v.col(d_).array();
    Matrix r = -x_ * x.leftCols(d_).transpose();  // N×n
    r.colwise() += y_;
    const Matrix xv = x_ * v.leftCols(d_).transpose();  // N×n
    const Eigen::ArrayXd ss = r.colwise().squaredNorm().transpose().array();
    const Eigen::ArrayXd rxv =
        (r.array() * xv.array()).colwise().sum().transpose();
    const Matrix t = xv + 2.0 * r * vs.matrix().asDiagonal();
    Matrix out(n, d_ + 1);
    out.leftCols(d_) = -((t.transpose() * x_).array().colwise() / var +
                         inv_prior_var * v.leftCols(d_).array());
    out.col(d_) =
        (-2.0 * rxv / var - (2.0 * inv_prior_var * var + 2.0 * ss / var) * vs)
            .matrix();
    return out;
  }

  std::vector<std::string> coordinate_names() const override {
    std::vector<std::string> names = beta_names();
    names.push_back("log_sigma");
    return names;
  }
  std::vector<std::string> parameter_names() const override {
    std::vector<std::string> names = beta_names();
    names.push_back("sigma");
    return names;
  }
  Matrix to_parameters(const Matrix& x) const override {
    Matrix out = x;
    out.col(d_) = x.col(d_).array().exp().matrix();
    return out;
  }
  Matrix from_parameters(const Matrix& parameters) const override {
    Matrix out = parameters;
    out.col(d_) = parameters.col(d_).array().log().matrix();
    return out;
  }

 private:
  std::vector<std::string> beta_names() const {
    std::vector<std::string> names;
    for (Index k = 1; k <= d_; ++k)
      names.push_back("beta[" + std::to_string(k) + "]");
    return names;
  }

  // Standard deviation of the normal priors of β and σ.
  static constexpr double kPriorSd = 10.0;

  Index d_ = 0;
  Matrix x_;  // N×D design
  Vector y_;
};

}  // namespace

VIBENCH_REGISTER_TASK(BlrTask);

}  // namespace vibench
