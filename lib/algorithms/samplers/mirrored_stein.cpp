#include "algorithms/samplers/mirrored_stein.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "core/block_product.hpp"
#include "core/elementwise_exp.hpp"
#include "core/elementwise_imq.hpp"

namespace vibench {

Metric mirror_metric(const Domain& domain, const Matrix& theta) {
  Metric m;
  m.times = [&domain, &theta](const Matrix& v) {
    return domain.hessian_times(theta, v);
  };
  m.inverse_times = [&domain, &theta](const Matrix& v) {
    return domain.inverse_hessian_times(theta, v);
  };
  return m;
}

namespace {

// F_ij = f′(u_ij) of the configured kernel (∇_{θ_i} k(θ_i, θ_j) =
// (2/h) F_ij (θ_i − θ_j)); for rbf f′ = −f.
Matrix kernel_derivative(const SteinDirection& kernel) {
  return kernel.config().type == KernelType::rbf ? Matrix(-kernel.kernel())
                                                 : kernel.derivative();
}

}  // namespace

double MsvgdDirection::pairwise_workspace_bytes(Index n, Index tile_rows) {
  const double nd = static_cast<double>(n);
  if (tile_rows <= 0 || tile_rows >= n)
    return kPairwiseMatrices * nd * nd * sizeof(double);
  // The blocks, and the tiled median's tile and keys.
  return kBlockMatrices * nd * static_cast<double>(tile_rows) * sizeof(double) +
         SteinDirection::pairwise_workspace_bytes(n, tile_rows);
}

double MsvgdDirection::compute(const Matrix& theta, const Matrix& dual_score,
                               const Metric& metric, Matrix& direction) {
  const Index n = theta.rows();
  last_n_ = n;
  if (kernel_.tile_rows_for(n) > 0)
    return compute_in_blocks(theta, dual_score, metric, direction);
  const double h = kernel_.compute_kernel(theta);
  const Matrix& k = kernel_.kernel();
  direction.noalias() = k * dual_score;
  // Repulsion Σ_i G_i⁻¹ ∇_{θ_i} k(θ_i, θ_j): G_i⁻¹ differs per particle, so
  // for each j one batched product over i (O(n²d) in all, as the kernel).
  weights_ = kernel_derivative(kernel_) * (2.0 / h);
  Matrix pulls(n, theta.cols());
  for (Index j = 0; j < n; ++j) {
    pulls = (theta.rowwise() - theta.row(j)).array().colwise() *
            weights_.col(j).array();
    direction.row(j) += metric.inverse_times(pulls).colwise().sum();
  }
  direction /= static_cast<double>(n);
  return h;
}

double MsvgdDirection::compute_in_blocks(const Matrix& theta,
                                         const Matrix& dual_score,
                                         const Metric& metric,
                                         Matrix& direction) {
  const Index n = theta.rows();
  const Index side = kernel_.tile_rows_for(n);
  const KernelConfig& config = kernel_.config();
  const double h = config.rule == BandwidthRule::fixed
                       ? config.fixed_bandwidth
                       : kernel_.tiled_bandwidth(theta);
  const bool rbf = config.type == KernelType::rbf;
  sq_norms_ = theta.rowwise().squaredNorm();
  distances_.resize(n, side);
  kernel_block_.resize(n, side);
  direction.resize(n, theta.cols());
  Matrix pulls(n, theta.cols());
  for (Index j0 = 0; j0 < n; j0 += side) {
    const Index cols = std::min(side, n - j0);
    const auto block = [n, cols](Matrix& m) {
      return Eigen::Map<Matrix>(m.data(), n, cols);
    };
    auto d2 = block(distances_), k = block(kernel_block_);
    // Columns j0 … j0 + cols − 1 of the squared distances, an exact zero
    // at i = j, then of K and of the repulsion's weights (2/h) f′, which
    // take the distances' place.
    block_product(-2.0, theta, Operand::as_is, theta.middleRows(j0, cols),
                  Operand::transposed, d2, Product::assign);
    d2 = ((d2.array().colwise() + sq_norms_.array()).rowwise() +
          sq_norms_.segment(j0, cols).transpose().array())
             .cwiseMax(0.0)
             .matrix();
    for (Index c = 0; c < cols; ++c) d2(j0 + c, c) = 0.0;
    if (rbf) {
      k = d2;
      exp_scaled(k.data(), k.size(), -1.0 / h);
      d2 = k * (-2.0 / h);  // f′ = −f
    } else {
      imq_kernel_and_derivative(d2.data(), k.data(), d2.size(), 1.0 / h,
                                config.imq_c * config.imq_c, config.imq_beta);
      d2 *= 2.0 / h;
    }
    const auto& weights = d2;
    // Σ_i k(θ_i, θ_j) ∇_η log p_H(η_i), then the repulsion as compute().
    block_product(1.0, k, Operand::transposed, dual_score, Operand::as_is,
                  direction.middleRows(j0, cols), Product::assign);
    for (Index c = 0; c < cols; ++c) {
      pulls = (theta.rowwise() - theta.row(j0 + c)).array().colwise() *
              weights.col(c).array();
      direction.row(j0 + c) += metric.inverse_times(pulls).colwise().sum();
    }
  }
  direction /= static_cast<double>(n);
  return h;
}

double SvmdDirection::compute(const Matrix& theta, const Matrix& dual_score,
                              const Metric& metric, Matrix& direction) {
  const Index n = theta.rows();
  const Index d = theta.cols();
  const double nd = static_cast<double>(n);
  const double h = kernel_.compute_kernel(theta);
  const Matrix gram = kernel_.kernel() + jitter_ * Matrix::Identity(n, n);
  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(gram);
  // Eigenvalues ascend: keep the largest that cover `threshold_` of the
  // trace (the count whose cumulative share stays below it, plus one).
  const Vector& all = eigen.eigenvalues();
  const double trace = all.sum();
  Index rank = 0;
  double covered = 0.0;
  for (Index j = n - 1; j >= 0; --j) {
    covered += all(j) / trace;
    ++rank;
    if (!(covered < threshold_)) break;
  }
  rank_ = rank;
  const Vector lambda = all.tail(rank);
  const Matrix e = eigen.eigenvectors().rightCols(rank);
  const Matrix u = std::sqrt(nd) * e;  // u_j(θ_m) = √n e_mj
  const Vector sqrt_mu = (lambda / nd).cwiseSqrt();

  // a_j: the score part, then the Nyström gradient part, one eigenfunction
  // at a time: ∇u_j(θ_l) = (√n/λ_j)(2/h)[θ_l (F e_j)_l − (F (e_j ∘ Θ))_l].
  Matrix a = u.transpose() * dual_score;  // r×d
  const Matrix f = kernel_derivative(kernel_);
  const Matrix fe = f * e;  // n×r
  Matrix grad_u(n, d);
  for (Index j = 0; j < rank; ++j) {
    grad_u = (theta.array().colwise() * fe.col(j).array()).matrix() -
             f * (theta.array().colwise() * e.col(j).array()).matrix();
    grad_u *= std::sqrt(nd) / lambda(j) * (2.0 / h);
    a.row(j) += metric.inverse_times(grad_u).colwise().sum();
  }
  const Matrix u_weighted = u * sqrt_mu.asDiagonal();  // u_j(θ_m)√μ_j
  const Matrix c = u_weighted * a;                     // n×d
  const Matrix gc = metric.times(c);                   // G_m c_m
  direction.noalias() = u_weighted * (u.transpose() * gc);
  direction /= nd * nd;
  return h;
}

}  // namespace vibench
