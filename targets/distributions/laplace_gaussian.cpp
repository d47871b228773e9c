// `laplace_gaussian`: a Gaussian likelihood times a Laplace (ℓ1) prior,
//   π(x) ∝ exp(−Σ_j (x_j − m_j)²/(2s_j²) − α‖x‖₁)   on ℝ^d,
// the posterior of the Bayesian lasso with identity design: a composite
// target (Capability::composite) whose smooth part f = Σ_j (x_j − m_j)²/
// (2s_j²) has L = max_j 1/s_j² and whose nonsmooth part g = α‖x‖₁ has the
// soft-thresholding prox, prox_{tg}(x) = x − clamp(x, −tα, tα). It is the
// ℓ1-prior test case of proximal samplers (MYULA), with every answer exact.
//
// The coordinates are independent; each is a two-piece mixture of normals
// truncated to x > 0 and x < 0. Completing the square,
//   x > 0: e^{c₊} exp(−(x − μ₊)²/(2s²)),  μ₊ = m − αs²,  c₊ = −αm + α²s²/2,
//   x < 0: e^{c₋} exp(−(x − μ₋)²/(2s²)),  μ₋ = m + αs²,  c₋ = αm + α²s²/2,
// so with a₊ = μ₊/s, a₋ = −μ₋/s the pieces have masses
//   Z± = s√(2π) e^{c±} Φ(a±),  log Z = Σ_j log(Z₊ + Z₋)
// (log_prob is unnormalized), weights p± = Z±/(Z₊ + Z₋), and, with the
// ratio r(a) = φ(a)/Φ(a) (the mean of N(0, 1) truncated to z > −a),
//   E₊ = μ₊ + s r(a₊),  V₊ = s²(1 − a₊r(a₊) − r(a₊)²),
//   E₋ = μ₋ − s r(a₋),  V₋ = s²(1 − a₋r(a₋) − r(a₋)²),
//   mean = p₊E₊ + p₋E₋,  var = p₊V₊ + p₋V₋ + p₊(E₊ − mean)² + p₋(E₋ − mean)².
// The weights and log Z are formed on the log scale (log Φ from erfc, with
// the Mills ratio series in the far lower tail), and each piece's mean and
// variance as s times the overshoot moments of a truncated N(0, 1) (with
// Laplace's continued fraction in the tail), so large α s or |m|/s neither
// overflow nor cancel. Exact draws pick a piece with probability p±, then a
// one-sided truncated normal by rejection (from N(0, 1) when the bound is
// ≤ 0, else Robert's 1995 exponential proposal), exact in any tail.
//
// log_prob_grad is the whole log π̃ with the a.e. gradient
// −(x − m)/s² − α sign(x) (sign 0 at a kink, where π is not differentiable):
// every sampler runs on it; proximal ones use the split.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

const double kLogSqrtTwoPi = 0.5 * std::log(2.0 * std::numbers::pi);

// Below this z, erfc(−z/√2) underflows (≈ 1e-307 at z = −37.5): log Φ then
// comes from the asymptotic series of the Mills ratio, whose next term is
// below 1e-12 there (as in truncated_gaussian).
constexpr double kAsymptoticBelow = -37.5;

// log Φ(z) for any z, accurate in the far lower tail.
double log_normal_cdf(double z) {
  if (z > kAsymptoticBelow)
    return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
  // Φ(z) = φ(z)/|z| · (1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸ − …).
  const double w = 1.0 / (z * z);
  const double series = 1.0 + w * (-1.0 + w * (3.0 + w * (-15.0 + w * 105.0)));
  return -0.5 * z * z - kLogSqrtTwoPi - std::log(-z) + std::log(series);
}

// Below this bound the moments of N(0, 1) truncated to z > b come from
// r = φ(b)/Φ(−b) directly; above, from Laplace's continued fraction, whose
// first kFractionTerms levels are exact to rounding for b ≥ 3.
constexpr double kFractionAbove = 3.0;
constexpr int kFractionTerms = 100;

// Z ~ N(0, 1) truncated to z > b: the mean overshoot D = E[Z − b] and the
// variance V, without cancellation (a piece of the target is s(Z − b), so
// its mean is s·D even when b and E[Z] are both large).
struct Overshoot {
  double mean, variance;
};
Overshoot truncated_overshoot(double b) {
  if (b < kFractionAbove) {
    const double r =
        std::exp(-0.5 * b * b - kLogSqrtTwoPi - log_normal_cdf(-b));
    const double d = r - b;
    return {d, 1.0 - r * d};  // V = 1 + b r − r²
  }
  // r = b + 1/(b + 2/(b + 3/(b + …))): with u = 3/(b + …) and
  // t = 2/(b + u), D = 1/(b + t) and V = 1 − bD − D² =
  // (b + 2t − u)/((b + t)²(b + u)), a ratio of positive terms.
  double u = 0.0;
  for (int k = kFractionTerms; k >= 3; --k) u = k / (b + u);
  const double t = 2.0 / (b + u);
  return {1.0 / (b + t), (b + 2.0 * t - u) / ((b + t) * (b + t) * (b + u))};
}

// A draw of N(0, 1) truncated to w > b. For b ≤ 0, plain rejection (the
// acceptance Φ(−b) is at least ½); above, Robert's exponential proposal
// b + Exp(ρ), ρ = (b + √(b² + 4))/2, accepted with probability
// exp(−(w − ρ)²/2) ("Simulation of truncated normal variables", Statistics
// and Computing 1995), whose acceptance stays above 0.75 for every b > 0.
double normal_above(double b, Rng& rng) {
  if (b <= 0.0) {
    for (;;) {
      const double w = rng.normal();
      if (w > b) return w;
    }
  }
  const double rate = 0.5 * (b + std::sqrt(b * b + 4.0));
  for (;;) {
    // 1 − u ∈ (0, 1]: the logarithm is finite.
    const double w = b - std::log(1.0 - rng.uniform()) / rate;
    const double z = w - rate;
    if (rng.uniform() < std::exp(-0.5 * z * z)) return w;
  }
}

// One coordinate's closed forms (see the header).
struct Coordinate {
  double m = 0, s = 1;
  double mu_pos = 0, mu_neg = 0;  // μ₊, μ₋
  double p_pos = 1;               // p₊
  double log_z = 0, mean = 0, variance = 1;

  Coordinate(double m_, double s_, double alpha) : m(m_), s(s_) {
    mu_pos = m - alpha * s * s;
    mu_neg = m + alpha * s * s;
    const double a_pos = mu_pos / s, a_neg = -mu_neg / s;
    const double half = 0.5 * alpha * alpha * s * s;
    const double log_pos = -alpha * m + half + log_normal_cdf(a_pos);
    const double log_neg = alpha * m + half + log_normal_cdf(a_neg);
    const double top = std::max(log_pos, log_neg);
    const double log_sum =
        top + std::log(std::exp(log_pos - top) + std::exp(log_neg - top));
    log_z = std::log(s) + kLogSqrtTwoPi + log_sum;
    p_pos = std::exp(log_pos - log_sum);
    const double p_neg = std::exp(log_neg - log_sum);
    // x > 0 is s(Z − b) with Z > b = −a₊; x < 0 is −s(Z − b), b = −a₋.
    const Overshoot pos = truncated_overshoot(-a_pos);
    const Overshoot neg = truncated_overshoot(-a_neg);
    const double e_pos = s * pos.mean, e_neg = -s * neg.mean;
    const double v_pos = s * s * pos.variance, v_neg = s * s * neg.variance;
    mean = p_pos * e_pos + p_neg * e_neg;
    variance = p_pos * v_pos + p_neg * v_neg +
               p_pos * (e_pos - mean) * (e_pos - mean) +
               p_neg * (e_neg - mean) * (e_neg - mean);
  }

  double draw(Rng& rng) const {
    if (rng.uniform() < p_pos)
      return mu_pos + s * normal_above(-mu_pos / s, rng);  // x > 0
    return mu_neg - s * normal_above(mu_neg / s, rng);     // x < 0
  }
};

// A `vector` parameter of length d, with the JSON path in errors.
Vector vector_param(const Params& p, const std::string& name, Index d) {
  const Json& v = p.json().at(name);
  if (v.is_array() && static_cast<Index>(v.size()) != d)
    throw ConfigError("/" + name,
                      fmt::format("laplace_gaussian: '{}' has {} entries, "
                                  "expected dim = {}",
                                  name, v.size(), d));
  return p.vector(name, d);
}

class LaplaceGaussianTask final : public Distribution {
 public:
  static constexpr const char* kName = "laplace_gaussian";
  static constexpr const char* kDescription =
      "Gaussian likelihood x Laplace prior, exp(-|x - mean|^2/(2 scale^2) - "
      "alpha |x|_1) (Bayesian lasso, identity design): composite (smooth "
      "Gaussian part, l1 part with its soft-thresholding prox) for proximal "
      "samplers; separable, exact draws (two truncated-normal pieces per "
      "coordinate), moments and log Z in closed form";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 2, "dimension d").at_least(1),
        ParamSpec::of_type(ParamType::vector, "mean", 1.0,
                           "m, the Gaussian's centre: a number (every "
                           "coordinate) or a list of dim numbers. Default 1, "
                           "off the kink at 0, so that the prior visibly "
                           "pulls: the mean is 0.503 and the variance 0.559 "
                           "with the other defaults"),
        ParamSpec::of_type(ParamType::vector, "scale", 1.0,
                           "s > 0, the Gaussian's standard deviation: a "
                           "number or a list of dim numbers (L = max 1/s²)")
            .above(0.0),
        ParamSpec::real("alpha", 1.0,
                        "α ≥ 0, the weight of the ℓ1 term (the Laplace "
                        "prior's rate); 0 leaves N(m, diag(s²)), still "
                        "composite with g = 0")
            .at_least(0.0),
    };
  }

  explicit LaplaceGaussianTask(const Params& p) : alpha_(p.real("alpha")) {
    const Index d = static_cast<Index>(p.integer("dim"));
    mean_ = vector_param(p, "mean", d);
    scale_ = vector_param(p, "scale", d);
    if (!mean_.allFinite() || !scale_.allFinite() ||
        !(scale_.array() > 0).all() || !std::isfinite(alpha_))
      throw ConfigError("/scale",
                        "laplace_gaussian: mean and alpha must be finite and "
                        "scale positive and finite");
    for (Index j = 0; j < d; ++j)
      coordinates_.emplace_back(mean_(j), scale_(j), alpha_);
    smoothness_ = scale_.array().square().inverse().maxCoeff();
  }

  Index dim() const override { return mean_.size(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments,
            Capability::log_z,       Capability::composite,
            Capability::smoothness,  Capability::bregman_prox};
  }

  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    smooth_log_prob_grad(x, logp, grad);
    // Skipped at α = 0, so that the whole density is then the smooth part
    // bit for bit.
    if (alpha_ != 0.0) {
      logp -= alpha_ * x.cwiseAbs().rowwise().sum();
      grad -= alpha_ * x.cwiseSign();
    }
  }

  // −f = −½ Σ_j ((x_j − m_j)/s_j)², −∇f = −(x − m)/s².
  void smooth_log_prob_grad(const Matrix& x, Vector& logp,
                            Matrix& grad) const override {
    const Matrix z = ((x.rowwise() - mean_.transpose()).array().rowwise() /
                      scale_.transpose().array())
                         .matrix();
    grad = -(z.array().rowwise() / scale_.transpose().array()).matrix();
    logp = -0.5 * z.rowwise().squaredNorm();
  }

  Vector nonsmooth_potential(const Matrix& x) const override {
    return alpha_ * x.cwiseAbs().rowwise().sum();
  }

  // Soft thresholding at t = step·α: x − clamp(x, −t, t), which is x itself
  // (exactly) at α = 0.
  void prox(Matrix& x, double step) const override {
    const double t = step * alpha_;
    x -= x.cwiseMax(-t).cwiseMin(t);
  }

  // On ℝ^d, ψ = ½‖x‖² and D_ψ(y, x) = ½‖y − x‖²: the Bregman prox is the
  // Euclidean one, so Bregman proximal samplers reduce to their Euclidean
  // counterparts here (BMUMLA to MYULA).
  void bregman_prox(Matrix& x, double step) const override { prox(x, step); }

  double smoothness() const override { return smoothness_; }

  // Row by row, coordinate by coordinate: a uniform for the piece, then the
  // truncated normal's draws.
  Matrix sample(Index n, Rng& rng) const override {
    Matrix out(n, dim());
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < dim(); ++j)
        out(i, j) = coordinates_[static_cast<size_t>(j)].draw(rng);
    return out;
  }

  Vector mean() const override {
    Vector out(dim());
    for (Index j = 0; j < dim(); ++j)
      out(j) = coordinates_[static_cast<size_t>(j)].mean;
    return out;
  }
  Matrix covariance() const override {
    Matrix out = Matrix::Zero(dim(), dim());
    for (Index j = 0; j < dim(); ++j)
      out(j, j) = coordinates_[static_cast<size_t>(j)].variance;
    return out;
  }
  double log_z() const override {
    double sum = 0.0;
    for (const auto& c : coordinates_) sum += c.log_z;
    return sum;
  }

 private:
  Vector mean_, scale_;
  double alpha_;
  double smoothness_ = 0.0;
  std::vector<Coordinate> coordinates_;
};

}  // namespace

VIBENCH_REGISTER_TASK(LaplaceGaussianTask);

}  // namespace vibench
