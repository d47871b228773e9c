// Clipping of operator samples, clip(g, λ) = min(1, λ/‖g‖)·g row by row
// (Sadiev, Danilova, Gorbunov et al., "High-probability bounds for
// stochastic optimization and variational inequalities: the case of
// unbounded variance", ICML 2023): bounds each step under heavy-tailed
// noise, at the price of a bias.
#pragma once

#include "core/params.hpp"
#include "core/types.hpp"

namespace vibench {

inline void clip_rows(Matrix& g, double level) {
  for (Index i = 0; i < g.rows(); ++i) {
    const double norm = g.row(i).norm();
    if (norm > level) g.row(i) *= level / norm;
  }
}

inline ParamSpec clip_level_param() {
  return ParamSpec::real("clip_level", 1.0,
                         "λ of clip(g, λ) = min(1, λ/‖g‖)g on every operator "
                         "sample (no paper default: the theory sets λ from "
                         "the initial distance, the step and the budget)")
      .above(0.0);
}

}  // namespace vibench
