// y*(x) of a softmax lower level by Newton's method, shared by the bilevel
// problems that fit a softmax classifier: g(W) = (1/n)Σ s_i CE_i(W) +
// ½Σ_k ρ_k W_k² with row weights s and ridge weights ρ fixed by x.
#pragma once

#include <fmt/format.h>

#include <stdexcept>

#include "targets/bilevel/implicit_hypergradient.hpp"
#include "targets/models/softmax_model.hpp"

namespace vibench {

// From W = 0 with a backtracking line search on `value(W)` (g at a 1 × dim
// W), to ‖∇_W g‖ ≤ `tolerance`; the Hessian's factorization at W* is kept
// for ∇F. `weights` is 1 × rows (or null for s = 1), `ridge` is ρ (dim).
template <class Value>
InnerSolution softmax_newton(const SoftmaxModel& model, const SoftmaxRows& rows,
                             const Matrix* weights, const RowVector& ridge,
                             Value&& value, double tolerance,
                             const char* task) {
  const Vector s = weights ? Vector(weights->row(0).transpose()) : Vector();
  InnerSolution sol{RowVector::Zero(model.dim()), {}};
  for (int iteration = 0; iteration < 100; ++iteration) {
    // One fit per iteration: its probabilities build H, then ∇_W g.
    const Matrix w_now = sol.y;
    SoftmaxModel::Fit fit = model.evaluate(rows, w_now);
    const Matrix prob = fit.probabilities;
    Matrix gy = model.loss_gradient(rows, 1, std::move(fit), weights);
    gy += (ridge.array() * w_now.array()).matrix();
    Matrix h = model.loss_hessian(rows, prob, weights ? &s : nullptr);
    h.diagonal().array() += ridge.transpose().array();
    sol.hessian.compute(h);
    const double norm = gy.norm();
    if (norm <= tolerance) return sol;
    const RowVector step = sol.hessian.solve(gy.row(0).transpose()).transpose();
    // Backtracking on g's value far from W*; near it (‖∇g‖ < 1e-3, inside
    // Newton's quadratic region) the value's rounding would stall the
    // search, so the full step is taken.
    const double at = value(Matrix(sol.y));
    double t = 1.0;
    for (int k = 0; k < 50 && norm >= 1e-3; ++k, t *= 0.5) {
      const Matrix trial = sol.y - t * step;
      if (value(trial) <= at - 1e-4 * t * gy.row(0).dot(step)) break;
    }
    sol.y -= t * step;
  }
  throw std::runtime_error(
      fmt::format("{}: Newton's method did not reach ‖∇_W g‖ ≤ {} in 100 "
                  "iterations",
                  task, tolerance));
}

}  // namespace vibench
