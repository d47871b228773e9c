// Pairwise quantities between point sets, written as matrix products so that
// the O(n·m·d) work runs in Eigen's GEMM rather than in loops over pairs.
#pragma once

#include "core/types.hpp"

namespace vibench {

// D(i, j) = ‖x_i − y_j‖², through ‖x‖² + ‖y‖² − 2xᵀy (clamped at 0 against
// rounding).
Matrix squared_distances(const Matrix& x, const Matrix& y);

// D(i, j) = ‖x_i − x_j‖² within one set: exactly symmetric, with an exactly
// zero diagonal (so V-statistics see k(x, x) without rounding noise).
Matrix squared_distances(const Matrix& x);

// Median of the off-diagonal entries of a square symmetric distance matrix
// (each pair counted once); used by the median bandwidth heuristics.
double median_off_diagonal(const Matrix& squared_distances);

}  // namespace vibench
