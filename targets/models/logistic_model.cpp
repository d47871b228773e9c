// The logistic-regression likelihood kernels (logistic_model.hpp). This
// file is compiled with -fno-trapping-math (CMakeLists.txt): GCC vectorizes
// the per-row choice of σ(z) as a masked blend only when it may assume
// floating-point operations do not trap (values are unchanged; vibench never
// enables FP traps).
#include "targets/models/logistic_model.hpp"

#include <algorithm>
#include <cmath>

#include "core/distinct_sample.hpp"

namespace vibench::logistic {

namespace {

constexpr Index kRowBlock = 2048;

// Rows per run of the product Π(1 + e_r) in log_likelihood_grad: each factor
// lies in (1, 2], so a run's product stays below 2^512, far from overflow.
constexpr Index kProductRun = 512;

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
      const auto xb = x.middleRows(first, count);
      // logits(r, i) = x_r · w_i. One point (NUTS, MALA with one chain)
      // takes the matrix–vector path: Eigen's general product would pack
      // the whole block on every call.
      logits.resize(count, n);
      if (n == 1)
        logits.col(0).noalias() = xb * w.row(0).transpose();
      else
        logits.noalias() = xb * w.transpose();
      // With e = exp(−|z|) computed once per row and point:
      //   log p(y | z) = y·z − softplus(z), softplus(z) = max(z, 0) +
      //   log1p(e), where Σ_r log1p(e_r) is taken as the log of the
      //   product Π_r (1 + e_r) over runs of kProductRun rows (one log per
      //   run instead of a scalar log1p per row: the product's rounding
      //   error, ~kProductRun ulp, is that of summing the run's log1p terms);
      //   the residual y − σ(z), σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e)
      //   otherwise, with one division.
      const auto yb = y.segment(first, count);
      const auto z = logits.array();
      e = (-z.abs()).exp();
      for (Index i = 0; i < n; ++i) {
        double softplus_sum = z.col(i).max(0.0).sum();
        for (Index r0 = 0; r0 < count; r0 += kProductRun) {
          const Index len = std::min(kProductRun, count - r0);
          softplus_sum += std::log((1.0 + e.col(i).segment(r0, len)).prod());
        }
        block_loglik(i, b) = yb.dot(logits.col(i)) - softplus_sum;
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
      auto gb = block_grad.middleRows(b * n, n);
      if (n == 1)
        gb.row(0).noalias() = -logits.col(0).transpose() * xb;
      else
        gb.noalias() = -logits.transpose() * xb;
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
    const auto xb = x.middleRows(first, count);
    Matrix logits(count, n), xv(count, n);
    if (n == 1) {
      logits.col(0).noalias() = xb * w.row(0).transpose();
      xv.col(0).noalias() = xb * v.row(0).transpose();
    } else {
      logits.noalias() = xb * w.transpose();
      xv.noalias() = xb * v.transpose();
    }
    const Eigen::ArrayXXd e = (-logits.array().abs()).exp();
    xv.array() *= e / (1.0 + e).square();
    Matrix& hb = block_hv[static_cast<size_t>(b)];
    if (n == 1) {
      hb.resize(1, p);
      hb.row(0).noalias() = -xv.col(0).transpose() * xb;
    } else {
      hb.noalias() = -xv.transpose() * xb;
    }
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
