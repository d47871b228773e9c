// The logistic-regression likelihood, shared by every task built on it (the
// Bayesian posterior `logistic_regression`, and the objective and bilevel
// problems on the same tables): for labels y ∈ {0, 1} and rows x_r,
//   log p(y_r | x_r, w) = y_r z_r − softplus(z_r),  z_r = x_rᵀw.
// Every kernel is batched over points (one weight vector per row of `w`) and
// blocked over data rows: per block, the logits of all points are one
// matrix product, so the data are read once per call whatever the number of
// points, nothing of size rows × points is held at once, and nothing is
// copied per point. Blocks may run on several threads; their partial sums
// are added in block order, so results do not depend on the thread count.
#pragma once

#include <Eigen/Cholesky>
#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "core/types.hpp"
#include "targets/models/classification_data.hpp"

namespace vibench::logistic {

// Data rows per block of every kernel below: one block of a 55-column table
// (900 KB) stays in a 1 MiB L2 cache between the block's two products. The
// block is also the unit of parallelism and of the partial sums' order, so
// changing it changes results in the last bits.
inline constexpr Index kRowBlock = 2048;

// σ(z) without overflow for either sign of z.
inline double sigmoid(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z))
                : std::exp(z) / (1.0 + std::exp(z));
}

// Σ_rows log p(y_r | x_r, w_i) and its gradient in w_i, for the weights `w`
// (one point per row) over all rows of (x, y). Entry i of `loglik` and row
// i of `grad` belong to point i.
void log_likelihood_grad(const RowMatrix& x, const Vector& y, const Matrix& w,
                         Vector& loglik, Matrix& grad);

// Σ_rows ∇²_w log p(y_r | x_r, w_i) v_i = −Xᵀ diag(σ'(X w_i)) X v_i.
Matrix log_likelihood_hessian_vector(const RowMatrix& x, const Matrix& w,
                                     const Matrix& v);

// The Fisher information G_i = Σ_r σ'(z_ri) x_r x_rᵀ at each w_i (also
// minus the likelihood's Hessian).
std::vector<Matrix> likelihood_fisher(const RowMatrix& x, const Matrix& w);

// Row i: Σ_c ∂_c (G⁻¹)_{·c} at w_i for G = likelihood_fisher + a prior
// multiple of I, given the Cholesky factors of the G_i.
Matrix fisher_inverse_divergence(const RowMatrix& x, const Matrix& w,
                                 const std::vector<Eigen::LLT<Matrix>>& g);

// A minibatch of `count` distinct rows of (x, y), drawn by `rng` with
// sample_distinct and gathered into (bx, by).
void draw_minibatch(const RowMatrix& x, const Vector& y, Index count, Rng& rng,
                    RowMatrix& bx, Vector& by);

}  // namespace vibench::logistic
