// Small distributions defined in the tests themselves, independent of the
// registered targets, for checking algorithms and samplers on known answers.
#pragma once

#include "tasks/distribution.hpp"

namespace vibench::testing {

// N(μ, Σ), unnormalized: log π̃(x) = −½(x − μ)ᵀΣ⁻¹(x − μ).
class GaussianTarget final : public Distribution {
 public:
  GaussianTarget(Vector mean, const Matrix& cov)
      : mean_(std::move(mean)), precision_(cov.inverse()) {}
  Index dim() const override { return mean_.size(); }
  Capabilities capabilities() const override {
    return {Capability::hessian_vector};
  }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Matrix centred = x.rowwise() - mean_.transpose();
    grad = -centred * precision_;
    logp = 0.5 * (centred.array() * grad.array()).rowwise().sum();
  }
  Matrix log_prob_hessian_vector(const Matrix&,
                                 const Matrix& v) const override {
    return -v * precision_;
  }

 private:
  Vector mean_;
  Matrix precision_;
};

// The correlated 2-D Gaussian several samplers' tests run on: mean (1, −2),
// covariance [[1, 0.5], [0.5, 1.5]].
inline Vector correlated_mean() { return (Vector(2) << 1.0, -2.0).finished(); }
inline Matrix correlated_covariance() {
  return (Matrix(2, 2) << 1.0, 0.5, 0.5, 1.5).finished();
}

}  // namespace vibench::testing
