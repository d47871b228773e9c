// A closed box stored as two rows, row 0 its lower and row 1 its upper
// corner (±∞ for a free coordinate), as constrained objectives and games
// declare their feasible sets.
#pragma once

#include "core/types.hpp"

namespace vibench {

// Clamps every row of x into the box (nothing when the box is empty): the
// Euclidean projection, and the projection in any diagonal metric.
inline void clamp_rows_to_box(Matrix& x, const Matrix& box) {
  if (box.size() == 0) return;
  for (Index i = 0; i < x.rows(); ++i)
    x.row(i) = x.row(i).cwiseMax(box.row(0)).cwiseMin(box.row(1));
}

}  // namespace vibench
