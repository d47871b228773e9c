#include "metrics/pairwise.hpp"

#include <algorithm>
#include <vector>

namespace vibench {

Matrix squared_distances(const Matrix& x, const Matrix& y) {
  const Vector xn = x.rowwise().squaredNorm();
  const Vector yn = y.rowwise().squaredNorm();
  Matrix d = -2.0 * x * y.transpose();
  d.colwise() += xn;
  d.rowwise() += yn.transpose();
  return d.cwiseMax(0.0);
}

Matrix squared_distances(const Matrix& x) {
  Matrix gram = Matrix::Zero(x.rows(), x.rows());
  gram.selfadjointView<Eigen::Lower>().rankUpdate(x);
  gram = gram.selfadjointView<Eigen::Lower>();
  const Vector norms = gram.diagonal();
  Matrix d = -2.0 * gram;
  d.colwise() += norms;
  d.rowwise() += norms.transpose();
  // (a + b) / 2 is commutative in floating point: exactly symmetric.
  d = (0.5 * (d + d.transpose())).cwiseMax(0.0).eval();
  d.diagonal().setZero();
  return d;
}

double median_off_diagonal(const Matrix& d) {
  const Index n = d.rows();
  std::vector<double> values;
  values.reserve(n * (n - 1) / 2);
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) values.push_back(d(i, j));
  if (values.empty()) return 0.0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double median = values[mid];
  if (values.size() % 2 == 0) {
    const double lower =
        *std::max_element(values.begin(), values.begin() + mid);
    median = 0.5 * (median + lower);
  }
  return median;
}

}  // namespace vibench
