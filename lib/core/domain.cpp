#include "core/domain.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

namespace vibench {

void Domain::to_dual_density(const Matrix& x, Vector& logp,
                             Matrix& grad) const {
  logp += log_det_inverse_hessian(x);
  grad = inverse_hessian_times(x, grad) + grad_log_det_inverse_hessian(x);
}

bool RealsDomain::contains(const Matrix& x) const { return x.allFinite(); }

// --- simplex ---------------------------------------------------------------

namespace {
// θ_{d+1} = 1 − Σθ of each row, summed left to right whatever the shape of
// x: Eigen vectorizes the reduction of a lone row differently from the
// row sums of a matrix, and at a face, where θ_{d+1} is below the rounding
// of the sum, the order decides its sign, so that a row could be inside on
// its own and outside within its matrix.
Eigen::ArrayXd last_coordinate(const Matrix& x) {
  Eigen::ArrayXd out(x.rows());
  for (Index i = 0; i < x.rows(); ++i) {
    double sum = 0.0;
    for (Index j = 0; j < x.cols(); ++j) sum += x(i, j);
    out(i) = 1.0 - sum;
  }
  return out;
}

// The relative pull toward the centre that makes Σθ < 1 representable: one
// ulp of 1.
constexpr double kPullIn = std::numeric_limits<double>::epsilon();
}  // namespace

bool SimplexDomain::contains(const Matrix& x) const {
  if (!x.allFinite()) return false;
  return (x.array() > 0).all() && (last_coordinate(x) > 0).all();
}

Matrix SimplexDomain::to_dual(const Matrix& x) const {
  return (x.array().log().colwise() - last_coordinate(x).log()).matrix();
}

Matrix SimplexDomain::to_primal(const Matrix& eta) const {
  // max over the d dual coordinates and the implicit 0 of the last one.
  const Vector shift = eta.rowwise().maxCoeff().cwiseMax(0.0);
  const Matrix e = (eta.colwise() - shift).array().exp().matrix();
  const Vector denom =
      (e.rowwise().sum().array() + (-shift.array()).exp()).matrix();
  Matrix theta = (e.array().colwise() / denom.array()).matrix();
  // Keep every finite dual strictly inside: a coordinate that underflows is
  // lifted to the smallest normal double, and a point whose last coordinate
  // is below the rounding of Σθ is scaled toward 0 by an ulp at a time (the
  // point moves by ~1e-16; samplers keep η, so nothing accumulates).
  if (theta.allFinite()) {
    theta = theta.cwiseMax(std::numeric_limits<double>::min());
    Eigen::ArrayXd last = last_coordinate(theta);
    for (Index i = 0; i < theta.rows(); ++i) {
      while (!(last(i) > 0.0)) {
        theta.row(i) *= 1.0 - 2.0 * kPullIn;
        last(i) = last_coordinate(theta.row(i))(0);
      }
    }
  }
  return theta;
}

Matrix SimplexDomain::hessian_times(const Matrix& x, const Matrix& v) const {
  const Eigen::ArrayXd sum_over_last =
      v.rowwise().sum().array() / last_coordinate(x);
  return (v.array() / x.array()).colwise() + sum_over_last;
}

Matrix SimplexDomain::inverse_hessian_times(const Matrix& x,
                                            const Matrix& v) const {
  const Vector dot = (x.array() * v.array()).rowwise().sum().matrix();
  return (x.array() * v.array() - x.array().colwise() * dot.array()).matrix();
}

Matrix SimplexDomain::hessian_factor_times(const Matrix& x,
                                           const Matrix& v) const {
  const Eigen::ArrayXXd root = x.array().sqrt();
  const Eigen::ArrayXd last_root = last_coordinate(x).sqrt();
  const Eigen::ArrayXd beta = 1.0 / (last_root * (1.0 + last_root));
  const Eigen::ArrayXd along = beta * (root * v.array()).rowwise().sum();
  return ((v.array() / root).colwise() + along).matrix();
}

Vector SimplexDomain::log_det_inverse_hessian(const Matrix& x) const {
  return (x.array().log().rowwise().sum() + last_coordinate(x).log()).matrix();
}

Matrix SimplexDomain::grad_log_det_inverse_hessian(const Matrix& x) const {
  return (1.0 - static_cast<double>(x.cols() + 1) * x.array()).matrix();
}

Matrix SimplexDomain::project(const Matrix& x) const {
  const Index d = x.cols();
  Matrix out(x.rows(), d);
  Vector y(d + 1), sorted(d + 1);
  for (Index i = 0; i < x.rows(); ++i) {
    y.head(d) = x.row(i).transpose();
    y(d) = 1.0 - x.row(i).sum();
    // Held & Wolfe / Duchi et al.: with u sorted in decreasing order, the
    // threshold τ = (Σ_{k≤ρ} u_k − 1)/ρ for the largest ρ such that
    // u_ρ > (Σ_{k≤ρ} u_k − 1)/ρ; the projection is max(y − τ, 0).
    sorted = y;
    std::sort(sorted.data(), sorted.data() + d + 1, std::greater<double>());
    double cumulative = 0.0, tau = 0.0;
    for (Index k = 0; k <= d; ++k) {
      cumulative += sorted(k);
      const double candidate = (cumulative - 1.0) / static_cast<double>(k + 1);
      if (sorted(k) > candidate) tau = candidate;
    }
    out.row(i) = (y.head(d).array() - tau).cwiseMax(0.0).matrix().transpose();
  }
  return out;
}

// --- orthant ---------------------------------------------------------------

bool OrthantDomain::contains(const Matrix& x) const {
  return x.allFinite() && (x.array() > 0).all();
}
Matrix OrthantDomain::to_dual(const Matrix& x) const {
  return x.array().log().matrix();
}
Matrix OrthantDomain::to_primal(const Matrix& eta) const {
  return eta.array().exp().matrix();
}
Matrix OrthantDomain::hessian_times(const Matrix& x, const Matrix& v) const {
  return (v.array() / x.array()).matrix();
}
Matrix OrthantDomain::inverse_hessian_times(const Matrix& x,
                                            const Matrix& v) const {
  return (x.array() * v.array()).matrix();
}
Matrix OrthantDomain::hessian_factor_times(const Matrix& x,
                                           const Matrix& v) const {
  return (v.array() / x.array().sqrt()).matrix();
}
Vector OrthantDomain::log_det_inverse_hessian(const Matrix& x) const {
  return x.array().log().rowwise().sum().matrix();
}
Matrix OrthantDomain::grad_log_det_inverse_hessian(const Matrix& x) const {
  return Matrix::Ones(x.rows(), x.cols());
}
Matrix OrthantDomain::project(const Matrix& x) const { return x.cwiseMax(0.0); }

// --- box -------------------------------------------------------------------

BoxDomain::BoxDomain(Vector lower, Vector upper)
    : lower_(std::move(lower)), upper_(std::move(upper)) {
  if (lower_.size() != upper_.size() || lower_.size() == 0)
    throw std::invalid_argument(
        "box domain: lower and upper bounds must be non-empty and of equal "
        "length");
  if (!lower_.allFinite() || !upper_.allFinite())
    throw std::invalid_argument("box domain: bounds must be finite");
  for (Index j = 0; j < lower_.size(); ++j)
    if (!(lower_(j) < upper_(j)))
      throw std::invalid_argument("box domain: lower bound " +
                                  std::to_string(j) +
                                  " is not below the upper bound");
  width_ = upper_ - lower_;
}

void BoxDomain::check_width(const Matrix& x, const char* what) const {
  if (x.cols() != lower_.size())
    throw std::invalid_argument(std::string("box domain: ") + what + " needs " +
                                std::to_string(lower_.size()) +
                                " columns, got " + std::to_string(x.cols()));
}

namespace {
// x − a and b − x, row by row.
Eigen::ArrayXXd gap_below(const Matrix& x, const Vector& lower) {
  return (x.rowwise() - lower.transpose()).array();
}
Eigen::ArrayXXd gap_above(const Matrix& x, const Vector& upper) {
  return (-(x.rowwise() - upper.transpose())).array();
}
}  // namespace

bool BoxDomain::contains(const Matrix& x) const {
  if (x.cols() != lower_.size() || !x.allFinite()) return false;
  return (gap_below(x, lower_) > 0).all() && (gap_above(x, upper_) > 0).all();
}

Matrix BoxDomain::to_dual(const Matrix& x) const {
  check_width(x, "to_dual");
  return (gap_below(x, lower_).log() - gap_above(x, upper_).log()).matrix();
}

Matrix BoxDomain::to_primal(const Matrix& eta) const {
  check_width(eta, "to_primal");
  Matrix x(eta.rows(), eta.cols());
  for (Index i = 0; i < eta.rows(); ++i)
    for (Index j = 0; j < eta.cols(); ++j) {
      const double e = eta(i, j);
      // logistic(e) = 1/(1 + e^{−e}); the exponential's argument is never
      // positive, so it cannot overflow.
      if (e <= 0) {
        const double t = std::exp(e);
        x(i, j) = lower_(j) + width_(j) * (t / (1.0 + t));
      } else {
        const double t = std::exp(-e);
        x(i, j) = upper_(j) - width_(j) * (t / (1.0 + t));
      }
      // Where the gap to a face is below the bound's rounding, the nearest
      // double inside, so that every finite dual maps strictly inside.
      x(i, j) = std::clamp(x(i, j), std::nextafter(lower_(j), upper_(j)),
                           std::nextafter(upper_(j), lower_(j)));
    }
  return x;
}

Matrix BoxDomain::hessian_times(const Matrix& x, const Matrix& v) const {
  check_width(x, "hessian_times");
  const Eigen::ArrayXXd curvature =
      (gap_below(x, lower_) * gap_above(x, upper_)).inverse().rowwise() *
      width_.transpose().array();
  return (curvature * v.array()).matrix();
}

Matrix BoxDomain::inverse_hessian_times(const Matrix& x,
                                        const Matrix& v) const {
  check_width(x, "inverse_hessian_times");
  const Eigen::ArrayXXd scale =
      (gap_below(x, lower_) * gap_above(x, upper_)).rowwise() /
      width_.transpose().array();
  return (scale * v.array()).matrix();
}

Matrix BoxDomain::hessian_factor_times(const Matrix& x, const Matrix& v) const {
  check_width(x, "hessian_factor_times");
  const Eigen::ArrayXXd scale =
      (gap_below(x, lower_).sqrt() * gap_above(x, upper_).sqrt())
          .inverse()
          .rowwise() *
      width_.transpose().array().sqrt();
  return (scale * v.array()).matrix();
}

Vector BoxDomain::log_det_inverse_hessian(const Matrix& x) const {
  check_width(x, "log_det_inverse_hessian");
  return ((gap_below(x, lower_).log() + gap_above(x, upper_).log())
              .rowwise()
              .sum() -
          width_.array().log().sum())
      .matrix();
}

Matrix BoxDomain::grad_log_det_inverse_hessian(const Matrix& x) const {
  check_width(x, "grad_log_det_inverse_hessian");
  return ((gap_above(x, upper_) - gap_below(x, lower_)).rowwise() /
          width_.transpose().array())
      .matrix();
}

Matrix BoxDomain::project(const Matrix& x) const {
  check_width(x, "project");
  const Index n = x.rows();
  return x.cwiseMax(lower_.transpose().replicate(n, 1))
      .cwiseMin(upper_.transpose().replicate(n, 1));
}

// --- factories -------------------------------------------------------------

std::shared_ptr<const Domain> reals_domain() {
  static const auto domain = std::make_shared<const RealsDomain>();
  return domain;
}
std::shared_ptr<const Domain> simplex_domain() {
  static const auto domain = std::make_shared<const SimplexDomain>();
  return domain;
}
std::shared_ptr<const Domain> orthant_domain() {
  static const auto domain = std::make_shared<const OrthantDomain>();
  return domain;
}
std::shared_ptr<const Domain> box_domain(Vector lower, Vector upper) {
  return std::make_shared<const BoxDomain>(std::move(lower), std::move(upper));
}

}  // namespace vibench
