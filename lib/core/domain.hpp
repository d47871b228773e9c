// Domains and their mirror maps: one concept, shared by mirrored samplers,
// mirror descent and mirror prox. All functions are batched (one point per
// row).
//
// Every mirror map here is of Legendre type: ∇ψ maps the open domain onto
// all of ℝ^d, so a sampler that moves in dual coordinates η = ∇ψ(x) never
// leaves the domain, and ∇²ψ*(η) = (∇²ψ(x))⁻¹ at x = ∇ψ*(η).
//
// Precision at the boundary: ∇ψ∘∇ψ* is the identity only where the primal
// point is representable. A dual coordinate of magnitude ~40 or more puts a
// box or simplex point closer to a face than double precision resolves
// relative to the opposite bound, and to_primal then returns the nearest
// representable point strictly inside (for the simplex: Σθ < 1 and θ > 0 as
// contains() computes them), so that a sampler moving in dual coordinates
// never produces a point that contains() rejects. The orthant has no such
// limit (e^{±700} is a double).
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
  // Row i of the result is ∇²ψ(x_i) v_i.
  virtual Matrix hessian_times(const Matrix& x, const Matrix& v) const = 0;
  // Row i of the result is (∇²ψ(x_i))⁻¹ v_i.
  virtual Matrix inverse_hessian_times(const Matrix& x,
                                       const Matrix& v) const = 0;
  // Row i of the result is B(x_i) v_i for a square factor B(x) with
  // B Bᵀ = ∇²ψ(x) (not necessarily the symmetric root), so that rows of
  // standard normal v give N(0, ∇²ψ(x_i)) rows: the noise of the
  // mirror-Langevin algorithm (Ahn & Chewi 2021), whose diffusion moves the
  // dual point with covariance ∇²ψ. Finite wherever x is strictly inside.
  virtual Matrix hessian_factor_times(const Matrix& x,
                                      const Matrix& v) const = 0;
  // log det ∇²ψ*(η) = −log det ∇²ψ(x) at x = ∇ψ*(η): the log Jacobian of
  // the map η ↦ x, so a density π on the primal domain has the density
  // π(∇ψ*(η)) · det ∇²ψ*(η) in dual coordinates.
  virtual Vector log_det_inverse_hessian(const Matrix& x) const = 0;
  // ∇_η log det ∇²ψ*(η) expressed at the primal point x = ∇ψ*(η). It equals
  // the column divergence of (∇²ψ(x))⁻¹ with respect to the primal x,
  // Σ_j ∂_{x_j} [(∇²ψ)⁻¹]_{kj} (tested), the term of the mirrored Stein
  // operator; not the divergence with respect to η.
  virtual Matrix grad_log_det_inverse_hessian(const Matrix& x) const = 0;
  // The Euclidean projection of each row onto the closure of the domain (for
  // projected samplers). Rows already inside are returned unchanged.
  virtual Matrix project(const Matrix& x) const = 0;

  // The density of η = ∇ψ(x) when x has the density π (Shi, Liu & Mackey
  // 2022, §3): on entry logp and grad are log π and ∇_x log π at the rows of
  // x; on exit they are log p_H(η) = log π(x) + log det ∇²ψ*(η) and
  // ∇_η log p_H = (∇²ψ(x))⁻¹ ∇_x log π(x) + ∇_η log det ∇²ψ*(η).
  void to_dual_density(const Matrix& x, Vector& logp, Matrix& grad) const;
};

// ℝ^d with ψ = ½‖x‖²: every map is the identity.
class RealsDomain final : public Domain {
 public:
  std::string name() const override { return "reals"; }
  bool contains(const Matrix& x) const override;
  Matrix to_dual(const Matrix& x) const override { return x; }
  Matrix to_primal(const Matrix& eta) const override { return eta; }
  Matrix hessian_times(const Matrix&, const Matrix& v) const override {
    return v;
  }
  Matrix inverse_hessian_times(const Matrix&, const Matrix& v) const override {
    return v;
  }
  Matrix hessian_factor_times(const Matrix&, const Matrix& v) const override {
    return v;
  }
  Vector log_det_inverse_hessian(const Matrix& x) const override {
    return Vector::Zero(x.rows());
  }
  Matrix grad_log_det_inverse_hessian(const Matrix& x) const override {
    return Matrix::Zero(x.rows(), x.cols());
  }
  Matrix project(const Matrix& x) const override { return x; }
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
  // ∇²ψ = diag(1/θ) + 11ᵀ/θ_{d+1}: v/θ + (Σv)/θ_{d+1}.
  Matrix hessian_times(const Matrix& x, const Matrix& v) const override;
  // (diag(θ) − θθᵀ) v.
  Matrix inverse_hessian_times(const Matrix& x, const Matrix& v) const override;
  // B = diag(θ)^{−1/2} + β 1 √θᵀ with β = 1/(√θ_{d+1}(1 + √θ_{d+1})):
  // B v = v/√θ + β (√θ·v) 1. With D = diag(1/θ), B = D^{1/2}(I + β w wᵀ) for
  // w = √θ, and (I + β w wᵀ)² = I + (2β + β²Σθ) w wᵀ = I + w wᵀ/θ_{d+1}, so
  // B Bᵀ = D + 11ᵀ/θ_{d+1} = ∇²ψ; every term is positive, so no cancellation
  // next to a face.
  Matrix hessian_factor_times(const Matrix& x, const Matrix& v) const override;
  // det(diag θ − θθᵀ) = Π_{i≤d} θ_i · (1 − Σθ) (matrix determinant lemma):
  // Σ_{i≤d+1} log θ_i.
  Vector log_det_inverse_hessian(const Matrix& x) const override;
  // 1 − (d+1)θ.
  Matrix grad_log_det_inverse_hessian(const Matrix& x) const override;
  // The projection of (θ, 1 − Σθ) onto the probability simplex of ℝ^{d+1}
  // (sort-based, O(d log d)), keeping the first d coordinates: Euclidean in
  // the (d+1)-dimensional embedding, as the projected SVGD baseline of Shi
  // et al. (2022) does, not in the d stored coordinates.
  Matrix project(const Matrix& x) const override;
};

// The positive orthant x > 0 with ψ = Σ x log x − x.
class OrthantDomain final : public Domain {
 public:
  std::string name() const override { return "orthant"; }
  bool contains(const Matrix& x) const override;
  // log x.
  Matrix to_dual(const Matrix& x) const override;
  // e^η.
  Matrix to_primal(const Matrix& eta) const override;
  // v / x.
  Matrix hessian_times(const Matrix& x, const Matrix& v) const override;
  // x ⊙ v.
  Matrix inverse_hessian_times(const Matrix& x, const Matrix& v) const override;
  // v / √x.
  Matrix hessian_factor_times(const Matrix& x, const Matrix& v) const override;
  // Σ log x (= Σ η).
  Vector log_det_inverse_hessian(const Matrix& x) const override;
  // 1.
  Matrix grad_log_det_inverse_hessian(const Matrix& x) const override;
  // max(x, 0).
  Matrix project(const Matrix& x) const override;
};

// The box a < x < b (per-coordinate finite bounds a_i < b_i) with the
// entropic map ψ(x) = Σ_i (x_i − a_i) log(x_i − a_i) + (b_i − x_i)
// log(b_i − x_i); on [−1, 1]^d this is the map of Shi et al.'s cube code.
// Every formula is computed from the two gaps x − a and b − x, each of
// which is accurate next to its own face.
class BoxDomain final : public Domain {
 public:
  // std::invalid_argument unless the bounds are finite, of equal length
  // and a_i < b_i.
  BoxDomain(Vector lower, Vector upper);
  std::string name() const override { return "box"; }
  const Vector& lower() const { return lower_; }
  const Vector& upper() const { return upper_; }
  bool contains(const Matrix& x) const override;
  // log(x − a) − log(b − x).
  Matrix to_dual(const Matrix& x) const override;
  // a + (b − a)·logistic(η), written as b − (b − a)·logistic(−η) for η > 0
  // so that the gap to the nearer face keeps its relative precision; on
  // [−1, 1] this is tanh(η/2).
  Matrix to_primal(const Matrix& eta) const override;
  // (b − a) / ((x − a)(b − x)) ⊙ v.
  Matrix hessian_times(const Matrix& x, const Matrix& v) const override;
  // (x − a)(b − x) / (b − a) ⊙ v; on [−1, 1]: (1 − x²)/2.
  Matrix inverse_hessian_times(const Matrix& x, const Matrix& v) const override;
  // √(b − a) / (√(x − a) √(b − x)) ⊙ v: the square roots are taken before
  // the quotient, so that a gap as small as the smallest double inside
  // (1/gap overflows) still gives a finite factor.
  Matrix hessian_factor_times(const Matrix& x, const Matrix& v) const override;
  // Σ log(x − a) + log(b − x) − log(b − a).
  Vector log_det_inverse_hessian(const Matrix& x) const override;
  // ((b − x) − (x − a)) / (b − a); on [−1, 1]: −x.
  Matrix grad_log_det_inverse_hessian(const Matrix& x) const override;
  // Coordinate-wise clamp to [a, b].
  Matrix project(const Matrix& x) const override;

 private:
  // std::invalid_argument unless x has one column per bound.
  void check_width(const Matrix& x, const char* what) const;
  Vector lower_, upper_, width_;
};

std::shared_ptr<const Domain> reals_domain();
std::shared_ptr<const Domain> simplex_domain();
std::shared_ptr<const Domain> orthant_domain();
std::shared_ptr<const Domain> box_domain(Vector lower, Vector upper);

}  // namespace vibench
