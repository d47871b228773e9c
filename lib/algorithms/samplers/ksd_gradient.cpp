#include "algorithms/samplers/ksd_gradient.hpp"

#include <cmath>

namespace vibench {

void KsdGradient::kernel_derivatives(double h) {
  const Index n = d2_.rows();
  k_.resize(n, n);
  g1_.resize(n, n);
  g2_.resize(n, n);
  g3_.resize(n, n);
  // g^(m)(r²) = f^(m)(u)/h^m with u = r²/h.
  const double h1 = 1.0 / h, h2 = h1 * h1, h3 = h2 * h1;
  if (config_.type == KernelType::rbf) {
    // f = e^{−u}: f′ = −f, f″ = f, f‴ = −f.
    k_.array() = (d2_.array() * -h1).exp();
    g1_.array() = k_.array() * -h1;
    g2_.array() = k_.array() * h2;
    g3_.array() = k_.array() * -h3;
  } else {
    // f = b^β with b = c² + u: f^(m) = β(β−1)…(β−m+1) b^{β−m}.
    const double beta = config_.imq_beta;
    const double c2 = config_.imq_c * config_.imq_c;
    const auto base = (d2_.array() * h1 + c2).eval();
    k_.array() = base.pow(beta);
    g1_.array() = k_.array() / base * (beta * h1);
    g2_.array() = g1_.array() / base * ((beta - 1.0) * h1);
    g3_.array() = g2_.array() / base * ((beta - 2.0) * h1);
  }
}

double KsdGradient::compute(const Matrix& x, const Matrix& score,
                            const HessianTimes& hessian_times, Matrix& grad) {
  const Index n = x.rows();
  const Index d = x.cols();
  const double dd = static_cast<double>(d);

  // Squared distances through one product plus norms (as stein_kernel.cpp).
  sq_norms_ = x.rowwise().squaredNorm();
  d2_.resize(n, n);
  d2_.noalias() = -2.0 * x * x.transpose();
  d2_.colwise() += sq_norms_;
  d2_.rowwise() += sq_norms_.transpose();
  d2_ = d2_.cwiseMax(0.0);
  d2_.diagonal().setZero();
  bandwidth_ = config_.rule == BandwidthRule::fixed
                   ? config_.fixed_bandwidth
                   : median_bandwidth(d2_, median_scratch_, config_.rule);
  kernel_derivatives(bandwidth_);

  // sx_(i, j) = s_i·x_j; its diagonal is s_i·x_i.
  sx_.resize(n, n);
  sx_.noalias() = score * x.transpose();
  const Vector sx_diag = sx_.diagonal();

  // ∇_X applied to a coefficient matrix C: row i of Σ_j C_ij (x_i − x_j).
  const auto apply = [&](const Matrix& c) -> Matrix {
    return (x.array().colwise() * c.rowwise().sum().array()).matrix() - c * x;
  };

  // a_i = Σ_j [k_ij s_j − 2g′_ij (x_i − x_j)]: what H(x_i) multiplies.
  const Matrix a = k_ * score - 2.0 * apply(g1_);
  const Matrix hessian_part = hessian_times(a);

  // s_iᵀs_j, then the value and the pairwise coefficient of the gradient.
  coeff_.resize(n, n);
  coeff_.noalias() = score * score.transpose();
  // Stein kernel k_p(x_i, x_j), summed:
  //   k (s_iᵀs_j) − 2g′ s_iᵀu + 2g′ s_jᵀu − 2d g′ − 4g″r²
  // with s_iᵀu = s_i·x_i − s_i·x_j and s_jᵀu = s_j·x_i − s_j·x_j.
  si_u_ = (-sx_).colwise() + sx_diag;
  sj_u_ = sx_.transpose().rowwise() - sx_diag.transpose();
  const Matrix& si_u = si_u_;
  const Matrix& sj_u = sj_u_;
  const double value =
      (k_.array() * coeff_.array() - 2.0 * g1_.array() * si_u.array() +
       2.0 * g1_.array() * sj_u.array() - 2.0 * dd * g1_.array() -
       4.0 * g2_.array() * d2_.array())
          .sum() /
      static_cast<double>(n * n);

  coeff_.array() =
      2.0 * g1_.array() * coeff_.array() - 4.0 * g2_.array() * si_u.array() +
      4.0 * g2_.array() * sj_u.array() - (4.0 * dd + 8.0) * g2_.array() -
      8.0 * g3_.array() * d2_.array();

  grad = hessian_part + apply(coeff_) + 2.0 * (g1_ * score) -
         2.0 * (score.array().colwise() * g1_.rowwise().sum().array()).matrix();
  grad *= 2.0 / static_cast<double>(n * n);
  return value;
}

}  // namespace vibench
