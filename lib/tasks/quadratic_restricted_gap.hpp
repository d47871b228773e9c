// The restricted gap of a game whose operator is affine, F(z) = Mz + q, and
// comes from a quadratic Lagrangian (M_xx and M_yy symmetric,
// M_xy = −M_yxᵀ):
//   max_{‖y′ − y*‖ ≤ R} L(x, y′) − min_{‖x′ − x*‖ ≤ R} L(x′, y).
// L(x, y) cancels: with L(x, y + d) − L(x, y) = −F_y(z)ᵀd − ½dᵀM_yy d and
// L(x, y) − L(x + e, y) = −F_x(z)ᵀe − ½eᵀM_xx e, the gap is the sum of two
// ball-constrained quadratic maxima (core/ball_quadratic.hpp), exact for any
// such game; bilinear games have their own closed form, which the tests
// check this against.
#pragma once

#include "tasks/saddle_point.hpp"

namespace vibench {

// std::logic_error unless the game offers linear_operator and its M has a
// Lagrangian (to 1e-12 relative).
Vector quadratic_restricted_gap(const SaddlePoint& game, const Matrix& z,
                                double radius);

}  // namespace vibench
