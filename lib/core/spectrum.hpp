// Spectra of the synthetic problems: eigenvalues or singular values spread
// geometrically over [lo, hi], the usual way to set a condition number.
#pragma once

#include <Eigen/Eigenvalues>
#include <cmath>

#include "core/types.hpp"

namespace vibench {

// lo·(hi/lo)^{i/(n−1)} for i = 0 … n−1 (lo > 0); lo alone when n = 1.
inline Vector log_spaced(Index n, double lo, double hi) {
  Vector out(n);
  for (Index i = 0; i < n; ++i)
    out(i) = n == 1 ? lo
                    : lo * std::pow(hi / lo, static_cast<double>(i) /
                                                 static_cast<double>(n - 1));
  return out;
}

// The eigenvalues, ascending, of AᵀA/rows: the curvature a data matrix
// gives a mean loss, for the declared constants of the data problems.
template <class Rows>
Vector mean_gram_spectrum(const Rows& a) {
  const Matrix gram = Matrix(a.transpose() * a) / static_cast<double>(a.rows());
  return Eigen::SelfAdjointEigenSolver<Matrix>(gram, Eigen::EigenvaluesOnly)
      .eigenvalues();
}

}  // namespace vibench
