#include "algorithms/samplers/stein_kernel.hpp"

#include <algorithm>
#include <cmath>

namespace vibench {

double median_bandwidth(const Matrix& d2, std::vector<double>& buffer) {
  const Index n = d2.rows();
  if (n < 2) return 1.0;
  buffer.clear();
  buffer.reserve(static_cast<size_t>(n * (n - 1) / 2));
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) buffer.push_back(d2(i, j));
  const size_t mid = buffer.size() / 2;
  std::nth_element(buffer.begin(), buffer.begin() + mid, buffer.end());
  double med2 = buffer[mid];
  if (buffer.size() % 2 == 0)
    med2 =
        0.5 * (med2 + *std::max_element(buffer.begin(), buffer.begin() + mid));
  const double h = med2 / std::log(static_cast<double>(n));
  return (h > 0 && std::isfinite(h)) ? h : 1.0;
}

double SteinDirection::compute_kernel(const Matrix& x) {
  const Index n = x.rows();
  // Squared distances ‖x_i‖² + ‖x_j‖² − 2 x_iᵀx_j, clamped at 0 against
  // rounding, with an exact zero diagonal.
  sq_norms_ = x.rowwise().squaredNorm();
  k_.resize(n, n);
  k_.noalias() = -2.0 * x * x.transpose();
  k_.colwise() += sq_norms_;
  k_.rowwise() += sq_norms_.transpose();
  k_ = k_.cwiseMax(0.0);
  k_.diagonal().setZero();
  const double h = config_.rule == BandwidthRule::median
                       ? median_bandwidth(k_, median_buffer_)
                       : config_.fixed_bandwidth;
  k_ = (k_.array() * (-1.0 / h)).exp().matrix();
  return h;
}

double SteinDirection::compute(const Matrix& x, const Matrix& score,
                               Matrix& phi) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double h = compute_kernel(x);
  row_sums_ = k_.rowwise().sum();
  stacked_.resize(n, 2 * d);
  stacked_.leftCols(d) = score;
  stacked_.rightCols(d) = x;
  products_.resize(n, 2 * d);
  products_.noalias() = k_ * stacked_;
  // Repulsion (2/h)(diag(K1) X − K X) is formed as a difference, so that it
  // is exactly 0 for n = 1 and SVGD is then exactly gradient ascent.
  phi.resize(n, d);
  phi = products_.leftCols(d) +
        (2.0 / h) * ((x.array().colwise() * row_sums_.array()).matrix() -
                     products_.rightCols(d));
  phi /= static_cast<double>(n);
  return h;
}

}  // namespace vibench
