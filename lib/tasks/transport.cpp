#include "tasks/transport.hpp"

namespace vibench {

Vector soft_min_rows(const Matrix& cost, const Vector& h, double epsilon) {
  const Matrix s = ((-cost).rowwise() + h.transpose()) / epsilon;
  const Vector top = s.rowwise().maxCoeff();
  const Vector sums =
      (s.colwise() - top).array().exp().rowwise().sum().matrix();
  return -epsilon * (top.array() + sums.array().log()).matrix();
}

}  // namespace vibench
