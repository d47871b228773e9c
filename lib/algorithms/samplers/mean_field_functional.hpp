// The functionals F(μ) that mean_field_underdamped_langevin minimizes over
// the particles' empirical measure μ_n = (1/n) Σ_i δ_{x_i}. Each gives its
// value F(μ_n) and the mean-field force at every particle,
//   force_i = ∇_x (δF/δμ)(x_i; μ_n) = n ∇_{x_i} F(μ_n),
// the gradient of the first variation at the particle (the second form
// holds because F(μ_n) is a function of the n positions, each entering
// through a weight 1/n): the drift of the mean-field underdamped Langevin
// dynamics (Fu & Wilson, ICML 2024). The two examples of that paper:
//
// MMD minimization (Gretton et al. 2012; Arbel et al. 2019) toward a fixed
// sample ν_m = (1/m) Σ_l δ_{y_l}, with the V-statistic
//   F(μ) = MMD²(μ, ν_m) = ∫∫k dμdμ − 2∫∫k dμdν_m + ∫∫k dν_mdν_m,
//   δF/δμ(x) = 2∫k(x, y)dμ(y) − 2∫k(x, y)dν_m(y).
// With a radial kernel k(x, y) = f(u), u = ‖x − y‖²/h (rbf or imq of
// stein_kernel.hpp), ∇_x k(x, y) = (2/h) f′(u)(x − y), so
//   force_i = (4/h) [(1/n) Σ_j f′(u_ij)(x_i − x_j)
//                    − (1/m) Σ_l f′(u_il)(x_i − y_l)],
// i.e. with the coefficient matrices D_xx = f′(U_xx) (n×n) and
// D_xy = f′(U_xy) (n×m),
//   force = (4/h) [(diag(D_xx 1) X − D_xx X)/n − (diag(D_xy 1) X − D_xy Y)/m]:
// matrix products over all particles, no loop over pairs; O(n(n + m)d)
// flops and O(n(n + m)) memory per evaluation, or O(b(n + m)) with the
// particles' rows taken b = tile_rows at a time (the same sums up to
// rounding, in another order). The bandwidth is either
// fixed or the configured median rule applied once, to the m reference
// draws (med² their median pairwise squared distance; median: med²/log m,
// median_code: med²/log(m + 1), median_squared: med²), and then held, so
// that F is one functional for the whole run. No oracle is called.
//
// KSD minimization (Liu, Lee & Jordan 2016; Chwialkowski et al. 2016;
// Korba et al. 2021): F(μ) = KSD²(μ | π) = ∫∫k_π dμdμ with the Stein kernel
// k_π of ksd_gradient.hpp, whose V-statistic and gradient ∇_X KSD² come
// from KsdGradient, so force = n ∇_X KSD²: per evaluation one batched score
// call and one batched Hessian-vector call on the n particles (n gradient,
// n value and n Hessian-vector evaluations in the counters), in blocks of
// tile_rows rows as KsdGradient's. The bandwidth rule is re-applied to the
// particles at every evaluation, as in ksd_descent (no gradient through
// it).
#pragma once

#include "algorithms/samplers/ksd_gradient.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "core/types.hpp"
#include "tasks/oracles.hpp"

namespace vibench {

class MeanFieldFunctional {
 public:
  virtual ~MeanFieldFunctional() = default;
  // Returns F(μ_n) for the particles x (n×d, one per row) and fills force
  // (n×d) with ∇_x (δF/δμ)(x_i; μ_n) = n ∇_{x_i} F.
  virtual double evaluate(const Matrix& x, Matrix& force) = 0;
  // The kernel bandwidth h of the last evaluation (of k = f(‖x − y‖²/h)).
  virtual double bandwidth() const = 0;
};

class MmdFunctional final : public MeanFieldFunctional {
 public:
  // `reference` (m×d, m ≥ 1) holds the points y_l of ν_m; tile_rows > 0
  // (and < n) takes the particles that many rows at a time.
  MmdFunctional(const KernelConfig& kernel, const Matrix& reference,
                Index tile_rows = 0);
  // Its workspaces hold this many n×n matrices (d2_xx_, k_xx_, dk_xx_) and
  // as many n×m (d2_xy_, k_xy_, dk_xy_); in blocks, tile_rows×n and
  // tile_rows×m (Algorithm::workspace_bytes).
  static constexpr double kPairwiseMatrices = 3;
  double evaluate(const Matrix& x, Matrix& force) override;
  double bandwidth() const override { return h_; }
  Index reference_size() const { return reference_.rows(); }

 private:
  // evaluate() for x in blocks of tile_rows_ rows, from xc_ and x_norms_.
  double evaluate_in_blocks(Matrix& force);
  // k = f(d2/h) and dk = f′(d2/h), element-wise.
  void kernel_terms(const Matrix& d2, Matrix& k, Matrix& dk) const;

  KernelConfig config_;
  Index tile_rows_;              // 0: all the particles' rows at once
  Matrix reference_;             // m×d, centred on its mean
  RowVector center_;             // the reference mean (subtracted from x too)
  Vector reference_norms_;       // ‖y_l − ȳ‖²
  double h_ = 1.0;               // the bandwidth, fixed for the run
  double reference_term_ = 0.0;  // (1/m²) Σ_ll′ k(y_l, y_l′)
  // Workspaces, reused across evaluations of the same size.
  Matrix xc_, d2_xx_, k_xx_, dk_xx_, d2_xy_, k_xy_, dk_xy_;
  Vector x_norms_;
};

class KsdFunctional final : public MeanFieldFunctional {
 public:
  // The target's scores and Hessian-vector products come from `oracle`
  // (which must offer hessian_vector), counted there.
  KsdFunctional(const DistributionOracle& oracle, const KernelConfig& kernel,
                Index tile_rows = 0)
      : oracle_(oracle), ksd_(kernel, tile_rows) {}
  double evaluate(const Matrix& x, Matrix& force) override;
  double bandwidth() const override { return ksd_.last_bandwidth(); }

 private:
  const DistributionOracle& oracle_;
  KsdGradient ksd_;
  Vector logp_;
  Matrix score_;
};

}  // namespace vibench
