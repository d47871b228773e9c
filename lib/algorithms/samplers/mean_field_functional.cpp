#include "algorithms/samplers/mean_field_functional.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "core/block_product.hpp"
#include "core/pairwise_median.hpp"

namespace vibench {

namespace {

// Rows of the reference set per block of its pairwise computations, done
// once at construction: a block of B rows against m points holds B×m
// doubles, so m = 10⁴ reference draws need 20 MB rather than the 800 MB of
// the whole m×m matrix (as in metrics/sample_discrepancy.cpp).
constexpr Index kBlockRows = 256;

constexpr double kInverseSquareRoot = -0.5;  // the default IMQ exponent

// Calls fn(i0, rows, block) for consecutive blocks of rows of y, with
// block (rows × m) the squared distances ‖y_i − y_l‖² of rows i0 … i0 +
// rows − 1 against every row l (clamped at 0, exact zeros on i = l).
template <class Fn>
void for_each_distance_block(const Matrix& y, const Vector& norms,
                             Matrix& block, Fn fn) {
  const Index m = y.rows();
  for (Index i0 = 0; i0 < m; i0 += kBlockRows) {
    const Index rows = std::min(kBlockRows, m - i0);
    auto d = block.topRows(rows);
    d.noalias() = -2.0 * y.middleRows(i0, rows) * y.transpose();
    d.colwise() += norms.segment(i0, rows);
    d.rowwise() += norms.transpose();
    d = d.cwiseMax(0.0);
    for (Index r = 0; r < rows; ++r) d(r, i0 + r) = 0.0;
    fn(i0, rows, d);
  }
}

}  // namespace

MmdFunctional::MmdFunctional(const KernelConfig& kernel,
                             const Matrix& reference, Index tile_rows)
    : config_(kernel), tile_rows_(tile_rows) {
  if (reference.rows() < 1)
    throw std::invalid_argument("MmdFunctional: no reference points");
  const Index m = reference.rows();
  center_ = reference.colwise().mean();
  reference_ = reference.rowwise() - center_;
  reference_norms_ = reference_.rowwise().squaredNorm();
  Matrix block(std::min(kBlockRows, m), m);

  if (config_.rule == BandwidthRule::fixed) {
    h_ = config_.fixed_bandwidth;
  } else {
    // med² over the m(m − 1)/2 pairs l < l′ (core/pairwise_median.hpp), in
    // one visit of the distances, recomputed a block of rows at a time; the
    // radix select's further visits only if the sampled bracket misses.
    // for_each_run calls run(values, size) on runs of consecutive values
    // covering every pair once: in column c of the block of rows i0 … , the
    // rows i0 + r < c.
    const auto for_each_run = [&](auto&& run) {
      for_each_distance_block(reference_, reference_norms_, block,
                              [&](Index i0, Index rows, const auto& d) {
                                for (Index c = i0 + 1; c < m; ++c)
                                  run(d.col(c).data(), std::min(rows, c - i0));
                              });
    };
    const double med2 = median_of_recomputed_pairs(reference_, for_each_run);
    h_ = median_rule_bandwidth(med2, m, config_.rule);
  }

  // (1/m²) Σ_ll′ k(y_l, y_l′): constant in x, it makes F(μ_n) the MMD² itself
  // (≥ 0 for a positive definite kernel).
  double total = 0.0;
  Matrix k, dk;
  for_each_distance_block(reference_, reference_norms_, block,
                          [&](Index, Index, const auto& d) {
                            kernel_terms(Matrix(d), k, dk);
                            total += k.sum();
                          });
  reference_term_ = total / static_cast<double>(m * m);
}

void MmdFunctional::kernel_terms(const Matrix& d2, Matrix& k,
                                 Matrix& dk) const {
  const double inv_h = 1.0 / h_;
  k.resize(d2.rows(), d2.cols());
  dk.resize(d2.rows(), d2.cols());
  if (config_.type == KernelType::rbf) {
    // f = e^{−u}, f′ = −f.
    k.array() = (d2.array() * -inv_h).exp();
    dk = -k;
    return;
  }
  // f = b^β with b = c² + u, f′ = β b^{β−1} = β f/b.
  const double c2 = config_.imq_c * config_.imq_c;
  const double beta = config_.imq_beta;
  dk.array() = d2.array() * inv_h + c2;  // b, for now
  if (beta == kInverseSquareRoot)
    k.array() = dk.array().rsqrt();
  else
    k.array() = dk.array().pow(beta);
  dk.array() = beta * k.array() / dk.array();
}

double MmdFunctional::evaluate(const Matrix& x, Matrix& force) {
  if (x.cols() != reference_.cols() || x.rows() < 1)
    throw std::invalid_argument(
        "MmdFunctional: particles of another dimension than the reference");
  const Index n = x.rows();
  const Index m = reference_.rows();
  const double nn = static_cast<double>(n);
  const double mm = static_cast<double>(m);

  // Squared distances through one product plus norms, in coordinates
  // centred on the reference mean (every term depends on differences only;
  // the centring reduces the cancellation in ‖x‖² + ‖y‖² − 2xᵀy).
  xc_ = x.rowwise() - center_;
  x_norms_ = xc_.rowwise().squaredNorm();
  if (tile_rows_ > 0 && tile_rows_ < n) return evaluate_in_blocks(force);
  d2_xx_.resize(n, n);
  d2_xx_.noalias() = -2.0 * xc_ * xc_.transpose();
  d2_xx_.colwise() += x_norms_;
  d2_xx_.rowwise() += x_norms_.transpose();
  d2_xx_ = d2_xx_.cwiseMax(0.0);
  d2_xx_.diagonal().setZero();
  d2_xy_.resize(n, m);
  d2_xy_.noalias() = -2.0 * xc_ * reference_.transpose();
  d2_xy_.colwise() += x_norms_;
  d2_xy_.rowwise() += reference_norms_.transpose();
  d2_xy_ = d2_xy_.cwiseMax(0.0);
  kernel_terms(d2_xx_, k_xx_, dk_xx_);
  kernel_terms(d2_xy_, k_xy_, dk_xy_);

  const double value =
      k_xx_.sum() / (nn * nn) - 2.0 * k_xy_.sum() / (nn * mm) + reference_term_;

  // force_i = (4/h)[(1/n) Σ_j f′_ij (x_i − x_j) − (1/m) Σ_l f′_il (x_i − y_l)].
  force.resize(n, x.cols());
  force.noalias() = (-1.0 / nn) * dk_xx_ * xc_;
  force.noalias() += (1.0 / mm) * dk_xy_ * reference_;
  const Vector row_weights =
      dk_xx_.rowwise().sum() / nn - dk_xy_.rowwise().sum() / mm;
  force += (xc_.array().colwise() * row_weights.array()).matrix();
  force *= 4.0 / h_;
  return value;
}

double MmdFunctional::evaluate_in_blocks(Matrix& force) {
  const Index n = xc_.rows();
  const Index m = reference_.rows();
  const double nn = static_cast<double>(n);
  const double mm = static_cast<double>(m);
  force.resize(n, xc_.cols());
  double sum_xx = 0.0, sum_xy = 0.0;
  // The rows i0 … i0 + rows − 1 of every matrix evaluate() forms whole,
  // formed the same way, then their rows of the force.
  for (Index i0 = 0; i0 < n; i0 += tile_rows_) {
    const Index rows = std::min(tile_rows_, n - i0);
    const auto xi = xc_.middleRows(i0, rows);
    const auto norms = x_norms_.segment(i0, rows);
    d2_xx_.resize(rows, n);
    block_product(-2.0, xi, Operand::as_is, xc_, Operand::transposed, d2_xx_,
                  Product::assign);
    d2_xx_.colwise() += norms;
    d2_xx_.rowwise() += x_norms_.transpose();
    d2_xx_ = d2_xx_.cwiseMax(0.0);
    for (Index r = 0; r < rows; ++r) d2_xx_(r, i0 + r) = 0.0;
    d2_xy_.resize(rows, m);
    block_product(-2.0, xi, Operand::as_is, reference_, Operand::transposed,
                  d2_xy_, Product::assign);
    d2_xy_.colwise() += norms;
    d2_xy_.rowwise() += reference_norms_.transpose();
    d2_xy_ = d2_xy_.cwiseMax(0.0);
    kernel_terms(d2_xx_, k_xx_, dk_xx_);
    kernel_terms(d2_xy_, k_xy_, dk_xy_);
    sum_xx += k_xx_.sum();
    sum_xy += k_xy_.sum();
    auto f = force.middleRows(i0, rows);
    block_product(-1.0 / nn, dk_xx_, Operand::as_is, xc_, Operand::as_is, f,
                  Product::assign);
    block_product(1.0 / mm, dk_xy_, Operand::as_is, reference_, Operand::as_is,
                  f, Product::accumulate);
    const Vector row_weights =
        dk_xx_.rowwise().sum() / nn - dk_xy_.rowwise().sum() / mm;
    f += (xi.array().colwise() * row_weights.array()).matrix();
  }
  force *= 4.0 / h_;
  return sum_xx / (nn * nn) - 2.0 * sum_xy / (nn * mm) + reference_term_;
}

double KsdFunctional::evaluate(const Matrix& x, Matrix& force) {
  oracle_.log_prob_grad(x, logp_, score_);
  const double value = ksd_.compute(
      x, score_,
      [&](const Matrix& v) { return oracle_.log_prob_hessian_vector(x, v); },
      force);
  force *= static_cast<double>(x.rows());
  return value;
}

}  // namespace vibench
