#include "algorithms/samplers/mirrored_stein.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

namespace vibench {

Metric mirror_metric(const Domain& domain, const Matrix& theta) {
  Metric m;
  m.times = [&domain, &theta](const Matrix& v) {
    return domain.hessian_times(theta, v);
  };
  m.inverse_times = [&domain, &theta](const Matrix& v) {
    return domain.inverse_hessian_times(theta, v);
  };
  return m;
}

namespace {

// F_ij = f′(u_ij) of the configured kernel (∇_{θ_i} k(θ_i, θ_j) =
// (2/h) F_ij (θ_i − θ_j)); for rbf f′ = −f.
Matrix kernel_derivative(const SteinDirection& kernel) {
  return kernel.config().type == KernelType::rbf ? Matrix(-kernel.kernel())
                                                 : kernel.derivative();
}

}  // namespace

double MsvgdDirection::compute(const Matrix& theta, const Matrix& dual_score,
                               const Metric& metric, Matrix& direction) {
  const Index n = theta.rows();
  const double h = kernel_.compute_kernel(theta);
  const Matrix& k = kernel_.kernel();
  direction.noalias() = k * dual_score;
  // Repulsion Σ_i G_i⁻¹ ∇_{θ_i} k(θ_i, θ_j): G_i⁻¹ differs per particle, so
  // for each j one batched product over i (O(n²d) in all, as the kernel).
  weights_ = kernel_derivative(kernel_) * (2.0 / h);
  Matrix pulls(n, theta.cols());
  for (Index j = 0; j < n; ++j) {
    pulls = (theta.rowwise() - theta.row(j)).array().colwise() *
            weights_.col(j).array();
    direction.row(j) += metric.inverse_times(pulls).colwise().sum();
  }
  direction /= static_cast<double>(n);
  return h;
}

double SvmdDirection::compute(const Matrix& theta, const Matrix& dual_score,
                              const Metric& metric, Matrix& direction) {
  const Index n = theta.rows();
  const Index d = theta.cols();
  const double nd = static_cast<double>(n);
  const double h = kernel_.compute_kernel(theta);
  const Matrix gram = kernel_.kernel() + jitter_ * Matrix::Identity(n, n);
  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(gram);
  // Eigenvalues ascend: keep the largest that cover `threshold_` of the
  // trace (the count whose cumulative share stays below it, plus one).
  const Vector& all = eigen.eigenvalues();
  const double trace = all.sum();
  Index rank = 0;
  double covered = 0.0;
  for (Index j = n - 1; j >= 0; --j) {
    covered += all(j) / trace;
    ++rank;
    if (!(covered < threshold_)) break;
  }
  rank_ = rank;
  const Vector lambda = all.tail(rank);
  const Matrix e = eigen.eigenvectors().rightCols(rank);
  const Matrix u = std::sqrt(nd) * e;  // u_j(θ_m) = √n e_mj
  const Vector sqrt_mu = (lambda / nd).cwiseSqrt();

  // a_j: the score part, then the Nyström gradient part, one eigenfunction
  // at a time: ∇u_j(θ_l) = (√n/λ_j)(2/h)[θ_l (F e_j)_l − (F (e_j ∘ Θ))_l].
  Matrix a = u.transpose() * dual_score;  // r×d
  const Matrix f = kernel_derivative(kernel_);
  const Matrix fe = f * e;  // n×r
  Matrix grad_u(n, d);
  for (Index j = 0; j < rank; ++j) {
    grad_u = (theta.array().colwise() * fe.col(j).array()).matrix() -
             f * (theta.array().colwise() * e.col(j).array()).matrix();
    grad_u *= std::sqrt(nd) / lambda(j) * (2.0 / h);
    a.row(j) += metric.inverse_times(grad_u).colwise().sum();
  }
  const Matrix u_weighted = u * sqrt_mu.asDiagonal();  // u_j(θ_m)√μ_j
  const Matrix c = u_weighted * a;                     // n×d
  const Matrix gc = metric.times(c);                   // G_m c_m
  direction.noalias() = u_weighted * (u.transpose() * gc);
  direction /= nd * nd;
  return h;
}

}  // namespace vibench
