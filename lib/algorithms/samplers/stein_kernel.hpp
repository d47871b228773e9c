// Radial kernels k(x, y) = f(‖x − y‖²/h) and the batched SVGD direction
// (Liu & Wang 2016), shared by SVGD and the particle methods built on it.
//
// Kernels (h > 0 is the bandwidth, in units of squared distance):
//   rbf: k = exp(−r²/h)                     (SVGD paper's form)
//   imq: k = (c² + r²/h)^β, β < 0           (inverse multiquadric; c = 1,
//        β = −½ as in the KSD literature (Gorham & Mackey 2017) and in the
//        mirror-stein code, whose (1 + r²/h²)^(−½) has our h = their h²)
//
// With K_ij = f(u_ij), D_ij = f′(u_ij), u_ij = ‖x_i − x_j‖²/h (both
// symmetric) and scores S (n×d, row i = ∇log p(x_i)), since
// ∇_{x_j} k(x_j, x_i) = (2/h) f′(u_ij)(x_j − x_i):
//   φ(x_i) = (1/n) Σ_j [k(x_j, x_i) s(x_j) + ∇_{x_j} k(x_j, x_i)]
//          = (1/n) [K S + (2/h)(D X̄ − diag(D1) X̄)]_i
// with X̄ = X − mean(X) (the repulsion is shift invariant), computed with
// n×n by n×d matrix products, no loop over pairs. For rbf D = −K, so one
// product K (S − (2/h) X̄) suffices.
#pragma once

#include <string>
#include <vector>

#include "core/order_statistics.hpp"
#include "core/params.hpp"
#include "core/symmetric_products.hpp"
#include "core/types.hpp"

namespace vibench {

enum class KernelType { rbf, imq };

// How the bandwidth h is chosen at each step (held fixed within a step, as
// in every reference code: no gradient flows through it). med² is the median
// of the off-diagonal squared pairwise distances.
//
// The rules are heuristics: none of their papers needs the exact median
// (the SVGD paper says only "the median of the pairwise distance", and the
// SVGD authors' code takes np.median over the whole n×n matrix, its n zeros
// on the diagonal and each pair twice, which moves the middle rank by about
// n/4 of the n(n−1)/2 pairs). vibench still computes the exact median of
// the n(n−1)/2 distinct pairs, by an exact selection
// (core/pairwise_median.hpp), so that h and every result are the same
// numbers whatever the selection's method; nothing here is approximated.
enum class BandwidthRule {
  median,          // SVGD paper: h = med²/log n
  median_code,     // SVGD authors' code and Coin SVGD code: h = med²/log(n+1)
  median_squared,  // h = med² (close to mirror-stein's IMQ rule)
  fixed,           // a given h > 0
};

struct KernelConfig {
  KernelType type = KernelType::rbf;
  BandwidthRule rule = BandwidthRule::median;
  double fixed_bandwidth = 1.0;  // h when rule == fixed
  double imq_c = 1.0;            // c of imq
  double imq_beta = -0.5;        // β of imq
};
// The name used before the IMQ kernel existed.
using RbfKernelConfig = KernelConfig;

const char* to_string(KernelType type);
const char* to_string(BandwidthRule rule);

// The parameter specs `kernel`, `bandwidth`, `bandwidth_value`, `imq_c`,
// `imq_beta` shared by the SVGD family (with the caller's default rule),
// and their reading (throws
// ConfigError, naming `algorithm`, for inconsistent combinations).
ParamSpecs kernel_params(BandwidthRule default_rule = BandwidthRule::median);
KernelConfig kernel_from(const Params& params, const std::string& algorithm);

// The median rules from an n×n matrix of squared distances: med² is the
// median of the n(n−1)/2 off-diagonal squared distances (for an even count,
// the mean of the two middle values); median gives h = med²/log n,
// median_code h = med²/log(n+1), median_squared h = med². Falls back to
// h = 1 when n = 1 or when all particles coincide (med = 0). Reads the
// strict lower triangle only.
double median_bandwidth(const Matrix& squared_distances,
                        SelectionScratch& scratch,
                        BandwidthRule rule = BandwidthRule::median);

// h of a median rule from med² over the pairs of n points, as
// median_bandwidth (h = 1 when n < 2, or when h is not positive and
// finite), for callers that select med² themselves.
double median_rule_bandwidth(double med2, Index n, BandwidthRule rule);

// k(x, y) and ∇_x k(x, y) for one pair, for tests and small computations.
double kernel_value(const KernelConfig& config, double h, const RowVector& x,
                    const RowVector& y);
RowVector kernel_gradient_x(const KernelConfig& config, double h,
                            const RowVector& x, const RowVector& y);

// The parameter spec `kernel_tile_rows` of the methods whose step is
// SteinDirection::compute (svgd, coin_svgd, projected_svgd), MsvgdDirection
// (msvgd) or KsdGradient
// (ksd_descent, ksd_descent_lbfgs, coin_ksdd, and the KSD functional of
// mean_field_underdamped_langevin), and the tile rows it gives for n
// particles: 0 for the whole n×n matrices. What `kernel_tile_rows = 0`
// chooses: whole matrices up to 4096 particles, so that no checked-in result
// of the SVGD family moved when tiles came; or tiles of 128 rows at any n
// (the KSD methods, whose blocks are faster than the whole form from a
// couple of hundred particles and which had no checked-in results).
enum class AutomaticTiles { beyond_4096, always };
ParamSpec kernel_tile_param(
    AutomaticTiles automatic = AutomaticTiles::beyond_4096);
Index kernel_tile_rows(const Params& params, Index n_particles,
                       AutomaticTiles automatic = AutomaticTiles::beyond_4096);

// Computes SVGD directions with preallocated workspaces: after the first
// call with a given n×d, further calls of the same shape do not allocate.
//
// With tile_rows = 0 (or ≥ n) it holds the whole n×n kernel (and f′ for
// imq) and applies it by symmetric products. With 0 < tile_rows < n it
// never does: it forms the kernel tile by tile, tile_rows × tile_rows
// tiles on and below the diagonal, each applied to both its rows and, by
// its transpose, its columns, in O(n(d + tile_rows)) memory. The squared
// distances are then computed twice per step, once for the median
// bandwidth rules' exact median (core/pairwise_median.hpp over recomputed
// pairs) and once for the kernel. Both ways compute the same direction up
// to rounding: the sums run in another order (tested), nothing is
// approximated.
class SteinDirection {
 public:
  explicit SteinDirection(KernelConfig config, Index tile_rows = 0)
      : config_(config), tile_rows_(tile_rows) {}

  // The n×n matrices it keeps (k_ and dk_) with the whole kernel.
  static constexpr double kPairwiseMatrices = 2;
  // Bytes of its pairwise workspace for n particles: kPairwiseMatrices n×n
  // matrices whole, two tiles tiled (the memory estimate of the algorithms
  // built on it, Algorithm::workspace_bytes).
  static double pairwise_workspace_bytes(Index n, Index tile_rows);

  // phi (n×d) = the SVGD direction at particles x (n×d) with scores
  // `score` (n×d). Returns the bandwidth h used.
  double compute(const Matrix& x, const Matrix& score, Matrix& phi);

  // The tile rows in use for n particles: 0 when the kernel is whole.
  Index tile_rows_for(Index n) const {
    return tile_rows_ > 0 && tile_rows_ < n ? tile_rows_ : 0;
  }

  // Fills kernel() with K_ij = k(x_i, x_j) and derivative() with
  // D_ij = f′(‖x_i − x_j‖²/h) for the configured kernel and rule, and
  // returns h. Exposed for variants that need K itself.
  double compute_kernel(const Matrix& x);
  const Matrix& kernel() const { return k_; }
  const Matrix& derivative() const { return dk_; }
  const KernelConfig& config() const { return config_; }

  // h of the configured rule from the distances recomputed tile by tile,
  // never holding the n×n matrix; only when tile_rows_for(n) > 0. Used by
  // the tiled step, and by the KSD gradient in blocks (ksd_gradient.hpp).
  double tiled_bandwidth(const Matrix& x);

 private:
  // Fills the lower triangles (diagonal included) of k_ and dk_ only.
  double compute_lower_kernel(const Matrix& x);

  // The tiled step. visit(row0, col0, tile) for
  // each tile of squared distances on and below the diagonal, computed as
  // compute_lower_kernel computes them; a diagonal tile is whole and
  // symmetric, with an exact zero diagonal.
  template <class Visit>
  void for_each_distance_tile(const Matrix& x, Visit&& visit);
  // products_ = K rhs_ (rbf), or phi = K score and products_ = D rhs_ (imq),
  // the kernel formed tile by tile.
  void tiled_products(const Matrix& x, double h, const Matrix& score,
                      Matrix& phi);

  KernelConfig config_;
  Index tile_rows_;
  // tile_rows × tile_rows (tiled): squared distances, then K (rbf) or D
  // (imq); K (imq).
  Matrix distance_tile_, kernel_tile_;
  Matrix k_;         // n×n: squared distances, then the kernel
  Matrix dk_;        // n×n: f′(u) (imq only; rbf uses −K)
  Vector sq_norms_;  // n
  RowVector mean_;   // d: mean(X)
  Matrix rhs_;       // n×(d+1): [S − (2/h) X̄, 1] (rbf) or [X̄, 1] (imq)
  Matrix products_;  // n×(d+1): K·rhs_ (rbf) or D·rhs_ (imq)
  SelectionScratch median_scratch_;
  // The products, with their packing buffers kept between steps.
  LowerRankUpdate gram_;             // −2 X Xᵀ
  SymmetricTimes kernel_times_;      // K·
  SymmetricTimes derivative_times_;  // D· (imq)
};

}  // namespace vibench
