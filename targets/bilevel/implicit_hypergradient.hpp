// The exact hypergradient of a problem whose lower level is solved to
// machine precision with its Hessian factorized (Newton's method):
//   ∇F(x) = ∇_x f − ∇²_xy g · H⁻¹ ∇_y f   at (x, y*(x)),
// row by row, from the task's own oracles — the implicit function theorem
// with a dense solve.
#pragma once

#include <Eigen/Cholesky>

#include "tasks/bilevel.hpp"

namespace vibench {

struct InnerSolution {
  RowVector y;                 // y*(x)
  Eigen::LLT<Matrix> hessian;  // ∇²_yy g(x, y*) factorized
};

// Rows y*(x_p), from `solve(x_p)` → InnerSolution.
template <class Solve>
Matrix inner_solutions(const Matrix& x, Index dim_y, Solve&& solve) {
  Matrix y(x.rows(), dim_y);
  for (Index p = 0; p < x.rows(); ++p) y.row(p) = solve(x.row(p)).y;
  return y;
}

template <class Solve>
Matrix implicit_hypergradient(const Bilevel& task, const Matrix& x,
                              Solve&& solve) {
  Matrix out(x.rows(), x.cols());
  for (Index p = 0; p < x.rows(); ++p) {
    const InnerSolution sol = solve(x.row(p));
    Matrix fx, fy;
    task.outer_grad(x.row(p), sol.y, fx, fy);
    const Matrix v = sol.hessian.solve(fy.transpose()).transpose();
    out.row(p) = fx - task.inner_cross(x.row(p), sol.y, v);
  }
  return out;
}

}  // namespace vibench
