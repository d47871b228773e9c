// `dirichlet`: the Dirichlet(α) distribution on the probability simplex of
// ℝ^D, sampled in its first D − 1 coordinates θ (θ_D = 1 − Σθ), the simplex
// target of Shi, Liu & Mackey (2022, "Sampling with Mirrored Stein
// Operators"), whose sparse 20-dimensional instance is a preset.
//
// log_prob is the unnormalized Σ_{i≤D} (α_i − 1) log θ_i, a density with
// respect to Lebesgue measure on the D − 1 free coordinates, so log Z =
// Σ lgamma(α_i) − lgamma(Σα).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

// The sparse Dirichlet of Shi et al.'s experiments (their dirichlet.ipynb):
// α = 0.1 everywhere, plus (90, 5, 5) on the first three coordinates.
constexpr Index kSparseComponents = 20;
constexpr double kSparseBase = 0.1;
constexpr double kSparseBoost[] = {90.0, 5.0, 5.0};

// α of preset custom when `alpha` is not given: a smooth density that
// vanishes on the faces.
constexpr double kDefaultConcentration = 2.0;

// Initial points ~ Dirichlet(5·1), as in Shi et al.'s protocol: well inside
// the simplex and the same for every α.
constexpr double kInitialConcentration = 5.0;

// For α_i < 1 the density and the score diverge at the face θ_i = 0, which
// a projected sampler reaches exactly. Coordinates are floored at the
// smallest normal double before the log and the reciprocal: the result is
// exact wherever the coordinates are normal doubles, and finite on the
// faces (there log θ_i counts as ≈ −708 and 1/θ_i as ≈ 4.5e307, so the
// score is huge and points back inside for α_i < 1, away from the face
// for α_i > 1). Shi et al.'s code floors the reciprocal at 1e-32 instead,
// which changes the density on a region that exact draws do reach.
constexpr double kFaceFloor = std::numeric_limits<double>::min();
// Points whose coordinates (θ_D = 1 − Σθ included) are below −kSlack per
// coordinate are outside the closed simplex: log π = −∞, gradient NaN. The
// slack absorbs the rounding of 1 − Σθ after a Euclidean projection onto
// the simplex, which may leave θ_D a few ulps below 0.
constexpr double kSlackPerCoordinate = std::numeric_limits<double>::epsilon();

class DirichletTask final : public Distribution {
 public:
  static constexpr const char* kName = "dirichlet";
  static constexpr const char* kDescription =
      "Dirichlet(α) on the probability simplex of ℝ^D, sampled in the first "
      "D−1 coordinates (simplex domain, entropic mirror map); preset "
      "sparse_dirichlet_20 is Shi, Liu & Mackey (2022)'s sparse target; "
      "exact draws, moments and log Z in closed form";
  static constexpr const char* kDimensionRule =
      "D − 1, D = the length of `alpha` or `components`";

  static ParamSpecs params() {
    return {
        ParamSpec::string(
            "preset", "custom", {"custom", "sparse_dirichlet_20"},
            "custom: α from `alpha` and `components`; sparse_dirichlet_20: "
            "D = 20, α = 0.1 + (90, 5, 5, 0, ..., 0), the sparse target of "
            "Shi, Liu & Mackey (2022) (α_{1:3} = 90.1, 5.1, 5.1 as in their "
            "code)"),
        ParamSpec::integer("components", nullptr,
                           "D, the number of simplex coordinates (the "
                           "dimension is D − 1); default 3, or the length of "
                           "`alpha` when it is a list")
            .at_least(2),
        ParamSpec::of_type(ParamType::vector, "alpha", nullptr,
                           "concentrations α > 0: a number (every "
                           "coordinate) or a list of D numbers (preset "
                           "custom; default 2)")
            .above(0.0),
    };
  }

  explicit DirichletTask(const Params& p) {
    if (p.string("preset") == "sparse_dirichlet_20") {
      if (p.has("components") || p.has("alpha"))
        throw ConfigError("/preset",
                          "dirichlet: preset 'sparse_dirichlet_20' fixes "
                          "'alpha' and 'components'; give preset 'custom' to "
                          "set them");
      alpha_ = Vector::Constant(kSparseComponents, kSparseBase);
      for (Index i = 0; i < 3; ++i) alpha_(i) += kSparseBoost[i];
    } else {
      const Json& given = p.json().at("alpha");
      const Index from_list =
          given.is_array() ? static_cast<Index>(given.size()) : 0;
      Index components = 3;
      if (p.has("components")) {
        components = static_cast<Index>(p.integer("components"));
        if (from_list > 0 && from_list != components)
          throw ConfigError(
              "/alpha",
              fmt::format("dirichlet: 'alpha' has {} entries but components "
                          "= {}",
                          from_list, components));
      } else if (from_list > 0) {
        components = from_list;
      }
      if (components < 2)
        throw ConfigError("/alpha",
                          "dirichlet: 'alpha' needs at least 2 entries (the "
                          "simplex of ℝ^1 is a point)");
      alpha_ = p.has("alpha")
                   ? p.vector("alpha", components)
                   : Vector::Constant(components, kDefaultConcentration);
      if (!(alpha_.array() > 0).all() || !alpha_.allFinite())
        throw ConfigError("/alpha",
                          "dirichlet: every α must be positive and finite");
    }
    alpha_sum_ = alpha_.sum();
    log_z_ = -std::lgamma(alpha_sum_);
    for (Index i = 0; i < alpha_.size(); ++i) log_z_ += std::lgamma(alpha_(i));
  }

  Index dim() const override { return alpha_.size() - 1; }
  const Domain& domain() const override { return *simplex_domain(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments, Capability::log_z};
  }

  Matrix initial_points(Index n, Rng& rng) const override {
    return dirichlet_draws(
               rng, n, Vector::Constant(alpha_.size(), kInitialConcentration))
        .leftCols(dim());
  }

  // Score: (α_i − 1)/θ_i − (α_D − 1)/θ_D for i < D.
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Index n = x.rows(), d = dim();
    logp.resize(n);
    grad.resize(n, d);
    const double slack = kSlackPerCoordinate * static_cast<double>(d + 1);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (Index i = 0; i < n; ++i) {
      const double last = 1.0 - x.row(i).sum();
      if (!(x.row(i).minCoeff() >= -slack) || !(last >= -slack)) {
        logp(i) = -std::numeric_limits<double>::infinity();
        grad.row(i).setConstant(nan);
        continue;
      }
      const double last_floored = std::max(last, kFaceFloor);
      const double last_term = (alpha_(d) - 1.0) / last_floored;
      double value = (alpha_(d) - 1.0) * std::log(last_floored);
      for (Index j = 0; j < d; ++j) {
        const double t = std::max(x(i, j), kFaceFloor);
        value += (alpha_(j) - 1.0) * std::log(t);
        grad(i, j) = (alpha_(j) - 1.0) / t - last_term;
      }
      logp(i) = value;
    }
  }

  // Shi et al. (2022, §4.3): in the dual coordinates of the entropic map
  // the score is α_{1:D−1} − (Σα)θ, exact and finite on the closed simplex;
  // the generic (∇²ψ)⁻¹∇log π + ∇ log det ∇²ψ* would subtract terms that
  // diverge at the faces when α_i < 1.
  Matrix dual_score(const Matrix& x) const override {
    return (-alpha_sum_ * x).rowwise() + alpha_.head(dim()).transpose();
  }

  // A coordinate of a draw with α_i ≪ 1 is often e^{−1000} or less, which
  // underflows to 0, on a face. Such coordinates are raised to kFaceFloor
  // (a change below 2.3e-308, invisible to every metric) and, if θ_D = 1 − Σθ
  // is then below D·ε (so small that the order of summation decides its
  // sign), the largest coordinate is lowered by ulps until it is not: a
  // change of about D·ε, so that every draw lies in the open simplex.
  Matrix sample(Index n, Rng& rng) const override {
    const double kLastCoordinateMargin =
        std::numeric_limits<double>::epsilon() * static_cast<double>(dim() + 1);
    Matrix x = dirichlet_draws(rng, n, alpha_).leftCols(dim());
    x = x.cwiseMax(kFaceFloor);
    for (Index i = 0; i < n; ++i) {
      Index top;
      while (!(1.0 - x.row(i).sum() > kLastCoordinateMargin)) {
        x.row(i).maxCoeff(&top);
        x(i, top) = std::nextafter(x(i, top), 0.0);
      }
    }
    return x;
  }
  // E θ_i = α_i/α₀; Cov(θ_i, θ_j) = (α₀ α_i δ_ij − α_i α_j)/(α₀²(α₀ + 1)).
  Vector mean() const override { return alpha_.head(dim()) / alpha_sum_; }
  Matrix covariance() const override {
    const Vector a = alpha_.head(dim());
    Matrix cov = -a * a.transpose();
    cov.diagonal() += alpha_sum_ * a;
    return cov / (alpha_sum_ * alpha_sum_ * (alpha_sum_ + 1.0));
  }
  double log_z() const override { return log_z_; }

 private:
  Vector alpha_;  // all D concentrations
  double alpha_sum_ = 0.0, log_z_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(DirichletTask);

}  // namespace vibench
