// Domains and their mirror maps: one concept, shared by mirrored samplers,
// mirror descent and mirror prox. All functions are batched (one point per
// row).
#pragma once

#include <memory>
#include <string>

#include "core/types.hpp"

namespace vibench {

class Domain {
 public:
  virtual ~Domain() = default;
  virtual std::string name() const = 0;
  // True when every row lies in the domain (strictly inside for open sets).
  virtual bool contains(const Matrix& x) const = 0;
  // ∇ψ: primal → dual coordinates.
  virtual Matrix to_dual(const Matrix& x) const = 0;
  // ∇ψ*: dual → primal coordinates.
  virtual Matrix to_primal(const Matrix& eta) const = 0;
  // Row i of the result is (∇²ψ(x_i))⁻¹ v_i.
  virtual Matrix inverse_hessian_times(const Matrix& x,
                                       const Matrix& v) const = 0;
  // ∇_η log det ∇²ψ*(η) expressed at the primal point x = ∇ψ*(η).
  virtual Matrix grad_log_det_inverse_hessian(const Matrix& x) const = 0;
};

// ℝ^d with ψ = ½‖x‖²: every map is the identity.
class RealsDomain final : public Domain {
 public:
  std::string name() const override { return "reals"; }
  bool contains(const Matrix& x) const override;
  Matrix to_dual(const Matrix& x) const override { return x; }
  Matrix to_primal(const Matrix& eta) const override { return eta; }
  Matrix inverse_hessian_times(const Matrix&, const Matrix& v) const override {
    return v;
  }
  Matrix grad_log_det_inverse_hessian(const Matrix& x) const override {
    return Matrix::Zero(x.rows(), x.cols());
  }
};

// The probability simplex in ℝ^{d+1}, stored as its first d coordinates θ
// (θ_i > 0, Σθ < 1; θ_{d+1} = 1 − Σθ), with the entropic mirror map
// ψ(θ) = Σ_{i≤d+1} θ_i log θ_i.
class SimplexDomain final : public Domain {
 public:
  std::string name() const override { return "simplex"; }
  bool contains(const Matrix& x) const override;
  // η_i = log θ_i − log θ_{d+1}.
  Matrix to_dual(const Matrix& x) const override;
  // θ = softmax([η, 0])_{1:d}, computed with log-sum-exp for stability.
  Matrix to_primal(const Matrix& eta) const override;
  // (diag(θ) − θθᵀ) v.
  Matrix inverse_hessian_times(const Matrix& x, const Matrix& v) const override;
  // 1 − (d+1)θ.
  Matrix grad_log_det_inverse_hessian(const Matrix& x) const override;
};

std::shared_ptr<const Domain> reals_domain();
std::shared_ptr<const Domain> simplex_domain();

}  // namespace vibench
