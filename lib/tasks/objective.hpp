// Task kind 2: a function f to minimize.
#pragma once

#include <limits>

#include "tasks/task.hpp"
#include "tasks/transport.hpp"

namespace vibench {

// What is known of f (of the smooth part f on a composite problem): the
// regularity a method's theory needs, declared by the task and checked by
// tests/test_objectives.cpp against the defining inequalities on random
// pairs of points.
struct ObjectiveProperties {
  bool convex = false;          // known convex (false: nonconvex or unknown)
  double strong_convexity = 0;  // μ > 0: μ-strongly convex; 0: not, or unknown
  double smoothness =           // L of ∇f; +∞: not L-smooth, or unknown
      std::numeric_limits<double>::infinity();
  Json to_json() const;
};

class Objective : public Task {
 public:
  static constexpr TaskKind kKind = TaskKind::objective;
  TaskKind kind() const final { return kKind; }

  // Batched: f(i) = f(X_i), grad.row(i) = ∇f(X_i).
  virtual void value_grad(const Matrix& x, Vector& f, Matrix& grad) const = 0;
  virtual Vector value(const Matrix& x) const;

  // minibatch: unbiased estimates of f and ∇f from a batch of rows drawn by
  // `rng` (the same rows for every point); returns the rows read. Used by
  // the oracle instead of value_grad when batch_size() > 0 (Task).
  virtual Index value_grad_minibatch(const Matrix& x, Rng& rng, Vector& f,
                                     Matrix& grad) const;

  // Where f* is the global minimum: a box, row 0 its lower and row 1 its
  // upper corner (a test function's usual search domain, outside which it
  // may be unbounded below, like McCormick's); empty for all of ℝ^d.
  virtual Matrix minimum_region() const { return {}; }

  // The feasible set of a constrained problem (Capability::feasible_set):
  // the box whose row 0 is its lower and row 1 its upper corner; empty for
  // an unconstrained one. f* and x* are then the constrained ones. A box,
  // because the projection onto it is coordinate-wise clamping, which is
  // also the projection in any diagonal metric (so Reddi et al.'s
  // Π_{F,√V̂} for Adam is the same clamp).
  virtual Matrix feasible_box() const { return {}; }
  // Clamps every row of x into feasible_box() (nothing when it is empty).
  void project_feasible(Matrix& x) const;

  // Online problems (Capability::online): the loss of round t = 1, 2, …
  // (the oracle's value_grad calls, counted per cell), stochastic ones
  // drawing from `rng`. value_grad() is then the average (or expected)
  // loss F, on which f*, x* and the other metrics are defined; regret is
  // measured against min F.
  virtual void value_grad_round(const Matrix& x, long long round, Rng& rng,
                                Vector& f, Matrix& grad) const;

  // Composite problems (Capability::composite): P(x) = f(x) + g(x), f the
  // smooth part given by value_grad, g the nonsmooth one: its value per row
  // and its proximal operator prox_{step·g}, applied to every row in place.
  virtual Vector regularizer(const Matrix& x) const;
  virtual void prox(Matrix& x, double step) const;
  // P(x) per row: value(x), plus regularizer(x) on a composite problem.
  Vector composite_value(const Matrix& x) const;
  // L, the Lipschitz constant of ∇f (Capability::smoothness): the one
  // declared in properties(), so it is stated once.
  double smoothness() const;
  // The transport problem of an entropic-OT objective, whose point is the
  // coupling P flattened row by row (Capability::transport).
  virtual const TransportProblem& transport() const;
  // A certified bound on P(x) − P* per row (Capability::duality_gap).
  virtual Vector duality_gap(const Matrix& x) const;

  // Convexity, μ and L as far as known (nothing by default).
  virtual ObjectiveProperties properties() const { return {}; }

  virtual double optimal_value() const;  // optimal_value: f*
  virtual Vector optimum() const;        // optimum: x*
  // Every minimizer equivalent to optimum(), one per row, where the problem
  // has a symmetry (phase retrieval: ±x♮); optimum() alone by default.
  // distance_to_optimum measures to the nearest.
  virtual Matrix optima() const { return optimum().transpose(); }
};

}  // namespace vibench
