// The RBF kernel k(x, y) = exp(−‖x − y‖²/h) and the batched SVGD direction
// (Liu & Wang 2016), shared by SVGD and the particle methods built on it.
//
// With K_ij = k(x_j, x_i) (symmetric) and scores S (n×d, row i = ∇log p(x_i)):
//   φ(x_i) = (1/n) Σ_j [k(x_j, x_i) s(x_j) + ∇_{x_j} k(x_j, x_i)]
//          = (1/n) [K S + (2/h)(diag(K1) X − K X)]_i
// computed with one n×n×2d matrix product K·[S X], no loop over pairs.
#pragma once

#include <string>
#include <vector>

#include "core/types.hpp"

namespace vibench {

// How the RBF bandwidth h is chosen at each step (held fixed within a step).
enum class BandwidthRule {
  median,  // SVGD paper: h = med²/log n, med = median pairwise distance
  fixed,   // a given h > 0
};

struct RbfKernelConfig {
  BandwidthRule rule = BandwidthRule::median;
  double fixed_bandwidth = 1.0;  // h when rule == fixed
};

// The SVGD paper's median rule from an n×n matrix of squared distances:
// h = med²/log n, where med² is the median of the n(n−1)/2 off-diagonal
// squared distances (for an even count, the mean of the two middle values).
// Falls back to h = 1 when n = 1 (log n = 0) or when all particles coincide
// (med = 0). `buffer` is scratch space, reused across calls.
double median_bandwidth(const Matrix& squared_distances,
                        std::vector<double>& buffer);

// Computes SVGD directions with preallocated workspaces: after the first
// call with a given n×d, further calls of the same shape do not allocate.
class SteinDirection {
 public:
  explicit SteinDirection(RbfKernelConfig config) : config_(config) {}

  // phi (n×d) = the SVGD direction at particles x (n×d) with scores
  // `score` (n×d). Returns the bandwidth h used.
  double compute(const Matrix& x, const Matrix& score, Matrix& phi);

  // Fills kernel() with K_ij = exp(−‖x_i − x_j‖²/h) for the configured
  // rule and returns h. Exposed for variants that need K itself.
  double compute_kernel(const Matrix& x);
  const Matrix& kernel() const { return k_; }

 private:
  RbfKernelConfig config_;
  Matrix k_;         // n×n: squared distances, then the kernel
  Vector sq_norms_;  // n
  Vector row_sums_;  // n: K1
  Matrix stacked_;   // n×2d: [S X]
  Matrix products_;  // n×2d: K [S X]
  std::vector<double> median_buffer_;
};

}  // namespace vibench
