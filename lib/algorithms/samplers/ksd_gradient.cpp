#include "algorithms/samplers/ksd_gradient.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/block_product.hpp"
#include "core/elementwise_exp.hpp"
#include "core/elementwise_imq.hpp"
#include "core/pairwise_median.hpp"

namespace vibench {

// Columns of the pairs a block of rows takes at a time: the six
// workspaces of a 128-row block of 1024 columns take 6 MiB, which stays in
// the last-level cache between the products and the element-wise pass
// (bench/: at n = 20 000, blocks of 128 rows against all the columns at
// once, 120 MiB of workspaces, ran 1.4 times as long per pair as at
// n = 4000).
constexpr Index kColumnChunk = 1024;

double KsdGradient::pairwise_workspace_bytes(Index n, Index tile_rows) {
  constexpr double kDouble = sizeof(double);
  const double rows = tile_rows > 0 && tile_rows < n
                          ? static_cast<double>(tile_rows)
                          : static_cast<double>(n);
  if (rows == static_cast<double>(n))
    return kPairwiseMatrices * rows * rows * kDouble;
  const double cols = static_cast<double>(std::min(n, kColumnChunk));
  const double matrices = kBlockMatrices * rows * cols * kDouble;
  // In blocks the median rules' first pass keeps a distance tile and the
  // median's keys (as the tiled SVGD step).
  return matrices + SteinDirection::pairwise_workspace_bytes(n, tile_rows);
}

double KsdGradient::compute(const Matrix& x, const Matrix& score,
                            const HessianTimes& hessian_times, Matrix& grad) {
  return tile_rows_for(x.rows()) > 0
             ? compute_in_blocks(x, score, hessian_times, grad)
             : compute_whole(x, score, hessian_times, grad);
}

void KsdGradient::kernel_derivatives(double h) {
  const Index n = d2_.rows();
  k_.resize(n, n);
  g1_.resize(n, n);
  g2_.resize(n, n);
  g3_.resize(n, n);
  // g^(m)(r²) = f^(m)(u)/h^m with u = r²/h.
  const double h1 = 1.0 / h, h2 = h1 * h1, h3 = h2 * h1;
  if (config_.type == KernelType::rbf) {
    // f = e^{−u}: f′ = −f, f″ = f, f‴ = −f.
    k_.array() = (d2_.array() * -h1).exp();
    g1_.array() = k_.array() * -h1;
    g2_.array() = k_.array() * h2;
    g3_.array() = k_.array() * -h3;
  } else {
    // f = b^β with b = c² + u: f^(m) = β(β−1)…(β−m+1) b^{β−m}.
    const double beta = config_.imq_beta;
    const double c2 = config_.imq_c * config_.imq_c;
    const auto base = (d2_.array() * h1 + c2).eval();
    k_.array() = base.pow(beta);
    g1_.array() = k_.array() / base * (beta * h1);
    g2_.array() = g1_.array() / base * ((beta - 1.0) * h1);
    g3_.array() = g2_.array() / base * ((beta - 2.0) * h1);
  }
}

double KsdGradient::compute_whole(const Matrix& x, const Matrix& score,
                                  const HessianTimes& hessian_times,
                                  Matrix& grad) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double dd = static_cast<double>(d);

  // Squared distances through one product plus norms (as stein_kernel.cpp).
  sq_norms_ = x.rowwise().squaredNorm();
  d2_.resize(n, n);
  d2_.noalias() = -2.0 * x * x.transpose();
  d2_.colwise() += sq_norms_;
  d2_.rowwise() += sq_norms_.transpose();
  d2_ = d2_.cwiseMax(0.0);
  d2_.diagonal().setZero();
  bandwidth_ = config_.rule == BandwidthRule::fixed
                   ? config_.fixed_bandwidth
                   : median_bandwidth(d2_, median_scratch_, config_.rule);
  kernel_derivatives(bandwidth_);

  // sx_(i, j) = s_i·x_j; its diagonal is s_i·x_i.
  sx_.resize(n, n);
  sx_.noalias() = score * x.transpose();
  const Vector sx_diag = sx_.diagonal();

  // ∇_X applied to a coefficient matrix C: row i of Σ_j C_ij (x_i − x_j).
  const auto apply = [&](const Matrix& c) -> Matrix {
    return (x.array().colwise() * c.rowwise().sum().array()).matrix() - c * x;
  };

  // a_i = Σ_j [k_ij s_j − 2g′_ij (x_i − x_j)]: what H(x_i) multiplies.
  const Matrix a = k_ * score - 2.0 * apply(g1_);
  const Matrix hessian_part = hessian_times(a);

  // s_iᵀs_j, then the value and the pairwise coefficient of the gradient.
  coeff_.resize(n, n);
  coeff_.noalias() = score * score.transpose();
  // Stein kernel k_p(x_i, x_j), summed:
  //   k (s_iᵀs_j) − 2g′ s_iᵀu + 2g′ s_jᵀu − 2d g′ − 4g″r²
  // with s_iᵀu = s_i·x_i − s_i·x_j and s_jᵀu = s_j·x_i − s_j·x_j.
  si_u_ = (-sx_).colwise() + sx_diag;
  sj_u_ = sx_.transpose().rowwise() - sx_diag.transpose();
  const Matrix& si_u = si_u_;
  const Matrix& sj_u = sj_u_;
  const double value =
      (k_.array() * coeff_.array() - 2.0 * g1_.array() * si_u.array() +
       2.0 * g1_.array() * sj_u.array() - 2.0 * dd * g1_.array() -
       4.0 * g2_.array() * d2_.array())
          .sum() /
      static_cast<double>(n * n);

  coeff_.array() =
      2.0 * g1_.array() * coeff_.array() - 4.0 * g2_.array() * si_u.array() +
      4.0 * g2_.array() * sj_u.array() - (4.0 * dd + 8.0) * g2_.array() -
      8.0 * g3_.array() * d2_.array();

  grad = hessian_part + apply(coeff_) + 2.0 * (g1_ * score) -
         2.0 * (score.array().colwise() * g1_.rowwise().sum().array()).matrix();
  grad *= 2.0 / static_cast<double>(n * n);
  return value;
}

double KsdGradient::compute_in_blocks(const Matrix& x, const Matrix& score,
                                      const HessianTimes& hessian_times,
                                      Matrix& grad) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double dd = static_cast<double>(d);
  const Index side = tile_rows_for(n);
  bandwidth_ = config_.rule == BandwidthRule::fixed ? config_.fixed_bandwidth
                                                    : tiles_.tiled_bandwidth(x);
  const double h1 = 1.0 / bandwidth_, h2 = h1 * h1, h3 = h2 * h1;
  const bool rbf = config_.type == KernelType::rbf;
  const double beta = config_.imq_beta;
  const double c2 = config_.imq_c * config_.imq_c;
  sq_norms_ = x.rowwise().squaredNorm();
  // s_j·x_j of every particle, for s_jᵀu = s_j·x_i − s_j·x_j.
  sx_diag_ = (score.array() * x.array()).rowwise().sum();
  // [S, X, 1]: every product of a block's coefficients is with columns of
  // it, the column of ones giving the row sums in the same pass.
  rhs_.resize(n, 2 * d + 1);
  rhs_.leftCols(d) = score;
  rhs_.middleCols(d, d) = x;
  rhs_.col(2 * d).setOnes();
  const Index chunk = std::min(n, kColumnChunk);
  for (Matrix* m : {&d2_, &k_, &g1_, &sx_, &sj_u_, &coeff_})
    m->resize(side, chunk);
  g1_products_.resize(side, 2 * d + 1);
  coeff_products_.resize(side, d + 1);
  row_value_.resize(side);
  a_.resize(n, d);
  grad.resize(n, d);
  double value = 0.0;
  for (Index i0 = 0; i0 < n; i0 += side) {
    const Index rows = std::min(side, n - i0);
    const auto xi = x.middleRows(i0, rows);
    const auto si = score.middleRows(i0, rows);
    auto a = a_.middleRows(i0, rows);
    // The block's rows×cols in the front of each buffer, contiguous.
    const auto block = [rows](Matrix& m, Index cols) {
      return Eigen::Map<Matrix>(m.data(), rows, cols);
    };
    auto g1_products = block(g1_products_, 2 * d + 1);
    auto coeff_products = block(coeff_products_, d + 1);
    row_value_.head(rows).setZero();
    double* row_value = row_value_.data();
    const double* sx_diag_i = sx_diag_.data() + i0;
    const double* norms_i = sq_norms_.data() + i0;
    for (Index j0 = 0; j0 < n; j0 += chunk) {
      const Index cols = std::min(chunk, n - j0);
      const auto xj = x.middleRows(j0, cols);
      const auto sj = score.middleRows(j0, cols);
      const auto rhs_j = rhs_.middleRows(j0, cols);
      auto d2 = block(d2_, cols), k = block(k_, cols), dk = block(g1_, cols),
           sx = block(sx_, cols), xs = block(sj_u_, cols),
           ss = block(coeff_, cols);
      // x_i·x_j (as −2 x_i·x_j), s_i·x_j, x_i·s_j and s_i·s_j.
      block_product(-2.0, xi, Operand::as_is, xj, Operand::transposed, d2,
                    Product::assign);
      block_product(1.0, si, Operand::as_is, xj, Operand::transposed, sx,
                    Product::assign);
      block_product(1.0, xi, Operand::as_is, sj, Operand::transposed, xs,
                    Product::assign);
      block_product(1.0, si, Operand::as_is, sj, Operand::transposed, ss,
                    Product::assign);
      // Squared distances as compute_whole forms them, an exact zero at
      // i = j.
      for (Index c = 0; c < cols; ++c) {
        double* column = d2.col(c).data();
        const double norm_j = sq_norms_(j0 + c);
        for (Index r = 0; r < rows; ++r)
          column[r] = std::max((column[r] + norms_i[r]) + norm_j, 0.0);
      }
      // At i = j also s_iᵀu = s_jᵀu = 0 exactly, as in compute_whole (the
      // products' s_i·x_i may differ from sx_diag_ by rounding).
      for (Index r = 0; r < rows; ++r)
        if (i0 + r >= j0 && i0 + r < j0 + cols) {
          d2(r, i0 + r - j0) = 0.0;
          sx(r, i0 + r - j0) = sx_diag_i[r];
          xs(r, i0 + r - j0) = sx_diag_i[r];
        }
      // The kernel (and, for imq, f′), vectorized by the kernel backend.
      k = d2;
      if (rbf) {
        exp_scaled(k.data(), k.size(), -h1);
      } else {
        dk = d2;
        imq_kernel_and_derivative(dk.data(), k.data(), dk.size(), h1, c2, beta);
      }
      // One pass over the pairs: g′, g″, g‴ from k (rbf) or f′ (imq), the
      // pair's term of KSD² (summed per row) and of the gradient's
      // coefficient C_ij, as compute_whole's expressions. d2 then holds g′
      // and ss holds C.
      const auto pairs = [&](auto rbf_kernel) {
        for (Index c = 0; c < cols; ++c) {
          double* dist = d2.col(c).data();
          const double* kc = k.col(c).data();
          const double* dkc = dk.col(c).data();
          const double* sxc = sx.col(c).data();
          const double* xsc = xs.col(c).data();
          double* ssc = ss.col(c).data();
          const double sx_diag_j = sx_diag_(j0 + c);
          for (Index r = 0; r < rows; ++r) {
            double g1, g2, g3;
            if constexpr (rbf_kernel) {
              // f = e^{−u}: g^(m) = (−1)^m k/h^m.
              g1 = kc[r] * -h1;
              g2 = kc[r] * h2;
              g3 = kc[r] * -h3;
            } else {
              // f = b^β, b = c² + u: g^(m+1) = g^(m) (β − m)/(b h).
              const double base = dist[r] * h1 + c2;
              g1 = dkc[r] * h1;
              g2 = g1 / base * ((beta - 1.0) * h1);
              g3 = g2 / base * ((beta - 2.0) * h1);
            }
            const double si_u = sx_diag_i[r] - sxc[r];
            const double sj_u = xsc[r] - sx_diag_j;
            row_value[r] += kc[r] * ssc[r] - 2.0 * g1 * si_u + 2.0 * g1 * sj_u -
                            2.0 * dd * g1 - 4.0 * g2 * dist[r];
            ssc[r] = 2.0 * g1 * ssc[r] - 4.0 * g2 * si_u + 4.0 * g2 * sj_u -
                     (4.0 * dd + 8.0) * g2 - 8.0 * g3 * dist[r];
            dist[r] = g1;
          }
        }
      };
      if (rbf)
        pairs(std::true_type{});
      else
        pairs(std::false_type{});
      // K S, G′ [S, X, 1] and C [X, 1], summed over the chunks.
      const Product sum = j0 == 0 ? Product::assign : Product::accumulate;
      block_product(1.0, k, Operand::as_is, rhs_j.leftCols(d), Operand::as_is,
                    a, sum);
      block_product(1.0, d2, Operand::as_is, rhs_j, Operand::as_is, g1_products,
                    sum);
      block_product(1.0, ss, Operand::as_is, rhs_j.rightCols(d + 1),
                    Operand::as_is, coeff_products, sum);
    }
    value += row_value_.head(rows).sum();
    const auto g1_rows = g1_products.col(2 * d).array();
    // a_i = Σ_j [k_ij s_j − 2g′_ij (x_i − x_j)].
    a += 2.0 * g1_products.middleCols(d, d) -
         2.0 * (xi.array().colwise() * g1_rows).matrix();
    // Row i of Σ_j C_ij (x_i − x_j) + 2 Σ_j g′_ij (s_j − s_i).
    grad.middleRows(i0, rows) =
        (xi.array().colwise() * coeff_products.col(d).array()).matrix() -
        coeff_products.leftCols(d) + 2.0 * g1_products.leftCols(d) -
        2.0 * (si.array().colwise() * g1_rows).matrix();
  }
  grad += hessian_times(a_);
  grad *= 2.0 / static_cast<double>(n * n);
  return value / static_cast<double>(n * n);
}

}  // namespace vibench
