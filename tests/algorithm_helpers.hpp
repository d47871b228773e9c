// Helpers shared by the algorithm tests: configured algorithms from the
// registry, states holding only points, and small sample statistics.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "algorithms/algorithm.hpp"
#include "core/params.hpp"

namespace vibench::testing {

// The registered algorithm `name` with the parameters `given`, validated.
inline std::shared_ptr<const Algorithm> make_algorithm(const std::string& name,
                                                       const Json& given) {
  const AlgorithmEntry* entry = AlgorithmRegistry::instance().find(name);
  REQUIRE(entry != nullptr);
  return entry->make(Params(
      validate_params(given, entry->params, "/algorithms/0/params", name)));
}

// A state holding only points (the other fields empty).
inline State points_state(Matrix points) {
  State s;
  s.points = std::move(points);
  return s;
}

inline double max_abs(const Matrix& m) { return m.cwiseAbs().maxCoeff(); }

// Sample covariance with the n − 1 denominator, one point per row.
inline Matrix sample_covariance(const Matrix& x) {
  const Matrix c = x.rowwise() - x.colwise().mean();
  return c.transpose() * c / static_cast<double>(x.rows() - 1);
}

}  // namespace vibench::testing
