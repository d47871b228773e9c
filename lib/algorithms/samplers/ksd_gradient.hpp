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
#pragma once

#include <functional>
#include <vector>

#include "algorithms/samplers/stein_kernel.hpp"
#include "core/types.hpp"

namespace vibench {

class KsdGradient {
 public:
  explicit KsdGradient(KernelConfig config) : config_(config) {}

  // The n×n workspaces it keeps (d2_, k_, g1_, g2_, g3_, sx_, si_u_, sj_u_,
  // coeff_), for the memory estimate of the algorithms built on it
  // (Algorithm::workspace_bytes).
  static constexpr double kPairwiseMatrices = 9;

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
  // at every pair, from the squared distances in d2_.
  void kernel_derivatives(double h);

  KernelConfig config_;
  double bandwidth_ = 0.0;
  // n×n workspaces, reused across steps of the same size.
  Matrix d2_, k_, g1_, g2_, g3_, sx_, si_u_, sj_u_, coeff_;
  Vector sq_norms_;
  SelectionScratch median_scratch_;
};

}  // namespace vibench
