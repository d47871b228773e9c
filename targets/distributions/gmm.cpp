// `gmm`: a mixture of Gaussians Σ_k w_k N(μ_k, Σ_k). Presets give the usual
// multimodal 2-D benchmarks (8 modes on a ring, the 25-mode grid of the
// diffusion-sampler literature, NCSN's unequal two-mode toy), the FAB-style
// 40-mode mixture, a random mixture, or a fully custom one.
// The density is normalized (log Z = 0).
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

class GmmTask final : public Distribution {
 public:
  static constexpr const char* kName = "gmm";
  static constexpr const char* kDescription =
      "Gaussian mixture Σ_k w_k N(μ_k, Σ_k): presets ring8, grid25 (25 modes "
      "on {-10,-5,0,5,10}², as in gfn-diffusion), ncsn_1to4 (NCSN's "
      "(1/5)N((-5,-5), I) + (4/5)N((5,5), I)), gmm40 (40 equal-weight unit "
      "modes with means uniform in [-mean_range, mean_range]^dim, FAB-style), "
      "random, or custom; weights are normalized to sum to 1; normalized "
      "density (log Z = 0)";
  static constexpr const char* kDimensionRule =
      "2 for presets ring8/grid25/ncsn_1to4, the width of `means` for custom, "
      "dim for random and gmm40";

  static ParamSpecs params() {
    return {
        ParamSpec::string(
            "preset", "ring8",
            {"custom", "ring8", "grid25", "ncsn_1to4", "gmm40", "random"},
            "ring8: 8 equal-weight modes on a circle of radius `radius`; "
            "grid25: 25 equal-weight modes at {-10,-5,0,5,10}²; both with "
            "covariance component_variance·I. ncsn_1to4: (1/5)N((-5,-5), I) "
            "+ (4/5)N((5,5), I), the toy of Song & Ermon's NCSN paper on "
            "which Langevin dynamics misweights the modes. gmm40: 40 "
            "equal-weight N(μ_k, I), μ_k uniform in [-mean_range, "
            "mean_range]^dim from `instance` (as FAB's 2-D GMM and the "
            "GMM40 target of later sampler benchmarks: loc_scaling 40, unit "
            "scales; dim defaults to 50, the high-dimensional variant, give "
            "dim 2 for FAB's; the sources' exact settings are not verified). "
            "random: `components` modes in `dim` dimensions "
            "from `instance`. custom: given by means, weights, covariances"),
        ParamSpec::integer("dim", nullptr,
                           "dimension; random: default 2; gmm40: default 50; "
                           "ring8/grid25/ncsn_1to4: must be 2 if given; "
                           "custom: must equal the width of `means` if given")
            .at_least(1),
        ParamSpec::integer("components", 5,
                           "number of components (preset random)")
            .at_least(1),
        ParamSpec::real("radius", 4.0, "radius of the ring (preset ring8)")
            .above(0.0),
        ParamSpec::real("component_variance", 0.3,
                        "variance of each isotropic component (presets "
                        "ring8, grid25; 0.3 as in gfn-diffusion's 25-GMM)")
            .above(0.0),
        ParamSpec::real("mean_scale", 5.0,
                        "preset random: means ~ N(0, mean_scale² I)")
            .at_least(0.0),
        ParamSpec::real("mean_range", 40.0,
                        "preset gmm40: means uniform in [-mean_range, "
                        "mean_range]^dim (40 = loc_scaling of FAB's GMM and "
                        "of GMM40 in the sampling benchmarks)")
            .at_least(0.0),
        ParamSpec::integer("instance", 0,
                           "seed of the random mixture (preset random): "
                           "means ~ N(0, mean_scale² I), covariances "
                           "A Aᵀ/dim + 0.5 I with A standard normal, "
                           "weights ~ Dirichlet(1, ..., 1); and of the means "
                           "of preset gmm40")
            .at_least(0),
        ParamSpec::of_type(ParamType::matrix, "means", nullptr,
                           "preset custom (required): K×d matrix, one mean "
                           "per row"),
        ParamSpec::of_type(ParamType::vector, "weights", nullptr,
                           "preset custom: K positive weights, normalized "
                           "to sum to 1 (default: equal weights)")
            .above(0.0),
        ParamSpec::of_type(ParamType::matrix_list, "covariances", nullptr,
                           "preset custom: K symmetric positive definite "
                           "d×d matrices, or one shared by every component "
                           "(default: identity)"),
    };
  }

  explicit GmmTask(const Params& p) {
    const std::string preset = p.string("preset");
    if (preset != "custom")
      for (const char* name : {"means", "weights", "covariances"})
        if (p.has(name))
          throw ConfigError(
              "", fmt::format("gmm: parameter '{}' is only used with preset "
                              "'custom', not '{}'",
                              name, preset));
    if ((preset == "ring8" || preset == "grid25" || preset == "ncsn_1to4") &&
        p.has("dim") && p.integer("dim") != 2)
      throw ConfigError("", fmt::format("gmm: preset '{}' is 2-dimensional, "
                                        "but dim = {}",
                                        preset, p.integer("dim")));
    std::vector<Matrix> covariances;
    if (preset == "ring8") {
      const double r = p.real("radius");
      means_.resize(8, 2);
      for (Index k = 0; k < 8; ++k) {
        const double angle = 2.0 * std::numbers::pi * k / 8.0;
        means_.row(k) << r * std::cos(angle), r * std::sin(angle);
      }
      weights_ = Vector::Constant(8, 1.0 / 8.0);
      covariances.assign(8,
                         p.real("component_variance") * Matrix::Identity(2, 2));
    } else if (preset == "grid25") {
      means_.resize(25, 2);
      for (Index a = 0; a < 5; ++a)
        for (Index b = 0; b < 5; ++b)
          means_.row(5 * a + b) << 5.0 * a - 10.0, 5.0 * b - 10.0;
      weights_ = Vector::Constant(25, 1.0 / 25.0);
      covariances.assign(25,
                         p.real("component_variance") * Matrix::Identity(2, 2));
    } else if (preset == "ncsn_1to4") {
      means_ = Matrix{{-5.0, -5.0}, {5.0, 5.0}};
      weights_ = Vector{{0.2, 0.8}};
      covariances.assign(2, Matrix::Identity(2, 2));
    } else if (preset == "gmm40") {
      const Index d = p.has("dim") ? static_cast<Index>(p.integer("dim")) : 50;
      const double range = p.real("mean_range");
      Rng mean_rng = make_rng(static_cast<std::uint64_t>(p.integer("instance")))
                         .child("gmm40 means");
      means_.resize(40, d);
      for (Index k = 0; k < 40; ++k)
        for (Index j = 0; j < d; ++j)
          means_(k, j) = range * (2.0 * mean_rng.uniform() - 1.0);
      weights_ = Vector::Constant(40, 1.0 / 40.0);
      covariances.assign(40, Matrix::Identity(d, d));
    } else if (preset == "random") {
      const Index d = p.has("dim") ? static_cast<Index>(p.integer("dim")) : 2;
      const Index k = static_cast<Index>(p.integer("components"));
      const Rng root =
          make_rng(static_cast<std::uint64_t>(p.integer("instance")));
      Rng mean_rng = root.child("means");
      means_ = p.real("mean_scale") * mean_rng.normal_matrix(k, d);
      Rng cov_rng = root.child("covariances");
      for (Index j = 0; j < k; ++j) {
        const Matrix a = cov_rng.normal_matrix(d, d);
        covariances.push_back(a * a.transpose() / static_cast<double>(d) +
                              0.5 * Matrix::Identity(d, d));
      }
      Rng weight_rng = root.child("weights");
      weights_.resize(k);
      // Normalized Exp(1) draws are Dirichlet(1, ..., 1).
      for (Index j = 0; j < k; ++j)
        weights_(j) = -std::log(1.0 - weight_rng.uniform());
    } else if (preset == "custom") {
      if (!p.has("means"))
        throw ConfigError("",
                          "gmm: preset 'custom' needs 'means' (a K×d "
                          "matrix, one component mean per row)");
      means_ = p.matrix("means");
      const Index k = means_.rows(), d = means_.cols();
      if (p.has("dim") && p.integer("dim") != d)
        throw ConfigError(
            "", fmt::format("gmm: dim = {} but 'means' has {} columns",
                            p.integer("dim"), d));
      weights_ =
          p.has("weights") ? p.vector("weights", k) : Vector::Constant(k, 1.0);
      if (p.has("covariances")) {
        covariances = p.matrix_list("covariances");
        if (covariances.size() == 1)
          covariances.assign(k, Matrix(covariances[0]));
        if (static_cast<Index>(covariances.size()) != k)
          throw ConfigError(
              "", fmt::format("gmm: 'covariances' has {} matrices but "
                              "'means' has {} rows (give K matrices or one)",
                              covariances.size(), k));
      } else {
        covariances.assign(k, Matrix::Identity(d, d));
      }
    } else {
      throw ConfigError("", "gmm: unknown preset '" + preset + "'");
    }
    set_up(covariances);
  }

  Index dim() const override { return means_.cols(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z,
            Capability::smoothed_score, Capability::hessian_vector};
  }

  // With component scores s_k = −P_k(x − μ_k), responsibilities w_k and the
  // mixture score s = Σ_k w_k s_k,
  //   ∇²log π = Σ_k w_k (−P_k + s_k s_kᵀ) − s sᵀ
  //           = Σ_k w_k (−P_k + (s_k − s)(s_k − s)ᵀ),
  // the second form a weighted covariance of the scores, free of the
  // cancellation between Σ_k w_k s_k s_kᵀ and s sᵀ when the scores are large.
  // A first pass gives log π and s; a second adds each component's term,
  // with w_k = exp(l_k − log π) (the log-sum-exp of the first pass).
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    Vector logp;
    Matrix score;
    mixture_log_prob_grad(x, precisions_, log_coef_, logp, score);
    Matrix out = Matrix::Zero(x.rows(), dim());
    for (Index k = 0; k < weights_.size(); ++k) {
      const Matrix centered = x.rowwise() - means_.row(k);
      const Matrix pd = centered * precisions_[k];
      const Eigen::ArrayXd w =
          (log_coef_(k) -
           0.5 * (centered.array() * pd.array()).rowwise().sum() - logp.array())
              .exp();
      const Matrix diff = -pd - score;  // s_k − s
      const Eigen::ArrayXd along = (diff.array() * v.array()).rowwise().sum();
      out.array() +=
          (diff.array().colwise() * along - (v * precisions_[k]).array())
              .colwise() *
          w;
    }
    return out;
  }

  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    mixture_log_prob_grad(x, precisions_, log_coef_, logp, grad);
  }

  // Convolving the mixture with N(0, σ²I) adds σ²I to every component
  // covariance (a sum of independent Gaussians), so the smoothed score is
  // the score of another mixture with the same weights and means.
  Matrix smoothed_score(const Matrix& x, double sigma) const override {
    const Index d = dim(), k_count = weights_.size();
    std::vector<Matrix> precisions;
    Vector log_coef(k_count);
    for (Index k = 0; k < k_count; ++k) {
      const Eigen::LLT<Matrix> llt(covariances_[k] +
                                   sigma * sigma * Matrix::Identity(d, d));
      Matrix precision = llt.solve(Matrix::Identity(d, d));
      precisions.push_back(0.5 * (precision + precision.transpose()));
      log_coef(k) =
          std::log(weights_(k)) -
          0.5 * static_cast<double>(d) * std::log(2.0 * std::numbers::pi) -
          Matrix(llt.matrixL()).diagonal().array().log().sum();
    }
    Vector logp;
    Matrix grad;
    mixture_log_prob_grad(x, precisions, log_coef, logp, grad);
    return grad;
  }

  // One pass over the components with a running log-sum-exp: m is the
  // running maximum of the component log terms, s = Σ exp(l_k − m) and
  // g = Σ exp(l_k − m) ∇l_k, so ∇ log p = g / s.
  void mixture_log_prob_grad(const Matrix& x,
                             const std::vector<Matrix>& precisions,
                             const Vector& log_coef, Vector& logp,
                             Matrix& grad) const {
    const Index n = x.rows();
    Eigen::ArrayXd m(n), s(n);
    Eigen::ArrayXXd g(n, dim());
    for (Index k = 0; k < weights_.size(); ++k) {
      const Matrix centered = x.rowwise() - means_.row(k);
      const Matrix pd = centered * precisions[k];
      const Eigen::ArrayXd l =
          log_coef(k) - 0.5 * (centered.array() * pd.array()).rowwise().sum();
      if (k == 0) {
        m = l;
        s.setOnes();
        g = -pd.array();
        continue;
      }
      const Eigen::ArrayXd m_new = m.max(l);
      const Eigen::ArrayXd old_scale = (m - m_new).exp();
      const Eigen::ArrayXd new_scale = (l - m_new).exp();
      s = s * old_scale + new_scale;
      g = g.colwise() * old_scale - pd.array().colwise() * new_scale;
      m = m_new;
    }
    logp = (m + s.log()).matrix();
    grad = (g.colwise() / s).matrix();
  }

  // Row by row: a uniform picks the component, then d normals.
  Matrix sample(Index n, Rng& rng) const override {
    const Index d = dim(), k_count = weights_.size();
    Matrix out(n, d);
    for (Index i = 0; i < n; ++i) {
      const double u = rng.uniform();
      Index k = 0;
      while (k + 1 < k_count && u >= cumulative_(k)) ++k;
      const Vector z = rng.normal_vector(d);
      out.row(i) = (means_.row(k).transpose() + choleskys_[k] * z).transpose();
    }
    return out;
  }

  Vector mean() const override { return means_.transpose() * weights_; }
  Matrix covariance() const override {
    const Vector mu = mean();
    Matrix second = Matrix::Zero(dim(), dim());
    for (Index k = 0; k < weights_.size(); ++k)
      second += weights_(k) *
                (covariances_[k] + means_.row(k).transpose() * means_.row(k));
    return second - mu * mu.transpose();
  }
  double log_z() const override { return 0.0; }

 private:
  // Validates and normalizes the weights, checks every covariance and
  // precomputes Cholesky factors, precisions and log normalizers.
  void set_up(const std::vector<Matrix>& covariances) {
    const Index k_count = means_.rows(), d = means_.cols();
    for (Index k = 0; k < k_count; ++k)
      if (!(weights_(k) > 0) || !std::isfinite(weights_(k)))
        throw ConfigError("", fmt::format("gmm: weight of component {} is "
                                          "{}; weights must be positive",
                                          k, weights_(k)));
    weights_ /= weights_.sum();
    cumulative_.resize(k_count);
    double total = 0.0;
    for (Index k = 0; k < k_count; ++k) cumulative_(k) = total += weights_(k);
    log_coef_.resize(k_count);
    for (Index k = 0; k < k_count; ++k) {
      const Matrix& c = covariances[k];
      if (c.rows() != d || c.cols() != d)
        throw ConfigError(
            "", fmt::format("gmm: covariance of component {} is {}×{}, but "
                            "the means are {}-dimensional",
                            k, c.rows(), c.cols(), d));
      const double scale = std::max(1.0, c.cwiseAbs().maxCoeff());
      if ((c - c.transpose()).cwiseAbs().maxCoeff() > 1e-12 * scale)
        throw ConfigError("", fmt::format("gmm: covariance of component {} "
                                          "is not symmetric",
                                          k));
      const Matrix sym = 0.5 * (c + c.transpose());
      const Eigen::LLT<Matrix> llt(sym);
      if (llt.info() != Eigen::Success ||
          !(llt.matrixL().toDenseMatrix().diagonal().array() > 0).all())
        throw ConfigError("", fmt::format("gmm: covariance of component {} "
                                          "is not positive definite",
                                          k));
      Matrix lower = llt.matrixL();
      Matrix precision = llt.solve(Matrix::Identity(d, d));
      precision = 0.5 * (precision + precision.transpose());
      log_coef_(k) =
          std::log(weights_(k)) -
          0.5 * static_cast<double>(d) * std::log(2.0 * std::numbers::pi) -
          lower.diagonal().array().log().sum();
      covariances_.push_back(sym);
      choleskys_.push_back(std::move(lower));
      precisions_.push_back(std::move(precision));
    }
  }

  Matrix means_;  // K×d
  Vector weights_, cumulative_, log_coef_;
  std::vector<Matrix> covariances_, choleskys_, precisions_;
};

}  // namespace

VIBENCH_REGISTER_TASK(GmmTask);

}  // namespace vibench
