#include "core/ball_quadratic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vibench {

BallQuadraticMaximum::BallQuadraticMaximum(const Matrix& h_matrix) {
  if (h_matrix.rows() != h_matrix.cols())
    throw std::invalid_argument("BallQuadraticMaximum: H is not square");
  const Eigen::SelfAdjointEigenSolver<Matrix> solver(h_matrix);
  eigenvalues_ = solver.eigenvalues();  // ascending
  eigenvectors_ = solver.eigenvectors();
}

double BallQuadraticMaximum::maximum(const Vector& h, double radius) const {
  if (h.size() != eigenvalues_.size())
    throw std::invalid_argument("BallQuadraticMaximum: h has the wrong size");
  if (!(radius >= 0))
    throw std::invalid_argument("BallQuadraticMaximum: radius < 0");
  const Vector a = eigenvectors_.transpose() * h;
  const Index n = a.size();
  if (n == 0 || radius == 0) return 0;
  // In the eigenbasis, with shift λ: d_i = a_i / (λ_i + λ), and the value
  // hᵀd − ½dᵀHd = Σ a_i d_i − ½ λ_i d_i².
  auto value_at = [&](double lambda, double& norm_squared) {
    double value = 0;
    norm_squared = 0;
    for (Index i = 0; i < n; ++i) {
      const double denom = eigenvalues_(i) + lambda;
      const double d = denom > 0 ? a(i) / denom : 0.0;
      value += a(i) * d - 0.5 * eigenvalues_(i) * d * d;
      norm_squared += d * d;
    }
    return value;
  };
  const double lowest = eigenvalues_(0);
  const double r2 = radius * radius;
  double norm_squared = 0;
  if (lowest > 0) {
    const double inside = value_at(0.0, norm_squared);
    if (norm_squared <= r2) return inside;  // interior maximizer
  }
  // The boundary: ‖d(λ)‖ decreases in λ on (max(0, −λ_min), ∞), and at
  // hi = lo + ‖a‖/R every term a_i²/(λ_i + λ)² ≤ a_i²R²/‖a‖², so ‖d‖ ≤ R.
  const double lo_bound = std::max(0.0, -lowest);
  // The hard case: no weight on the bottom eigenspace (up to rounding) and
  // the shift −λ_min already inside the ball.
  const double scale = std::max(1.0, eigenvalues_.cwiseAbs().maxCoeff());
  const double tiny = 1e-14 * scale;
  bool bottom_empty = true;
  for (Index i = 0; i < n && eigenvalues_(i) - lowest <= tiny; ++i)
    bottom_empty = bottom_empty && std::abs(a(i)) <= 1e-14 * a.norm();
  if (bottom_empty && lowest <= 0) {
    // d restricted to the other eigenvectors at λ = −λ_min.
    double value = 0, used = 0;
    for (Index i = 0; i < n; ++i) {
      const double denom = eigenvalues_(i) - lowest;
      if (denom <= tiny) continue;
      const double d = a(i) / denom;
      value += a(i) * d - 0.5 * eigenvalues_(i) * d * d;
      used += d * d;
    }
    if (used <= r2) return value - 0.5 * lowest * (r2 - used);
  }
  double lo = lo_bound, hi = lo_bound + a.norm() / radius;
  for (int iteration = 0; iteration < 400; ++iteration) {
    const double mid = 0.5 * (lo + hi);
    if (!(mid > lo && mid < hi)) break;  // the interval is one ulp wide
    value_at(mid, norm_squared);
    (norm_squared > r2 ? lo : hi) = mid;
  }
  // At hi the point is inside the ball (feasible). Near the hard case (a
  // tiny weight on the bottom eigenvector of a negative λ_min) the last
  // ulp of λ still leaves ‖d‖ short of R: complete d to the sphere along
  // that eigenvector, which changes the value by hi·d₀·τ − ½λ₀τ² ≥ 0.
  double value = value_at(hi, norm_squared);
  if (lowest < 0 && norm_squared < r2) {
    const double d0 = a(0) / (lowest + hi);
    const double reach = std::sqrt(r2 - norm_squared + d0 * d0);
    const double tau = (d0 < 0 ? -1.0 : 1.0) * (reach - std::abs(d0));
    value += hi * d0 * tau - 0.5 * lowest * tau * tau;
  }
  return value;
}

}  // namespace vibench
