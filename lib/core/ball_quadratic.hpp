// The exact maximum of a quadratic over a Euclidean ball,
//   max_{‖d‖ ≤ R}  hᵀd − ½ dᵀHd,      H symmetric of any sign,
// the trust-region subproblem (Moré & Sorensen 1983). The restricted gap of
// a game whose Lagrangian is quadratic is two of these, one per player; for
// a player whose payoff is not concave (negatively comonotone games) the
// maximum lies on the sphere and only the exact solution is a valid gap.
//
// With H = QΛQᵀ and a = Qᵀh, the maximizer is d = Q(Λ + λI)⁻¹a for the
// λ ≥ max(0, −λ_min) at which ‖d‖ = R (or λ = 0 when H ≻ 0 and the
// unconstrained maximizer lies inside). λ is found by bisection on the
// monotone ‖d(λ)‖, to the last bit, and d is then completed to the sphere
// along the bottom eigenvector (which matters near the hard case). In the "hard
// case" (a orthogonal to the bottom eigenspace and ‖d(−λ_min)‖ < R), λ = −λ_min
// and d is completed to the sphere along that eigenspace, which adds
// ½·(−λ_min)·(R² − ‖d‖²).
#pragma once

#include <Eigen/Eigenvalues>

#include "core/types.hpp"

namespace vibench {

class BallQuadraticMaximum {
 public:
  // Factorizes H once (H must be symmetric; only its lower triangle is
  // read).
  explicit BallQuadraticMaximum(const Matrix& h_matrix);
  // max_{‖d‖ ≤ radius} hᵀd − ½dᵀHd (radius ≥ 0).
  double maximum(const Vector& h, double radius) const;

 private:
  Vector eigenvalues_;
  Matrix eigenvectors_;
};

}  // namespace vibench
