// Task kind 3: min_x max_y L(x, y), seen through its operator
// F(z) = (∇_x L, −∇_y L) with z = (x, y) (a variational inequality when the
// game has no Lagrangian).
#pragma once

#include <limits>

#include "tasks/task.hpp"

namespace vibench {

// What is known of F: the regularity a method's theory needs, declared by
// the game and checked by tests/test_saddle_games.cpp against the defining
// inequalities on random pairs of points.
struct SaddleProperties {
  // ⟨F(z) − F(z′), z − z′⟩ ≥ μ‖z − z′‖² with μ ≥ 0 (false: not known).
  bool monotone = false;
  double strong_monotonicity = 0;  // μ > 0: strongly monotone
  // ⟨F(z) − F(z′), z − z′⟩ ≥ −ρ‖F(z) − F(z′)‖²: ρ > 0 for a negatively
  // comonotone (non-monotone) F; 0 when monotone or unknown.
  double comonotonicity = 0;
  double lipschitz =  // L of F; +∞: not Lipschitz, or unknown
      std::numeric_limits<double>::infinity();
  Json to_json() const;
};

// A game on a product of simplices whose Lagrangian carries
// + β KL(x‖ρ_x) − β KL(y‖ρ_y): β and the reference strategies in the
// stored (dual) coordinates of the task's domain, η(ρ) = ∇ψ(ρ).
struct KlRegularization {
  double beta = 0;
  RowVector reference_dual;  // (η(ρ_x), η(ρ_y)), one row of dim() entries
};

// Row i: M z_i + q, one product for all rows (games with an affine
// operator).
inline Matrix affine_operator(const Matrix& z, const Matrix& m,
                              const Vector& q) {
  Matrix out = z * m.transpose();
  out.rowwise() += q.transpose();
  return out;
}

class SaddlePoint : public Task {
 public:
  static constexpr TaskKind kKind = TaskKind::saddle_point;
  TaskKind kind() const final { return kKind; }
  Index dim() const final { return dim_x() + dim_y(); }
  virtual Index dim_x() const = 0;
  virtual Index dim_y() const = 0;

  // Batched: row i of the result is F(Z_i), Z_i = (x_i, y_i).
  virtual Matrix operator_value(const Matrix& z) const = 0;
  // L(x_i, y_i).
  virtual Vector value(const Matrix& z) const = 0;
  // Whether F is (∇_x L, −∇_y L) of the value() above. A game of two
  // losses (a non-saturating GAN) says false: F is then
  // (∇_x ℓ_x, ∇_y ℓ_y) of player_losses, and value() is named by the game.
  virtual bool has_lagrangian() const { return true; }
  // Each player's loss, minimized over its own block: ℓ_x = L and
  // ℓ_y = −L for a game with a Lagrangian (the default).
  virtual void player_losses(const Matrix& z, Vector& loss_x,
                             Vector& loss_y) const;
  // minibatch: an unbiased estimate of F from a batch of the data's rows
  // drawn by `rng` (the same rows for every point); returns the rows read.
  // Used by the oracle instead of operator_value when batch_size() > 0.
  virtual Index operator_minibatch(const Matrix& z, Rng& rng,
                                   Matrix& field) const;
  // sample_terms: the mean over the given components i ∈ [0, n) of F_i,
  // n = data_size(), for methods that choose their samples themselves.
  virtual void operator_components(const Matrix& z,
                                   const std::vector<Index>& rows,
                                   Matrix& field) const;

  virtual Vector solution() const;  // optimum: z*
  // ‖z − Z*‖ to the solution set, per row. Default: to solution(); a game
  // whose solutions form a set (a rectangular bilinear game) overrides it.
  virtual Vector distance_to_solution(const Matrix& z) const;

  virtual SaddleProperties properties() const { return {}; }
  // smoothness: properties().lipschitz, for steps of 1/L.
  double lipschitz() const;
  // duality_gap: max_y′ L(x, y′) − min_x′ L(x′, y) per row (≥ 0, zero
  // exactly at saddle points), in closed form.
  virtual Vector duality_gap(const Matrix& z) const;
  // restricted_gap: the same with x′ and y′ restricted to balls of radius
  // R around x* and y* (Nesterov's restricted gap, finite for bilinear
  // games whose full gap is infinite). Default: exact for any game with an
  // affine operator and a quadratic Lagrangian
  // (tasks/quadratic_restricted_gap.hpp).
  virtual Vector restricted_gap(const Matrix& z, double radius) const;
  // feasible_set: z is constrained to a closed box, row 0 its lower and
  // row 1 its upper corner (±∞ where a coordinate is free); z* and the
  // gaps are then the constrained ones, and only methods that project run
  // (a GAN's clipped discriminator, a game on box × box). Empty: no box.
  virtual Matrix feasible_box() const { return {}; }
  // Clamps every row of z into feasible_box() (nothing when it is empty).
  void project_feasible(Matrix& z) const;
  // linear_operator: F(z) = Mz + q exactly, for the exact resolvent
  // (I + γF)⁻¹ of proximal point and Halpern methods.
  virtual void linear_operator(Matrix& m, Vector& q) const;
  // kl_regularized: the regularizer's β and references (free: part of
  // the problem's statement).
  virtual KlRegularization kl_regularization() const;
};

}  // namespace vibench
