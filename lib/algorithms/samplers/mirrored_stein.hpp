// The Stein directions of "Sampling with Mirrored Stein Operators" (Shi, Liu
// & Mackey, ICLR 2022), shared by msvgd, svmd (constrained domains, a mirror
// map ψ) and svng (unconstrained, ∇²ψ replaced by a metric such as the
// Fisher information). Particles are θ_i (primal, n×d); the directions are
// in dual coordinates η = ∇ψ(θ).
//
// A per-particle metric G_i = G(θ_i) (∇²ψ(θ_i) for a mirror map) enters
// through two batched products (Metric): G_i v_i and G_i⁻¹ v_i. The scores
// are dual scores, G⁻¹∇_θ log p + div G⁻¹ with (div G⁻¹)_i the divergence
// Σ_c ∂_c (G⁻¹)_{·c}(θ_i); for a mirror map that divergence equals
// ∇_η log det ∇²ψ*(η) (PAPERS.md §1.3), so the dual score is the score of
// the pushforward of p to the dual space (Distribution::dual_score).
#pragma once

#include <functional>
#include <vector>

#include "algorithms/samplers/stein_kernel.hpp"
#include "core/domain.hpp"
#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

struct Metric {
  std::function<Matrix(const Matrix& v)> times;          // rows G_i v_i
  std::function<Matrix(const Matrix& v)> inverse_times;  // rows G_i⁻¹ v_i
};

// The mirror map's Hessian ∇²ψ at the particles `theta` of `domain`, as a
// Metric (the domain and theta must outlive it).
Metric mirror_metric(const Domain& domain, const Matrix& theta);

// Mirrored SVGD (§3.2 of the paper): with the kernel on the primal θ,
//   Δη_j = (1/n) Σ_i [k(θ_i, θ_j) ∇_η log p_H(η_i) + G_i⁻¹ ∇_{θ_i} k(θ_i,
//   θ_j)].
// With G = I it is SVGD's φ.
//
// With 0 < tile_rows < n the kernel is formed tile_rows columns j at a time
// (n×tile_rows: K, f′ and the weights), never whole: memory
// O(n(d + tile_rows)), the same direction up to rounding; the median rules'
// median then comes from SteinDirection::tiled_bandwidth.
class MsvgdDirection {
 public:
  explicit MsvgdDirection(KernelConfig config, Index tile_rows = 0)
      : kernel_(config, tile_rows) {}
  // The n×n matrices of a step: the kernel's, weights_ and the kernel
  // derivative; in blocks, two n×tile_rows (distances_, then the weights,
  // and kernel_block_).
  static constexpr double kPairwiseMatrices =
      SteinDirection::kPairwiseMatrices + 2;
  static constexpr double kBlockMatrices = 2;
  // Bytes of those for n particles (Algorithm::workspace_bytes), with the
  // median's keys in blocks.
  static double pairwise_workspace_bytes(Index n, Index tile_rows);
  // Returns the bandwidth used.
  double compute(const Matrix& theta, const Matrix& dual_score,
                 const Metric& metric, Matrix& direction);
  Json diagnostics() const {
    return {{"kernel_tile_rows", kernel_.tile_rows_for(last_n_)}};
  }

 private:
  double compute_in_blocks(const Matrix& theta, const Matrix& dual_score,
                           const Metric& metric, Matrix& direction);

  SteinDirection kernel_;
  Matrix weights_;
  Index last_n_ = 0;
  // In blocks: n×tile_rows squared distances (then the weights (2/h) f′)
  // and kernel.
  Matrix distances_, kernel_block_;
  Vector sq_norms_;
};

// Stein variational mirror descent (§3.3): the matrix kernel
//   K_t(θ, θ′) = Σ_ij √(μ_i μ_j) u_i(θ) u_j(θ′) E_q[u_i u_j G]
// adapted to the particles through the eigenpairs (λ_j, e_j) of their Gram
// matrix, with μ_j = λ_j/n and the Nyström eigenfunctions
// u_j(θ) = (√n/λ_j) Σ_m k(θ, θ_m) e_mj (u_j(θ_m) = √n e_mj), keeping the
// leading eigenpairs that cover `eigen_threshold` of the spectrum. The dual
// direction at θ_k is
//   g_k = (1/n) Σ_l [K_t(θ_k, θ_l) G_l⁻¹ s_l + ∇_{θ_l}·(K_t(θ_k, θ_l) G_l⁻¹)]
// with K_t held fixed in its E_q factor (the code's md = False). Written as
//   a_j = Σ_l [u_j(θ_l)(G_l⁻¹ s_l + div G⁻¹(θ_l)) + G_l⁻¹ ∇u_j(θ_l)],
//   c_m = Σ_j √μ_j u_j(θ_m) a_j,   g_k = (1/n²) Σ_m Σ_i √μ_i u_i(θ_k)
//         u_i(θ_m) G_m c_m,
// it costs one eigendecomposition (O(n³)), r batched G⁻¹ products and one
// batched G product — no d×d matrix per particle is formed. With G = I and
// every eigenpair kept it is SVGD's φ.
class SvmdDirection {
 public:
  SvmdDirection(KernelConfig config, double eigen_threshold, double jitter)
      : kernel_(config), threshold_(eigen_threshold), jitter_(jitter) {}
  // The n×n matrices of a step: the kernel's, the jittered Gram matrix, its
  // eigendecomposition (vectors and workspace), the kernel derivative and
  // the leading eigenvectors twice, at full rank
  // (Algorithm::workspace_bytes).
  static constexpr double kPairwiseMatrices =
      SteinDirection::kPairwiseMatrices + 6;
  // Returns the bandwidth used.
  double compute(const Matrix& theta, const Matrix& dual_score,
                 const Metric& metric, Matrix& direction);
  Index last_rank() const { return rank_; }
  Json diagnostics() const { return {{"last_rank", rank_}}; }

 private:
  SteinDirection kernel_;
  double threshold_;
  double jitter_;
  Index rank_ = 0;
};

}  // namespace vibench
