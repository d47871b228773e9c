// The squared kernel Stein discrepancy of a set of particles and its gradient
// with respect to their positions, for KSD descent (Korba, Aubin-Frankowski,
// Majewski & Ablin, "Kernel Stein Discrepancy Descent", ICML 2021) and its
// coin-betting version (Sharrock & Nemeth 2023).
//
// With scores s_i = ∇log p(x_i), a radial base kernel k(x, y) = g(‖x − y‖²)
// (rbf or imq of stein_kernel.hpp, g(r²) = f(r²/h)) and the Stein kernel
//   k_p(x, y) = s_xᵀs_y k + s_xᵀ∇_y k + s_yᵀ∇_x k + tr ∇_x∇_y k,
// the objective is the V-statistic KSD²(X) = (1/n²) Σ_ij k_p(x_i, x_j), as in
// the authors' code (pierreablin/ksddescent). Because k_p is symmetric,
//   ∇_{x_i} KSD² = (2/n²) Σ_j ∇_x k_p(x_i, x_j),
// and with u = x − y, r² = ‖u‖², t = s_y, H(x) = ∇²log p(x):
//   ∇_x k_p = H(x)[k t − 2g′u]                 (through s_x)
//           + 2g′(sᵀt) u                       (∇_x k times sᵀt)
//           − 2g′ s − 4g″(sᵀu) u               (∇_x of sᵀ∇_y k)
//           + 2g′ t + 4g″(tᵀu) u               (∇_x of tᵀ∇_x k)
//           − (4d g″ + 8g″ + 8g‴r²) u          (∇_x of tr ∇_x∇_y k).
// Summed over j, every term is an n×n coefficient matrix times X or S, or a
// row scaling, so one step costs a handful of n×n×d matrix products and one
// batched Hessian-vector product H(x_i)a_i (a_i = Σ_j [k_ij s_j − 2g′_ij u_ij])
// — no Hessian is formed and no loop runs over pairs.
//
// Beyond memory (tile_rows > 0 and < n), the same sums are formed a block of
// tile_rows rows at a time against 1024 columns j at a time, in six
// tile_rows×1024 workspaces instead of nine n×n, so memory is
// O(nd + 1024·tile_rows). There the element-wise terms of a pair are computed
// in one pass, and the row sums come from a column of ones appended to the
// products' right-hand side [S, X, 1]. The median rules' exact median is
// selected in a first pass over recomputed distances
// (SteinDirection::tiled_bandwidth), and the batched Hessian-vector product
// is made once, after the blocks. The result is the same up to rounding
// (the sums run in another order; tested against the whole matrices).
#pragma once

#include <functional>
#include <vector>

#include "algorithms/samplers/stein_kernel.hpp"
#include "core/types.hpp"

namespace vibench {

class KsdGradient {
 public:
  // tile_rows: 0 (or ≥ n) for the whole n×n matrices, else the rows of
  // each block (kernel_tile_rows of stein_kernel.hpp).
  explicit KsdGradient(KernelConfig config, Index tile_rows = 0)
      : config_(config), tile_rows_(tile_rows), tiles_(config, tile_rows) {}

  // The n×n workspaces it keeps whole (d2_, k_, g1_, g2_, g3_, sx_, si_u_,
  // sj_u_, coeff_), and the tile_rows×min(n, 1024) ones in blocks (d2_,
  // k_, g1_, sx_, sj_u_, coeff_).
  static constexpr double kPairwiseMatrices = 9;
  static constexpr double kBlockMatrices = 6;
  // Bytes of those workspaces for n particles (the memory estimate of the
  // algorithms built on it, Algorithm::workspace_bytes), with the median's
  // keys when in blocks.
  static double pairwise_workspace_bytes(Index n, Index tile_rows);

  // The block rows in use for n particles: 0 when the matrices are whole.
  Index tile_rows_for(Index n) const {
    return tile_rows_ > 0 && tile_rows_ < n ? tile_rows_ : 0;
  }

  // Row i of hessian_times(v) must be ∇²log p(x_i) v_i.
  using HessianTimes = std::function<Matrix(const Matrix& v)>;

  // grad (n×d) = ∇_X KSD²(X) at particles x with scores `score`; returns
  // KSD²(X). The bandwidth is chosen by the configured rule at x and held
  // fixed (no gradient through it), as in every reference code.
  double compute(const Matrix& x, const Matrix& score,
                 const HessianTimes& hessian_times, Matrix& grad);

  double last_bandwidth() const { return bandwidth_; }
  const KernelConfig& config() const { return config_; }

 private:
  // Fills k_, g1_, g2_, g3_ with g and its first three derivatives in r²
  // at every pair, from the squared distances in d2_ (whole matrices).
  void kernel_derivatives(double h);
  double compute_whole(const Matrix& x, const Matrix& score,
                       const HessianTimes& hessian_times, Matrix& grad);
  double compute_in_blocks(const Matrix& x, const Matrix& score,
                           const HessianTimes& hessian_times, Matrix& grad);

  KernelConfig config_;
  Index tile_rows_;
  double bandwidth_ = 0.0;
  // The blocks' median bandwidth, from distances recomputed tile by tile.
  SteinDirection tiles_;
  // n×n workspaces (tile_rows×min(n, 1024) in blocks), reused across steps
  // of the same size.
  Matrix d2_, k_, g1_, g2_, g3_, sx_, si_u_, sj_u_, coeff_;
  Vector sq_norms_, sx_diag_;
  // In blocks: what the Hessians multiply (n×d), [S, X, 1] (n×(2d+1)), a
  // block's products with it and its rows' terms of KSD².
  Matrix a_, rhs_, g1_products_, coeff_products_;
  Vector row_value_;
  SelectionScratch median_scratch_;
};

}  // namespace vibench
