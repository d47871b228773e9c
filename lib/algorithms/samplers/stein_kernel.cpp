#include "algorithms/samplers/stein_kernel.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

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

double median_bandwidth(const Matrix& d2, std::vector<double>& buffer,
                        BandwidthRule rule) {
  const Index n = d2.rows();
  if (n < 2) return 1.0;
  buffer.clear();
  buffer.reserve(static_cast<size_t>(n * (n - 1) / 2));
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) buffer.push_back(d2(i, j));
  const size_t mid = buffer.size() / 2;
  std::nth_element(buffer.begin(), buffer.begin() + mid, buffer.end());
  double med2 = buffer[mid];
  if (buffer.size() % 2 == 0)
    med2 =
        0.5 * (med2 + *std::max_element(buffer.begin(), buffer.begin() + mid));
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

}  // namespace

double SteinDirection::compute_kernel(const Matrix& x) {
  const Index n = x.rows();
  // Squared distances ‖x_i‖² + ‖x_j‖² − 2 x_iᵀx_j, clamped at 0 against
  // rounding, with an exact zero diagonal.
  sq_norms_ = x.rowwise().squaredNorm();
  k_.resize(n, n);
  k_.noalias() = -2.0 * x * x.transpose();
  k_.colwise() += sq_norms_;
  k_.rowwise() += sq_norms_.transpose();
  k_ = k_.cwiseMax(0.0);
  k_.diagonal().setZero();
  const double h = config_.rule == BandwidthRule::fixed
                       ? config_.fixed_bandwidth
                       : median_bandwidth(k_, median_buffer_, config_.rule);
  if (config_.type == KernelType::rbf) {
    k_ = (k_.array() * (-1.0 / h)).exp().matrix();
  } else {
    // base = c² + u; K = base^β, D = β base^(β−1) = β K / base: one power
    // per pair, the costly part for small d (Eigen's pow is a scalar loop).
    const double c2 = config_.imq_c * config_.imq_c;
    const double beta = config_.imq_beta;
    k_.array() = k_.array() * (1.0 / h) + c2;
    dk_.resize(n, n);
    assign_power(dk_.array(), k_.array(), beta);  // K, for now
    k_.array() = dk_.array() * beta / k_.array();
    k_.swap(dk_);  // K in k_, D in dk_ (swaps the buffers, no copy)
  }
  return h;
}

double SteinDirection::compute(const Matrix& x, const Matrix& score,
                               Matrix& phi) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double h = compute_kernel(x);
  phi.resize(n, d);
  products_.resize(n, 2 * d);
  if (config_.type == KernelType::rbf) {
    row_sums_ = k_.rowwise().sum();
    stacked_.resize(n, 2 * d);
    stacked_.leftCols(d) = score;
    stacked_.rightCols(d) = x;
    products_.noalias() = k_ * stacked_;
    // Repulsion (2/h)(diag(K1) X − K X) is formed as a difference, so that
    // it is exactly 0 for n = 1 and SVGD is then exactly gradient ascent.
    phi = products_.leftCols(d) +
          (2.0 / h) * ((x.array().colwise() * row_sums_.array()).matrix() -
                       products_.rightCols(d));
  } else {
    row_sums_ = dk_.rowwise().sum();
    products_.leftCols(d).noalias() = k_ * score;
    products_.rightCols(d).noalias() = dk_ * x;
    phi = products_.leftCols(d) +
          (2.0 / h) * (products_.rightCols(d) -
                       (x.array().colwise() * row_sums_.array()).matrix());
  }
  phi /= static_cast<double>(n);
  return h;
}

}  // namespace vibench
