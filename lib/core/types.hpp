// Numeric types shared by every part of vibench.
#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace vibench {

// One point per row: an n×d matrix holds n points of dimension d. Every batched
// oracle takes and returns matrices in this layout.
using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using RowVector = Eigen::RowVectorXd;

using Index = Eigen::Index;

}  // namespace vibench
