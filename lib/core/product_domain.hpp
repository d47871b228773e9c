// The product X × Y of two domains, for games: z = (x, y) with the first
// `first_cols` columns in X and the rest in Y. The mirror map is the sum
// ψ(z) = ψ_X(x) + ψ_Y(y), so every map acts block by block and mirror prox
// on simplex × simplex is two multiplicative-weights steps at once.
#pragma once

#include <memory>

#include "core/domain.hpp"

namespace vibench {

class ProductDomain final : public Domain {
 public:
  // std::invalid_argument unless first_cols ≥ 1 and both factors are set.
  ProductDomain(std::shared_ptr<const Domain> first, Index first_cols,
                std::shared_ptr<const Domain> second);
  std::string name() const override;
  bool contains(const Matrix& z) const override;
  Matrix to_dual(const Matrix& z) const override;
  Matrix to_primal(const Matrix& eta) const override;
  Matrix hessian_times(const Matrix& z, const Matrix& v) const override;
  Matrix inverse_hessian_times(const Matrix& z, const Matrix& v) const override;
  // Block-diagonal ∇²ψ: the factors of the two blocks side by side.
  Matrix hessian_factor_times(const Matrix& z, const Matrix& v) const override;
  Vector log_det_inverse_hessian(const Matrix& z) const override;
  Matrix grad_log_det_inverse_hessian(const Matrix& z) const override;
  Matrix project(const Matrix& z) const override;

 private:
  // Applies f to each block and joins the results column-wise.
  template <class F>
  Matrix blockwise(const Matrix& z, F f) const;
  template <class F>
  Matrix blockwise(const Matrix& z, const Matrix& v, F f) const;
  std::shared_ptr<const Domain> first_, second_;
  Index first_cols_;
};

}  // namespace vibench
