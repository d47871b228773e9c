// `truncated_gaussian`: N(μ, diag(σ²)) restricted to the positive orthant
// or to a box, a constrained target with exact draws (per-coordinate inverse
// CDF) and closed-form moments and log Z. The coordinates are independent,
// so everything is a product of one-dimensional truncated normals.
//
// log_prob is the unnormalized −½ Σ ((x − μ)/σ)², so
// log Z = Σ_i log(σ_i √(2π)) + log(Φ(β_i) − Φ(α_i)) with the standardized
// bounds α = (a − μ)/σ, β = (b − μ)/σ.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kLogSqrtTwoPi = 0.5 * std::log(2.0 * std::numbers::pi);

// Below this z, erfc(−z/√2) underflows (≈ 1e-307 at z = −37.5): log Φ then
// comes from the asymptotic series of the Mills ratio, whose next term is
// below 1e-12 there.
constexpr double kAsymptoticBelow = -37.5;
// Newton on log Φ stops when a step changes x by less than this (relative).
constexpr double kQuantileTolerance = 1e-15;
constexpr int kQuantileMaxIterations = 100;

// log Φ(z) for z ≤ 0, accurate in the far lower tail.
double log_normal_cdf(double z) {
  if (z == -kInf) return -kInf;
  if (z > kAsymptoticBelow)
    return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
  // Φ(z) = φ(z)/|z| · (1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸ − …).
  const double w = 1.0 / (z * z);
  const double series = 1.0 + w * (-1.0 + w * (3.0 + w * (-15.0 + w * 105.0)));
  return -0.5 * z * z - kLogSqrtTwoPi - std::log(-z) + std::log(series);
}

// The x ≤ 0 with log Φ(x) = log_p (log_p ≤ log ½): Newton's method on the
// concave, increasing log Φ. Started left of the root at −√(−2 log p), where
// log Φ < −x²/2 = log p, every iterate stays left of it and increases
// monotonically, so no step overshoots.
double normal_quantile_from_log(double log_p) {
  if (log_p == -kInf) return -kInf;
  double x = -std::sqrt(-2.0 * log_p);
  for (int k = 0; k < kQuantileMaxIterations; ++k) {
    const double log_cdf = log_normal_cdf(x);
    // d/dx log Φ = φ/Φ.
    const double slope = std::exp(-0.5 * x * x - kLogSqrtTwoPi - log_cdf);
    const double step = (log_cdf - log_p) / slope;
    x -= step;
    if (x > 0) x = 0;  // the root is ≤ 0; guards against round-off only
    if (std::abs(step) <= kQuantileTolerance * std::max(1.0, std::abs(x)))
      break;
  }
  return x;
}

// One-dimensional N(0, 1) truncated to [lo, hi], lo < hi. Reflected so that
// the lower bound is the farther one from 0 (lo + hi ≤ 0): then either both
// bounds are ≤ 0 and every probability is a lower-tail one, or the interval
// contains 0 and each draw inverts whichever tail is nearer.
class StandardTruncatedNormal {
 public:
  StandardTruncatedNormal(double lo, double hi)
      : reflected_(lo + hi > 0),
        lo_(reflected_ ? -hi : lo),
        hi_(reflected_ ? -lo : hi) {
    if (hi_ <= 0) {
      log_cdf_hi_ = log_normal_cdf(hi_);
      ratio_lo_hi_ = std::exp(log_normal_cdf(lo_) - log_cdf_hi_);
      log_mass_ = log_cdf_hi_ + std::log1p(-ratio_lo_hi_);
    } else {
      cdf_lo_ = 0.5 * std::erfc(-lo_ / std::numbers::sqrt2);
      sf_hi_ = 0.5 * std::erfc(hi_ / std::numbers::sqrt2);
      mass_ = 1.0 - cdf_lo_ - sf_hi_;
      log_mass_ = std::log(mass_);
    }
  }

  double log_mass() const { return log_mass_; }

  // The inverse CDF at u ∈ (0, 1].
  double quantile(double u) const {
    double x;
    if (hi_ <= 0) {
      // log(Φ(lo) + u (Φ(hi) − Φ(lo))) = log Φ(hi) + log(u + (1 − u) r).
      x = normal_quantile_from_log(log_cdf_hi_ +
                                   std::log(u + (1.0 - u) * ratio_lo_hi_));
    } else {
      const double below = cdf_lo_ + u * mass_;
      const double above = sf_hi_ + (1.0 - u) * mass_;
      x = below <= above ? normal_quantile_from_log(std::log(below))
                         : -normal_quantile_from_log(std::log(above));
    }
    x = std::min(std::max(x, lo_), hi_);  // round-off at the bounds only
    return reflected_ ? -x : x;
  }

  // Mean and variance: m = (φ(lo) − φ(hi))/Z and
  // v = 1 + (lo φ(lo) − hi φ(hi))/Z − m², with φ/Z formed on the log scale.
  // The variance cancels (relative error ~ ε/v) when the interval lies far
  // in one tail and is much narrower than the distance to 0.
  double mean() const {
    const double m = density_over_mass(lo_) - density_over_mass(hi_);
    return reflected_ ? -m : m;
  }
  double variance() const {
    const double m = density_over_mass(lo_) - density_over_mass(hi_);
    return 1.0 + weighted(lo_) - weighted(hi_) - m * m;
  }

 private:
  double density_over_mass(double z) const {
    if (std::isinf(z)) return 0.0;
    return std::exp(-0.5 * z * z - kLogSqrtTwoPi - log_mass_);
  }
  double weighted(double z) const {
    return std::isinf(z) ? 0.0 : z * density_over_mass(z);
  }

  bool reflected_;
  double lo_, hi_;
  double log_cdf_hi_ = 0.0, ratio_lo_hi_ = 0.0;     // both bounds ≤ 0
  double cdf_lo_ = 0.0, sf_hi_ = 0.0, mass_ = 0.0;  // 0 inside
  double log_mass_ = 0.0;
};

// A `vector` parameter of length d, with the JSON path in errors.
Vector vector_param(const Params& p, const std::string& name, Index d) {
  const Json& v = p.json().at(name);
  if (v.is_array() && static_cast<Index>(v.size()) != d)
    throw ConfigError("/" + name,
                      fmt::format("truncated_gaussian: '{}' has {} entries, "
                                  "expected dim = {}",
                                  name, v.size(), d));
  return p.vector(name, d);
}

constexpr double kDefaultBoxLower = -1.0;
constexpr double kDefaultBoxUpper = 1.0;

class TruncatedGaussianTask final : public Distribution {
 public:
  static constexpr const char* kName = "truncated_gaussian";
  static constexpr const char* kDescription =
      "N(mean, diag(scale²)) truncated to the positive orthant or to a box "
      "[lower, upper]; exact draws (per-coordinate inverse CDF, stable in "
      "the tails), moments and log Z in closed form";
  static constexpr const char* kDimensionRule = "dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 2, "dimension d").at_least(1),
        ParamSpec::of_type(ParamType::vector, "mean", 0.0,
                           "μ: a number (every coordinate) or a list of dim "
                           "numbers"),
        ParamSpec::of_type(ParamType::vector, "scale", 1.0,
                           "σ > 0: a number or a list of dim numbers")
            .above(0.0),
        ParamSpec::string("domain", "orthant", {"orthant", "box"},
                          "orthant: x > 0 (entropic map log x); box: "
                          "lower < x < upper (entropic box map)"),
        ParamSpec::of_type(ParamType::vector, "lower", nullptr,
                           "domain box: lower bounds (default -1), a number "
                           "or a list of dim numbers"),
        ParamSpec::of_type(ParamType::vector, "upper", nullptr,
                           "domain box: upper bounds (default 1), a number "
                           "or a list of dim numbers"),
    };
  }

  explicit TruncatedGaussianTask(const Params& p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    mean_ = vector_param(p, "mean", d);
    scale_ = vector_param(p, "scale", d);
    if (!mean_.allFinite() || !scale_.allFinite() ||
        !(scale_.array() > 0).all())
      throw ConfigError("/scale",
                        "truncated_gaussian: mean must be finite and scale "
                        "positive and finite");
    if (p.string("domain") == "orthant") {
      for (const char* name : {"lower", "upper"})
        if (p.has(name))
          throw ConfigError(std::string("/") + name,
                            fmt::format("truncated_gaussian: '{}' is only "
                                        "used with domain 'box'",
                                        name));
      lower_ = Vector::Zero(d);
      upper_ = Vector::Constant(d, kInf);
      domain_ = orthant_domain();
    } else {
      lower_ = p.has("lower") ? vector_param(p, "lower", d)
                              : Vector::Constant(d, kDefaultBoxLower);
      upper_ = p.has("upper") ? vector_param(p, "upper", d)
                              : Vector::Constant(d, kDefaultBoxUpper);
      for (Index j = 0; j < d; ++j)
        if (!(lower_(j) < upper_(j)) || !std::isfinite(lower_(j)) ||
            !std::isfinite(upper_(j)))
          throw ConfigError(
              "/lower",
              fmt::format("truncated_gaussian: coordinate {}: need finite "
                          "lower < upper, got {} and {}",
                          j, lower_(j), upper_(j)));
      domain_ = box_domain(lower_, upper_);
    }
    log_z_ = 0.0;
    for (Index j = 0; j < d; ++j) {
      coordinates_.emplace_back((lower_(j) - mean_(j)) / scale_(j),
                                (upper_(j) - mean_(j)) / scale_(j));
      log_z_ +=
          std::log(scale_(j)) + kLogSqrtTwoPi + coordinates_.back().log_mass();
    }
  }

  Index dim() const override { return mean_.size(); }
  const Domain& domain() const override { return *domain_; }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z};
  }

  // The Gaussian's log density and score; outside the closed domain
  // log π = −∞ (the score there is still the Gaussian's).
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Matrix z = ((x.rowwise() - mean_.transpose()).array().rowwise() /
                      scale_.transpose().array())
                         .matrix();
    grad = -(z.array().rowwise() / scale_.transpose().array()).matrix();
    logp = -0.5 * z.rowwise().squaredNorm();
    for (Index i = 0; i < x.rows(); ++i)
      for (Index j = 0; j < x.cols(); ++j)
        if (!(x(i, j) >= lower_(j) && x(i, j) <= upper_(j))) logp(i) = -kInf;
  }

  Matrix sample(Index n, Rng& rng) const override {
    Matrix x(n, dim());
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < dim(); ++j) {
        const double u = 1.0 - rng.uniform();  // (0, 1]
        x(i, j) = mean_(j) + scale_(j) * coordinates_[j].quantile(u);
        // The closed bounds are reachable only by round-off in far tails;
        // the domain is open, so such a draw is moved to the nearest
        // interior double and the move is at most one ulp.
        if (x(i, j) <= lower_(j)) x(i, j) = std::nextafter(lower_(j), kInf);
        if (x(i, j) >= upper_(j)) x(i, j) = std::nextafter(upper_(j), -kInf);
      }
    return x;
  }
  Vector mean() const override {
    Vector m(dim());
    for (Index j = 0; j < dim(); ++j)
      m(j) = mean_(j) + scale_(j) * coordinates_[j].mean();
    return m;
  }
  Matrix covariance() const override {
    Vector v(dim());
    for (Index j = 0; j < dim(); ++j)
      v(j) = scale_(j) * scale_(j) * coordinates_[j].variance();
    return v.asDiagonal();
  }
  double log_z() const override { return log_z_; }

 private:
  Vector mean_, scale_, lower_, upper_;
  std::vector<StandardTruncatedNormal> coordinates_;
  std::shared_ptr<const Domain> domain_;
  double log_z_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(TruncatedGaussianTask);

}  // namespace vibench
