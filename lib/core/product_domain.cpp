#include "core/product_domain.hpp"

#include <stdexcept>

namespace vibench {

ProductDomain::ProductDomain(std::shared_ptr<const Domain> first,
                             Index first_cols,
                             std::shared_ptr<const Domain> second)
    : first_(std::move(first)),
      second_(std::move(second)),
      first_cols_(first_cols) {
  if (!first_ || !second_ || first_cols_ < 1)
    throw std::invalid_argument(
        "ProductDomain: two domains and at least one column in the first");
}

std::string ProductDomain::name() const {
  return first_->name() + " x " + second_->name();
}

template <class F>
Matrix ProductDomain::blockwise(const Matrix& z, F f) const {
  if (z.cols() <= first_cols_)
    throw std::invalid_argument("ProductDomain: too few columns");
  const Index rest = z.cols() - first_cols_;
  const Matrix a = f(*first_, Matrix(z.leftCols(first_cols_)));
  const Matrix b = f(*second_, Matrix(z.rightCols(rest)));
  Matrix out(z.rows(), a.cols() + b.cols());
  out << a, b;
  return out;
}

template <class F>
Matrix ProductDomain::blockwise(const Matrix& z, const Matrix& v, F f) const {
  if (z.cols() <= first_cols_ || v.cols() != z.cols())
    throw std::invalid_argument("ProductDomain: mismatched columns");
  const Index rest = z.cols() - first_cols_;
  const Matrix a = f(*first_, Matrix(z.leftCols(first_cols_)),
                     Matrix(v.leftCols(first_cols_)));
  const Matrix b =
      f(*second_, Matrix(z.rightCols(rest)), Matrix(v.rightCols(rest)));
  Matrix out(z.rows(), a.cols() + b.cols());
  out << a, b;
  return out;
}

bool ProductDomain::contains(const Matrix& z) const {
  if (z.cols() <= first_cols_) return false;
  return first_->contains(z.leftCols(first_cols_)) &&
         second_->contains(z.rightCols(z.cols() - first_cols_));
}

Matrix ProductDomain::to_dual(const Matrix& z) const {
  return blockwise(
      z, [](const Domain& d, const Matrix& x) { return d.to_dual(x); });
}

Matrix ProductDomain::to_primal(const Matrix& eta) const {
  return blockwise(
      eta, [](const Domain& d, const Matrix& x) { return d.to_primal(x); });
}

Matrix ProductDomain::hessian_times(const Matrix& z, const Matrix& v) const {
  return blockwise(z, v, [](const Domain& d, const Matrix& x, const Matrix& w) {
    return d.hessian_times(x, w);
  });
}

Matrix ProductDomain::inverse_hessian_times(const Matrix& z,
                                            const Matrix& v) const {
  return blockwise(z, v, [](const Domain& d, const Matrix& x, const Matrix& w) {
    return d.inverse_hessian_times(x, w);
  });
}

Matrix ProductDomain::hessian_factor_times(const Matrix& z,
                                           const Matrix& v) const {
  return blockwise(z, v, [](const Domain& d, const Matrix& x, const Matrix& w) {
    return d.hessian_factor_times(x, w);
  });
}

Vector ProductDomain::log_det_inverse_hessian(const Matrix& z) const {
  return first_->log_det_inverse_hessian(z.leftCols(first_cols_)) +
         second_->log_det_inverse_hessian(z.rightCols(z.cols() - first_cols_));
}

Matrix ProductDomain::grad_log_det_inverse_hessian(const Matrix& z) const {
  return blockwise(z, [](const Domain& d, const Matrix& x) {
    return d.grad_log_det_inverse_hessian(x);
  });
}

Matrix ProductDomain::project(const Matrix& z) const {
  return blockwise(
      z, [](const Domain& d, const Matrix& x) { return d.project(x); });
}

}  // namespace vibench
