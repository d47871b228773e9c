// Approximate solutions of the implicit-differentiation system
//   ∇²_yy g(x, y) v = b   (b = ∇_y f),
// batched over rows (one system per row of x), through the counting
// oracle's Hessian-vector products only: no Hessian is ever formed.
//
//   cg            conjugate gradient, from the previous v (warm) or 0
//   neumann_shia  v = η Σ_{j=0}^{K} (I − ηH)^j b (stocBiO's estimator;
//                 PAPERS.md §9.2)
//   neumann_hia   p ~ U{0, …, K−1}, v = Kη (I − ηH)^p b (BSA/TTSA's
//                 unbiased-in-expectation truncation; one p for the batch)
//   gd            gradient descent on ½vᵀHv − bᵀv from the previous v
//                 (AmIGO's inner linear solver)
//
// Hessian-vector products per call and row: cg K (+1 for the residual of a
// warm start), neumann_shia K, neumann_hia p (K/2 on average), gd K.
#pragma once

#include <string>

#include "core/rng.hpp"
#include "core/types.hpp"
#include "tasks/oracles.hpp"

namespace vibench {

enum class LinearSolverKind { cg, neumann_shia, neumann_hia, gd };

const char* to_string(LinearSolverKind kind);
// "cg", "neumann_shia", ...; std::invalid_argument otherwise.
LinearSolverKind linear_solver_from(const std::string& name);

struct LinearSolverConfig {
  LinearSolverKind kind = LinearSolverKind::cg;
  long long steps = 10;    // K: CG iterations, Neumann terms, GD steps
  double step_size = 0.1;  // η of the Neumann series and of gd
  bool warm_start = true;  // cg and gd start from the previous v
};

class LinearSystemSolver {
 public:
  explicit LinearSystemSolver(const LinearSolverConfig& config)
      : config_(config) {}
  // Updates v (n × dim_y; its previous value is the warm start) towards
  // the solution of ∇²_yy g(x_i, y_i) v_i = b_i for each row i. Stops
  // early, for every row at once, when `tolerance` > 0 and the largest
  // residual norm is at most `tolerance` (cg only, where the residual is
  // known without an extra product). `rng` draws neumann_hia's truncation.
  void solve(const BilevelOracle& oracle, const Matrix& x, const Matrix& y,
             const Matrix& b, Matrix& v, Rng& rng, double tolerance = 0);
  // The largest residual norm ‖b − Hv‖ over the rows after the last cg
  // solve (NaN for the other solvers, which do not compute it).
  double residual_norm_max() const { return residual_norm_max_; }
  const LinearSolverConfig& config() const { return config_; }

 private:
  void conjugate_gradient(const BilevelOracle& oracle, const Matrix& x,
                          const Matrix& y, const Matrix& b, Matrix& v,
                          double tolerance);
  LinearSolverConfig config_;
  Matrix r_, p_, hp_;
  Vector rs_, rs_new_, curvature_, alpha_, beta_;
  double residual_norm_max_ = 0.0;
};

}  // namespace vibench
