// Helpers shared by the Gaussian variational methods (fb_gvi, advi), whose
// state is q = N(m, Σ) rather than particles.
#pragma once

#include "algorithms/algorithm.hpp"

namespace vibench {

// The starting Gaussian: the mean of the runner's initial points (so every
// method starts from the same place) and their per-coordinate variances as a
// diagonal covariance (so a task's natural scale is kept); the identity
// where there are too few points to estimate a variance.
inline void initial_gaussian(const Matrix& points, Vector& mean,
                             Matrix& covariance) {
  const Index n = points.rows(), d = points.cols();
  mean = points.colwise().mean().transpose();
  covariance = Matrix::Identity(d, d);
  if (n < 2) return;
  const Matrix centered = points.rowwise() - mean.transpose();
  for (Index j = 0; j < d; ++j) {
    const double variance =
        centered.col(j).squaredNorm() / static_cast<double>(n - 1);
    if (variance > 0.0) covariance(j, j) = variance;
  }
}

// Rows m + L z_i for standard-normal rows z_i: draws from N(m, LLᵀ).
inline Matrix gaussian_rows(const Vector& mean, const Matrix& factor,
                            const Matrix& z) {
  return (z * factor.transpose()).rowwise() + mean.transpose();
}

}  // namespace vibench
