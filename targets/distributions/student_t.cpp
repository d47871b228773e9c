// `student_t`: the multivariate Student-t distribution with ν degrees of
// freedom, location 0 and scale matrix I,
//   π(x) = Γ((ν+d)/2) / (Γ(ν/2) (νπ)^{d/2}) · (1 + ‖x‖²/ν)^{−(ν+d)/2},
// a heavy-tailed target (polynomial tails, score bounded by (ν+d)/(2√ν)).
// Normalized (log Z = 0). Exact draws x = z / √(w/ν), z ~ N(0, I),
// w ~ χ²_ν = 2·Gamma(ν/2) (Marsaglia–Tsang). Moments exist only for ν > 2:
// mean 0, covariance ν/(ν − 2)·I, and the capability is declared only then.
#include <cmath>
#include <numbers>

#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

// Gamma(shape, 1) by Marsaglia and Tsang's squeeze-free method ("A simple
// method for generating gamma variables", 2000); shape < 1 through
// Gamma(shape) = Gamma(shape + 1)·U^{1/shape}.
double sample_gamma(double shape, Rng& rng) {
  if (shape < 1.0) {
    const double g = sample_gamma(shape + 1.0, rng);
    return g * std::pow(rng.uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double z = rng.normal();
    const double t = 1.0 + c * z;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform();
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

class StudentTTask final : public Distribution {
 public:
  static constexpr const char* kName = "student_t";
  static constexpr const char* kDescription =
      "Multivariate Student-t, location 0, scale I, `dof` degrees of "
      "freedom: heavy (polynomial) tails; normalized (log Z = 0), exact "
      "draws z/√(χ²_ν/ν); moments (mean 0, covariance ν/(ν−2)·I) declared "
      "only for dof > 2";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 5, "dimension d").at_least(1),
        ParamSpec::real("dof", 5.0,
                        "degrees of freedom ν (any real > 0; 1 is the "
                        "Cauchy). No paper default: 5 keeps the tails heavy "
                        "while the covariance (ν > 2) and its sample "
                        "estimate (ν > 4) exist")
            .above(0.0),
    };
  }

  explicit StudentTTask(const Params& p)
      : dim_(static_cast<Index>(p.integer("dim"))), dof_(p.real("dof")) {
    const double d = static_cast<double>(dim_);
    log_norm_ = std::lgamma(0.5 * (dof_ + d)) - std::lgamma(0.5 * dof_) -
                0.5 * d * std::log(dof_ * std::numbers::pi);
  }

  Index dim() const override { return dim_; }
  Capabilities capabilities() const override {
    if (dof_ > 2.0)
      return {Capability::exact_draws, Capability::moments, Capability::log_z,
              Capability::hessian_vector};
    return {Capability::exact_draws, Capability::log_z,
            Capability::hessian_vector};
  }

  // ∇²log π = −(ν+d)/(ν + ‖x‖²) · [I − 2xxᵀ/(ν + ‖x‖²)].
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    const double d = static_cast<double>(dim_);
    const Eigen::ArrayXd denom = dof_ + x.rowwise().squaredNorm().array();
    const Eigen::ArrayXd along =
        2.0 * (x.array() * v.array()).rowwise().sum() / denom;
    return ((v.array() - x.array().colwise() * along).colwise() *
            (-(dof_ + d) / denom))
        .matrix();
  }

  // log π = c − (ν+d)/2 · log(1 + ‖x‖²/ν), ∇log π = −(ν+d) x / (ν + ‖x‖²).
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const double d = static_cast<double>(dim_);
    const Eigen::ArrayXd sq = x.rowwise().squaredNorm().array();
    logp = (log_norm_ - 0.5 * (dof_ + d) * (sq / dof_).log1p()).matrix();
    const Eigen::ArrayXd factor = -(dof_ + d) / (dof_ + sq);
    grad = (x.array().colwise() * factor).matrix();
  }

  // Row by row: the χ² draw, then d normals.
  Matrix sample(Index n, Rng& rng) const override {
    Matrix out(n, dim_);
    for (Index i = 0; i < n; ++i) {
      const double w = 2.0 * sample_gamma(0.5 * dof_, rng);
      const double scale = 1.0 / std::sqrt(w / dof_);
      for (Index j = 0; j < dim_; ++j) out(i, j) = scale * rng.normal();
    }
    return out;
  }

  Vector mean() const override { return Vector::Zero(dim_); }
  Matrix covariance() const override {
    return dof_ / (dof_ - 2.0) * Matrix::Identity(dim_, dim_);
  }
  double log_z() const override { return 0.0; }

 private:
  Index dim_;
  double dof_;
  double log_norm_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(StudentTTask);

}  // namespace vibench
