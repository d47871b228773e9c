// The state every bilevel run starts from: the runner's outer points and
// one inner point per row, checked once here for all solvers.
#pragma once

#include <fmt/format.h>

#include <stdexcept>

#include "core/state.hpp"
#include "tasks/oracles.hpp"

namespace vibench {

inline State bilevel_start(const BilevelOracle& oracle, const State& initial,
                           const char* solver) {
  if (initial.inner.rows() != initial.points.rows() ||
      initial.inner.cols() != oracle.dim_y())
    throw std::invalid_argument(
        fmt::format("{}: the initial state needs one inner point (dim_y "
                    "columns) per outer point",
                    solver));
  State state;
  state.points = initial.points;
  state.inner = initial.inner;
  return state;
}

}  // namespace vibench
