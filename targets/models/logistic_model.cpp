// The logistic-regression likelihood kernels (logistic_model.hpp). This
// file is compiled with -fno-trapping-math (CMakeLists.txt): GCC vectorizes
// the per-row choice of σ(z) as a masked blend only when it may assume
// floating-point operations do not trap (values are unchanged; vibench never
// enables FP traps).
#include "targets/models/logistic_model.hpp"

#include <algorithm>
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/elementwise_exp.hpp"
#include "core/kernel_backend.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/openblas.hpp"
#include "native/vector_logistic.hpp"
#endif

namespace vibench::logistic {

namespace {

// Rows per run of the product Π(1 + e_r) in log_likelihood_grad: each factor
// lies in (1, 2], so a run's product stays below 2^512, far from overflow.
constexpr Index kProductRun = 512;

// out (count×n) = X_b Mᵀ for the block X_b of `count` rows of x from row
// `first` and the points m (one per row). One point (NUTS, MALA with one
// chain) takes the matrix–vector path: a general product would pack the
// whole block on every call. Otherwise OpenBLAS's dgemm in the native kernel
// backend (core/kernel_backend.hpp), Eigen's product in the portable one.
void block_times_points(const RowMatrix& x, Index first, Index count,
                        const Matrix& m, Matrix& out) {
  const auto xb = x.middleRows(first, count);
  out.resize(count, m.rows());
  if (m.rows() == 1) {
    out.col(0).noalias() = xb * m.row(0).transpose();
    return;
  }
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    // x is row-major: its block is the column-major p×count matrix X_bᵀ.
    openblas_gemm_operands(
        count, m.rows(), m.cols(), 1.0, {xb.data(), x.outerStride(), true},
        {m.data(), m.outerStride(), true}, out.data(), out.outerStride());
    return;
  }
#endif
  out.noalias() = xb * m.transpose();
}

// out (n×p) = −Rᵀ X_b for the block X_b as above and r (count×n), by the
// same backend as block_times_points.
template <class Out>
void minus_transposed_times_block(const Matrix& r, const RowMatrix& x,
                                  Index first, Index count, Out&& out) {
  const auto xb = x.middleRows(first, count);
  if (r.cols() == 1) {
    out.row(0).noalias() = -r.col(0).transpose() * xb;
    return;
  }
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    openblas_gemm_operands(
        r.cols(), x.cols(), count, -1.0, {r.data(), r.outerStride(), true},
        {xb.data(), x.outerStride(), true}, out.data(), out.outerStride());
    return;
  }
#endif
  out.noalias() = -r.transpose() * xb;
}

// The element-wise step of log_likelihood_grad for one block, in the
// portable kernels: loglik(i) = Σ_r log p(y_r | z_ri) for the block's logits
// z (count×n) of the rows from `first`, which become the negated residuals
// σ(z) − y; e is workspace.
void loglik_and_residual(Matrix& logits, const Vector& y, Index first,
                         Eigen::ArrayXXd& e, Eigen::Ref<Vector> loglik) {
  const Index count = logits.rows(), n = logits.cols();
  const auto yb = y.segment(first, count);
  // With e = exp(−|z|) computed once per row and point:
  //   log p(y | z) = y·z − softplus(z), softplus(z) = max(z, 0) +
  //   log1p(e), where Σ_r log1p(e_r) is taken as the log of the
  //   product Π_r (1 + e_r) over runs of kProductRun rows (one log per
  //   run instead of a scalar log1p per row: the product's rounding
  //   error, ~kProductRun ulp, is that of summing the run's log1p terms);
  //   the residual y − σ(z), σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e)
  //   otherwise, with one division.
  const auto z = logits.array();
  e.resize(count, n);
  exp_negative_abs(logits.data(), e.data(), count * n);
  for (Index i = 0; i < n; ++i) {
    double softplus_sum = z.col(i).max(0.0).sum();
    for (Index r0 = 0; r0 < count; r0 += kProductRun) {
      const Index len = std::min(kProductRun, count - r0);
      softplus_sum += std::log((1.0 + e.col(i).segment(r0, len)).prod());
    }
    loglik(i) = yb.dot(logits.col(i)) - softplus_sum;
  }
  // σ(z) − y, the negated residual, in place of the logits. A plain
  // loop, both branches computed: GCC vectorizes the choice as a masked
  // blend, which Eigen's select() does not.
  for (Index i = 0; i < n; ++i) {
    double* zi = logits.col(i).data();
    const double* ei = e.col(i).data();
    const double* yi = yb.data();
    for (Index r = 0; r < count; ++r) {
      const double positive = 1.0 / (1.0 + ei[r]);  // σ(z) for z ≥ 0
      const double negative = ei[r] * positive;     // σ(z) for z < 0
      zi[r] = (zi[r] >= 0.0 ? positive : negative) - yi[r];
    }
  }
}

}  // namespace

// Σ_rows log p(y_r | x_r, w_i) and its gradient in w_i, for the weights `w`
// (one point per row) over all rows of (x, y). Column i of `loglik` and row i
// of `grad` belong to point i.
void log_likelihood_grad(const RowMatrix& x, const Vector& y, const Matrix& w,
                         Vector& loglik, Matrix& grad) {
  const Index rows = x.rows(), n = w.rows(), p = w.cols();
  const Index blocks = (rows + kRowBlock - 1) / kRowBlock;
  // Per-block partial sums, added in block order below (block b's are rows
  // b·n … b·n + n − 1), so results do not depend on the thread count.
  Matrix block_loglik(n, blocks);
  Matrix block_grad(blocks * n, p);
#pragma omp parallel if (blocks > 8)
  {
    // Workspaces per thread, sized by the first block it takes.
    Matrix logits;
    Eigen::ArrayXXd e;
#pragma omp for schedule(static)
    for (Index b = 0; b < blocks; ++b) {
      const Index first = b * kRowBlock,
                  count = std::min(kRowBlock, rows - first);
      // logits(r, i) = x_r · w_i.
      block_times_points(x, first, count, w, logits);
#ifdef VIBENCH_NATIVE_KERNELS
      if (native_kernels()) {
        // One fused pass per point (native/vector_logistic.hpp).
        for (Index i = 0; i < n; ++i)
          block_loglik(i, b) = logistic_loglik_and_residual_native(
              logits.col(i).data(), y.data() + first,
              static_cast<size_t>(count));
      } else
#endif
        loglik_and_residual(logits, y, first, e, block_loglik.col(b));
      minus_transposed_times_block(logits, x, first, count,
                                   block_grad.middleRows(b * n, n));
    }
  }
  loglik = Vector::Zero(n);
  grad = Matrix::Zero(n, p);
  for (Index b = 0; b < blocks; ++b) {
    loglik += block_loglik.col(b);
    grad += block_grad.middleRows(b * n, n);
  }
}

// Σ_rows ∇²_w log p(y_r | x_r, w_i) v_i = −Xᵀ diag(σ'(X w_i)) X v_i for the
// weights `w` and directions `v` (one point per row each), over all rows of
// x, with σ' = σ(1 − σ) = e/(1 + e)², e = exp(−|z|). Blocked like
// log_likelihood_grad: per block, logits = X_b Wᵀ and X_b Vᵀ are two matrix
// products, scaled elementwise, and one more product gives the rows' sum.
Matrix log_likelihood_hessian_vector(const RowMatrix& x, const Matrix& w,
                                     const Matrix& v) {
  const Index rows = x.rows(), n = w.rows(), p = w.cols();
  const Index blocks = (rows + kRowBlock - 1) / kRowBlock;
  std::vector<Matrix> block_hv(static_cast<size_t>(blocks));
#pragma omp parallel for schedule(static) if (blocks > 8)
  for (Index b = 0; b < blocks; ++b) {
    const Index first = b * kRowBlock,
                count = std::min(kRowBlock, rows - first);
    Matrix logits, xv;
    block_times_points(x, first, count, w, logits);
    block_times_points(x, first, count, v, xv);
    Eigen::ArrayXXd e(count, n);
    exp_negative_abs(logits.data(), e.data(), count * n);
    xv.array() *= e / (1.0 + e).square();
    Matrix& hb = block_hv[static_cast<size_t>(b)];
    hb.resize(n, p);
    minus_transposed_times_block(xv, x, first, count, hb);
  }
  Matrix out = Matrix::Zero(n, p);
  for (Index b = 0; b < blocks; ++b) out += block_hv[static_cast<size_t>(b)];
  return out;
}

// The Fisher information of the likelihood at each weight vector w_i,
// G_i = Σ_r σ'(z_ri) x_r x_rᵀ (z = x_rᵀw_i, σ' = σ(1 − σ)), which for a
// logistic likelihood is also minus its Hessian. One pass over the rows per
// particle: G_i += X_bᵀ diag(σ') X_b for each block b.
std::vector<Matrix> likelihood_fisher(const RowMatrix& x, const Matrix& w) {
  const Index rows = x.rows(), n = w.rows(), p = w.cols();
  std::vector<Matrix> fisher(static_cast<size_t>(n), Matrix::Zero(p, p));
  for (Index first = 0; first < rows; first += kRowBlock) {
    const Index count = std::min(kRowBlock, rows - first);
    const auto xb = x.middleRows(first, count);
    const Matrix logits = xb * w.transpose();
    for (Index i = 0; i < n; ++i) {
      const Eigen::ArrayXd e = (-logits.col(i).array().abs()).exp();
      const Vector weight = (e / (1.0 + e).square()).matrix();
      fisher[static_cast<size_t>(i)].noalias() +=
          xb.transpose() * (weight.asDiagonal() * xb);
    }
  }
  return fisher;
}

// Row i: Σ_c ∂_c (G⁻¹)_{·c} at w_i for G = likelihood_fisher + `prior`·I,
// given the Cholesky factors of the G_i. With ∂_c G = Σ_r σ'(1 − 2σ) x_rc
// x_r x_rᵀ and M = G⁻¹:
//   div M = −Σ_c M ∂_c G M e_c = −M Σ_r σ'(1 − 2σ)(x_rᵀ M x_r) x_r.
Matrix fisher_inverse_divergence(const RowMatrix& x, const Matrix& w,
                                 const std::vector<Eigen::LLT<Matrix>>& g) {
  const Index rows = x.rows(), n = w.rows(), p = w.cols();
  Matrix out(n, p);
  for (Index i = 0; i < n; ++i) {
    Vector acc = Vector::Zero(p);
    const Eigen::LLT<Matrix>& llt = g[static_cast<size_t>(i)];
    for (Index first = 0; first < rows; first += kRowBlock) {
      const Index count = std::min(kRowBlock, rows - first);
      const auto xb = x.middleRows(first, count);
      const Vector z = xb * w.row(i).transpose();
      // x_rᵀ M x_r = ‖L⁻¹x_r‖², all rows of the block at once.
      const Matrix half = llt.matrixL().solve(Matrix(xb.transpose()));
      const Eigen::ArrayXd quad = half.colwise().squaredNorm().transpose();
      const Eigen::ArrayXd s = z.array().unaryExpr(&sigmoid);
      const Eigen::ArrayXd t = s * (1.0 - s) * (1.0 - 2.0 * s) * quad;
      acc.noalias() += xb.transpose() * t.matrix();
    }
    out.row(i) = -llt.solve(acc).transpose();
  }
  return out;
}

void draw_minibatch(const RowMatrix& x, const Vector& y, Index count, Rng& rng,
                    RowMatrix& bx, Vector& by) {
  const std::vector<Index> rows = sample_distinct(x.rows(), count, rng);
  bx.resize(count, x.cols());
  by.resize(count);
  for (Index k = 0; k < count; ++k) {
    bx.row(k) = x.row(rows[static_cast<size_t>(k)]);
    by(k) = y(rows[static_cast<size_t>(k)]);
  }
}

}  // namespace vibench::logistic
