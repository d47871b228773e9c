// Task kind 4: min_x F(x) = f(x, y*(x)) with y*(x) = argmin_y g(x, y).
// Points are x (n×dim_x); every oracle also takes the matching inner points
// Y (n×dim_y), one row per x.
#pragma once

#include <vector>

#include "tasks/task.hpp"

namespace vibench {

class Bilevel : public Task {
 public:
  static constexpr TaskKind kKind = TaskKind::bilevel;
  TaskKind kind() const final { return kKind; }
  Index dim() const final { return dim_x(); }
  virtual Index dim_x() const = 0;
  virtual Index dim_y() const = 0;

  // Outer objective f and its partial gradients.
  virtual Vector outer_value(const Matrix& x, const Matrix& y) const = 0;
  virtual void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                          Matrix& fy) const = 0;
  // Inner objective g and its partial gradients.
  virtual Vector inner_value(const Matrix& x, const Matrix& y) const = 0;
  virtual void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                          Matrix& gy) const = 0;
  // hessian_vector: row i is ∇²_yy g(x_i, y_i) v_i (v: n×dim_y).
  virtual Matrix inner_hvp_yy(const Matrix& x, const Matrix& y,
                              const Matrix& v) const;
  // hessian_vector: row i is ∇²_xy g(x_i, y_i) v_i (v: n×dim_y, out n×dim_x).
  virtual Matrix inner_cross(const Matrix& x, const Matrix& y,
                             const Matrix& v) const;

  // Data-based problems: the rows the outer (validation) and the inner
  // (training) objective read; data_size() is their sum, so a data pass is
  // one reading of every row of both.
  virtual Index outer_data_size() const { return 0; }
  virtual Index inner_data_size() const { return 0; }
  Index data_size() const final {
    return outer_data_size() + inner_data_size();
  }
  // minibatch: unbiased estimates of the partial gradients of f or g from a
  // batch of that level's rows drawn by `rng` (a fresh batch per call, the
  // same rows for every point); return the rows read. Used by the oracle
  // instead of outer_grad / inner_grad when batch_size() > 0.
  virtual Index outer_grad_minibatch(const Matrix& x, const Matrix& y, Rng& rng,
                                     Matrix& fx, Matrix& fy) const;
  virtual Index inner_grad_minibatch(const Matrix& x, const Matrix& y, Rng& rng,
                                     Matrix& gx, Matrix& gy) const;
  // minibatch + hessian_vector: the same for ∇²_yy g·v and ∇²_xy g·v, from a
  // fresh batch of inner rows.
  virtual Index inner_hvp_yy_minibatch(const Matrix& x, const Matrix& y,
                                       const Matrix& v, Rng& rng,
                                       Matrix& out) const;
  virtual Index inner_cross_minibatch(const Matrix& x, const Matrix& y,
                                      const Matrix& v, Rng& rng,
                                      Matrix& out) const;

  // sample_terms: for one point (x, y, v) and the given rows of a level,
  // each row's own term of the finite sum, one row of the output per given
  // row (whose mean over all rows is the full oracle): inner rows give
  // ∇_y g_i(x, y), ∇²_yy g_i(x, y)·v and ∇²_xy g_i(x, y)·v; outer rows give
  // ∇_x f_j(x, y) and ∇_y f_j(x, y).
  virtual void inner_sample_terms(const RowVector& x, const RowVector& y,
                                  const RowVector& v,
                                  const std::vector<Index>& rows, Matrix& gy,
                                  Matrix& hvp, Matrix& cross) const;
  virtual void outer_sample_terms(const RowVector& x, const RowVector& y,
                                  const std::vector<Index>& rows, Matrix& fx,
                                  Matrix& fy) const;

  // hypergradient: exact y*(x) and ∇F(x).
  virtual Matrix inner_solution(const Matrix& x) const;
  virtual Matrix hypergradient(const Matrix& x) const;
  virtual Vector optimum() const;  // optimum: x*
  // smoothness: L, the largest eigenvalue of ∇²_yy g over all (x, y), for
  // the step limits of Neumann series and inner gradient steps.
  virtual double inner_smoothness() const;

  // error_bounds: for each row of x, μ(x) ≤ the smallest and L(x) ≥ the
  // largest eigenvalue of ∇²_yy g(x, y) over all y (inner_smoothness_at
  // defaults to the global inner_smoothness() where it is declared); and
  // L_f, a Lipschitz constant of y ↦ ∇f(x, y) (both partials) for every x.
  virtual Vector inner_strong_convexity(const Matrix& x) const;
  virtual Vector inner_smoothness_at(const Matrix& x) const;
  virtual double outer_smoothness() const;

  // error_rates: the fraction of the `split`'s rows that the lower-level
  // classifier y misclassifies (x may set how it was fitted, not how it
  // predicts), one value per row of (x, y).
  enum class Split { validation, test };
  virtual Vector error_rate(const Matrix& x, const Matrix& y,
                            Split split) const;

  // Starting inner points; N(0, I) by default.
  virtual Matrix initial_inner_points(Index n, Rng& rng) const;
};

}  // namespace vibench
