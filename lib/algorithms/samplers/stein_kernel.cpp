#include "algorithms/samplers/stein_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>

#include "core/elementwise_exp.hpp"
#include "core/error.hpp"
#include "core/pairwise_median.hpp"

namespace vibench {

const char* to_string(KernelType type) {
  switch (type) {
    case KernelType::rbf:
      return "rbf";
    case KernelType::imq:
      return "imq";
  }
  return "?";
}

const char* to_string(BandwidthRule rule) {
  switch (rule) {
    case BandwidthRule::median:
      return "median";
    case BandwidthRule::median_code:
      return "median_code";
    case BandwidthRule::median_squared:
      return "median_squared";
    case BandwidthRule::fixed:
      return "fixed";
  }
  return "?";
}

ParamSpecs kernel_params(BandwidthRule default_rule) {
  return {
      ParamSpec::string("kernel", "rbf", {"rbf", "imq"},
                        "kernel k(x, y), r = ‖x − y‖: rbf: exp(−r²/h); imq: "
                        "(imq_c² + r²/h)^imq_beta"),
      ParamSpec::string(
          "bandwidth", to_string(default_rule),
          {"median", "median_code", "median_squared", "fixed"},
          "bandwidth rule, re-evaluated at every step, with med² the median "
          "squared pairwise distance: median (SVGD paper): h = med²/log n; "
          "median_code (SVGD authors' and Coin SVGD code, written there as "
          "exp(−r²/(2σ²)), σ² = med²/(2 log(n+1))): h = med²/log(n+1); "
          "median_squared: h = med²; fixed: h = bandwidth_value (h = 1 if "
          "n = 1 or all particles coincide)"),
      ParamSpec::real("bandwidth_value", nullptr,
                      "h for bandwidth = fixed (required then, not allowed "
                      "otherwise)")
          .above(0),
      ParamSpec::real("imq_c", 1.0,
                      "c of the imq kernel (Gorham & Mackey 2017: 1); unused "
                      "by rbf")
          .above(0),
      ParamSpec::real("imq_beta", -0.5,
                      "β of the imq kernel, in (−1, 0) (Gorham & Mackey "
                      "2017: −½); unused by rbf")
          .above(-1)
          .below(0),
  };
}

KernelConfig kernel_from(const Params& p, const std::string& algorithm) {
  KernelConfig k;
  k.type = p.string("kernel") == "imq" ? KernelType::imq : KernelType::rbf;
  k.imq_c = p.real("imq_c");
  k.imq_beta = p.real("imq_beta");
  const std::string rule = p.string("bandwidth");
  if (rule == "fixed") {
    if (!p.has("bandwidth_value"))
      throw ConfigError("", algorithm +
                                ": bandwidth = 'fixed' needs "
                                "bandwidth_value");
    k.rule = BandwidthRule::fixed;
    k.fixed_bandwidth = p.real("bandwidth_value");
  } else {
    if (p.has("bandwidth_value"))
      throw ConfigError("", algorithm +
                                ": bandwidth_value is only used with "
                                "bandwidth = 'fixed'");
    k.rule = rule == "median_code"      ? BandwidthRule::median_code
             : rule == "median_squared" ? BandwidthRule::median_squared
                                        : BandwidthRule::median;
  }
  return k;
}

double median_bandwidth(const Matrix& d2, SelectionScratch& scratch,
                        BandwidthRule rule) {
  const Index n = d2.rows();
  if (n < 2) return 1.0;
  return median_rule_bandwidth(median_below_diagonal(d2, scratch), n, rule);
}

double median_rule_bandwidth(double med2, Index n, BandwidthRule rule) {
  if (n < 2) return 1.0;
  double h = med2;
  if (rule == BandwidthRule::median)
    h = med2 / std::log(static_cast<double>(n));
  else if (rule == BandwidthRule::median_code)
    h = med2 / std::log(static_cast<double>(n) + 1.0);
  return (h > 0 && std::isfinite(h)) ? h : 1.0;
}

double kernel_value(const KernelConfig& c, double h, const RowVector& x,
                    const RowVector& y) {
  const double u = (x - y).squaredNorm() / h;
  return c.type == KernelType::rbf
             ? std::exp(-u)
             : std::pow(c.imq_c * c.imq_c + u, c.imq_beta);
}

RowVector kernel_gradient_x(const KernelConfig& c, double h, const RowVector& x,
                            const RowVector& y) {
  const double u = (x - y).squaredNorm() / h;
  const double df =
      c.type == KernelType::rbf
          ? -std::exp(-u)
          : c.imq_beta * std::pow(c.imq_c * c.imq_c + u, c.imq_beta - 1.0);
  return (2.0 / h) * df * (x - y);
}

namespace {

// dst = base^β element-wise. β = −½ (the default of every IMQ kernel here)
// is 1/√base: a vectorized square root and division instead of a scalar pow
// per element (Eigen's pow is not vectorized), equal to pow up to rounding.
constexpr double kInverseSquareRoot = -0.5;
template <class Dst, class Base>
void assign_power(Dst&& dst, const Base& base, double beta) {
  if (beta == kInverseSquareRoot)
    dst = base.rsqrt();
  else
    dst = base.pow(beta);
}

// Copies the strict lower triangle of a square matrix onto its upper one, in
// 64×64 tiles so that the transposed reads stay in cache.
void mirror_lower_to_upper(Matrix& m) {
  constexpr Index kTile = 64;
  const Index n = m.rows();
  for (Index j0 = 0; j0 < n; j0 += kTile) {
    const Index j1 = std::min(j0 + kTile, n);
    for (Index i0 = 0; i0 < j1; i0 += kTile)
      for (Index j = j0; j < j1; ++j) {
        const Index i1 = std::min(i0 + kTile, j);
        for (Index i = i0; i < i1; ++i) m(i, j) = m(j, i);
      }
  }
}

}  // namespace

double SteinDirection::compute_kernel(const Matrix& x) {
  const double h = compute_lower_kernel(x);
  mirror_lower_to_upper(k_);
  if (config_.type == KernelType::imq) mirror_lower_to_upper(dk_);
  return h;
}

double SteinDirection::compute_lower_kernel(const Matrix& x) {
  const Index n = x.rows();
  // Squared distances ‖x_i‖² + ‖x_j‖² − 2 x_iᵀx_j on and below the
  // diagonal: −2 X Xᵀ as a symmetric rank-d update (half the flops of the
  // general product), clamped at 0 against rounding, with an exact zero
  // diagonal. The element-wise work below also visits that half only.
  sq_norms_ = x.rowwise().squaredNorm();
  gram_(x, -2.0, k_);
  // The median rules select med² among the distances as the loop below
  // completes them, a column at a time while it is in cache, rather than in
  // passes over the matrix afterwards (core/pairwise_median.hpp). The pairs
  // that place its bracket are read from the product before the loop and
  // completed the same way.
  std::optional<PairwiseMedian> median;
  if (config_.rule != BandwidthRule::fixed)
    median.emplace(
        n,
        [this](Index i, Index j) {
          return std::max((k_(i, j) + sq_norms_(i)) + sq_norms_(j), 0.0);
        },
        median_scratch_);
  for (Index j = 0; j < n; ++j) {
    auto column = k_.col(j).tail(n - j).array();
    column =
        ((column + sq_norms_.tail(n - j).array()) + sq_norms_(j)).cwiseMax(0.0);
    column(0) = 0.0;
    if (median)
      median->add(k_.col(j).data() + j + 1,
                  static_cast<std::size_t>(n - j - 1));
  }
  const double h =
      median ? median_rule_bandwidth(median->finish(strictly_lower_visit(k_)),
                                     n, config_.rule)
             : config_.fixed_bandwidth;
  if (config_.type == KernelType::rbf) {
    for (Index j = 0; j < n; ++j)
      exp_scaled(k_.col(j).data() + j, n - j, -1.0 / h);
  } else {
    // base = c² + u; K = base^β, D = β base^(β−1) = β K / base: one power
    // per pair, the costly part for small d (Eigen's pow is a scalar loop).
    const double c2 = config_.imq_c * config_.imq_c;
    const double beta = config_.imq_beta;
    dk_.resize(n, n);
    for (Index j = 0; j < n; ++j) {
      auto base = k_.col(j).tail(n - j).array();
      auto derivative = dk_.col(j).tail(n - j).array();
      base = base * (1.0 / h) + c2;
      assign_power(derivative, base, beta);  // K, for now
      base = derivative * beta / base;
    }
    k_.swap(dk_);  // K in k_, D in dk_ (swaps the buffers, no copy)
  }
  return h;
}

double SteinDirection::compute(const Matrix& x, const Matrix& score,
                               Matrix& phi) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double h = compute_lower_kernel(x);
  // The products read K and D from their lower triangles (Eigen's symmetric
  // product, as fast as the general one here and equal to it bit for bit;
  // see core/symmetric_products.hpp for the buffers kept between steps),
  // and a column of ones appended to the right-hand side gives the row sums
  // K1 or D1 in the same pass.
  // The repulsion Σ_j ∇_{x_j}k(x_j, x_i) is unchanged by a shift of all the
  // particles, so it is formed from X̄ = X − mean(X): the cancellation in
  // diag(D1) X̄ − D X̄ then grows with the particles' spread, not with their
  // distance from the origin, and it is exactly 0 for n = 1 (SVGD is then
  // exactly gradient ascent).
  mean_ = x.colwise().mean();
  rhs_.resize(n, d + 1);
  rhs_.col(d).setOnes();
  products_.resize(n, d + 1);
  phi.resize(n, d);
  if (config_.type == KernelType::rbf) {
    // D = −K: φ = (1/n)[K (S − (2/h) X̄) + (2/h) diag(K1) X̄], one n×n by
    // n×(d+1) product.
    rhs_.leftCols(d) = score - (2.0 / h) * (x.rowwise() - mean_);
    kernel_times_(k_, rhs_, products_);
    phi = products_.leftCols(d) +
          (2.0 / h) * ((x.rowwise() - mean_).array().colwise() *
                       products_.col(d).array())
                          .matrix();
  } else {
    rhs_.leftCols(d) = x.rowwise() - mean_;
    kernel_times_(k_, score, phi);
    derivative_times_(dk_, rhs_, products_);
    phi += (2.0 / h) *
           (products_.leftCols(d) -
            (rhs_.leftCols(d).array().colwise() * products_.col(d).array())
                .matrix());
  }
  phi /= static_cast<double>(n);
  return h;
}

}  // namespace vibench
