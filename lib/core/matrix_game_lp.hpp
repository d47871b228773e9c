// The value and an equilibrium of a two-player zero-sum matrix game
// min_x max_y xᵀAy over probability simplices, by two linear programs
// solved with GLPK's simplex method (not a hand-written one):
//   row player:    min v  s.t.  Aᵀx ≤ v·1,  1ᵀx = 1,  x ≥ 0;
//   column player: max w  s.t.  Ay ≥ w·1,   1ᵀy = 1,  y ≥ 0.
// By the minimax theorem v = w, the value of the game.
#pragma once

#include "core/types.hpp"

namespace vibench {

struct MatrixGameSolution {
  double value = 0;  // min_x max_y xᵀAy
  Vector x, y;       // equilibrium strategies of the row and column players
};

// std::runtime_error if GLPK does not report an optimal basis (it always
// exists for a finite A).
MatrixGameSolution solve_matrix_game(const Matrix& a);

}  // namespace vibench
