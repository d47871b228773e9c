#include "core/domain.hpp"

namespace vibench {

bool RealsDomain::contains(const Matrix& x) const { return x.allFinite(); }

bool SimplexDomain::contains(const Matrix& x) const {
  if (!x.allFinite()) return false;
  return (x.array() > 0).all() && (x.rowwise().sum().array() < 1).all();
}

Matrix SimplexDomain::to_dual(const Matrix& x) const {
  const Vector last = (1.0 - x.rowwise().sum().array()).matrix();
  return (x.array().log().colwise() - last.array().log()).matrix();
}

Matrix SimplexDomain::to_primal(const Matrix& eta) const {
  // max over the d dual coordinates and the implicit 0 of the last one.
  const Vector shift = eta.rowwise().maxCoeff().cwiseMax(0.0);
  const Matrix e = (eta.colwise() - shift).array().exp().matrix();
  const Vector denom =
      (e.rowwise().sum().array() + (-shift.array()).exp()).matrix();
  return (e.array().colwise() / denom.array()).matrix();
}

Matrix SimplexDomain::inverse_hessian_times(const Matrix& x,
                                            const Matrix& v) const {
  const Vector dot = (x.array() * v.array()).rowwise().sum().matrix();
  return (x.array() * v.array() - x.array().colwise() * dot.array()).matrix();
}

Matrix SimplexDomain::grad_log_det_inverse_hessian(const Matrix& x) const {
  return (1.0 - static_cast<double>(x.cols() + 1) * x.array()).matrix();
}

std::shared_ptr<const Domain> reals_domain() {
  static const auto domain = std::make_shared<const RealsDomain>();
  return domain;
}
std::shared_ptr<const Domain> simplex_domain() {
  static const auto domain = std::make_shared<const SimplexDomain>();
  return domain;
}

}  // namespace vibench
