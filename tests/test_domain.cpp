// Domains and mirror maps against their definitions and finite differences.
#include <doctest/doctest.h>

#include "core/domain.hpp"
#include "core/rng.hpp"

using namespace vibench;

namespace {
// Random interior points of the simplex with d free coordinates.
Matrix simplex_points(Index n, Index d, Rng& rng) {
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    Vector e(d + 1);
    for (Index j = 0; j <= d; ++j) e(j) = -std::log(rng.uniform() + 1e-12);
    e /= e.sum();
    x.row(i) = e.head(d).transpose();
  }
  return x;
}
}  // namespace

TEST_CASE("domain: simplex mirror map round trip and boundary stability") {
  const SimplexDomain simplex;
  Rng rng = make_rng(1);
  const Matrix x = simplex_points(20, 4, rng);
  CHECK(simplex.contains(x));
  CHECK((simplex.to_primal(simplex.to_dual(x)) - x).cwiseAbs().maxCoeff() <
        1e-12);
  // Large dual coordinates stay finite and inside (log-sum-exp).
  Matrix eta(2, 3);
  eta << 800, -800, 0, -900, -900, -900;
  const Matrix theta = simplex.to_primal(eta);
  CHECK(theta.allFinite());
  CHECK((theta.rowwise().sum().array() <= 1.0).all());
  CHECK(theta(0, 0) == doctest::Approx(1.0));
  CHECK_FALSE(simplex.contains(Matrix::Constant(1, 2, 0.6)));
}

TEST_CASE(
    "domain: simplex inverse Hessian and log-det gradient by finite "
    "differences") {
  const SimplexDomain simplex;
  Rng rng = make_rng(2);
  const Index d = 3;
  const Matrix x = simplex_points(5, d, rng);
  const Matrix v = rng.normal_matrix(5, d);
  const Matrix applied = simplex.inverse_hessian_times(x, v);
  const Matrix divergence = simplex.grad_log_det_inverse_hessian(x);
  const double h = 1e-6;
  for (Index i = 0; i < x.rows(); ++i) {
    // ∇²ψ* at η = ∇ψ(x) is (∇²ψ(x))⁻¹: the Jacobian of ∇ψ* by central
    // differences.
    const RowVector eta = simplex.to_dual(x.row(i));
    Matrix jacobian(d, d);
    for (Index j = 0; j < d; ++j) {
      RowVector up = eta, down = eta;
      up(j) += h;
      down(j) -= h;
      jacobian.col(j) =
          ((simplex.to_primal(up) - simplex.to_primal(down)) / (2 * h))
              .transpose();
    }
    const Vector expected = jacobian * v.row(i).transpose();
    CHECK((expected - applied.row(i).transpose()).norm() < 1e-6);
    // ∇_η log det ∇²ψ*(η) by finite differences of log det of that Jacobian.
    auto log_det_at = [&](const RowVector& e) {
      const RowVector t = simplex.to_primal(e);
      Matrix m = -t.transpose() * t;
      m.diagonal() += t.transpose();
      return std::log(m.determinant());
    };
    for (Index j = 0; j < d; ++j) {
      RowVector up = eta, down = eta;
      up(j) += h;
      down(j) -= h;
      CHECK((log_det_at(up) - log_det_at(down)) / (2 * h) ==
            doctest::Approx(divergence(i, j)).epsilon(1e-5));
    }
  }
}

TEST_CASE("domain: reals is the identity") {
  const RealsDomain reals;
  Rng rng = make_rng(3);
  const Matrix x = rng.normal_matrix(4, 3);
  CHECK(reals.to_dual(x) == x);
  CHECK(reals.to_primal(x) == x);
  CHECK(reals.inverse_hessian_times(x, 2 * x) == 2 * x);
  CHECK(reals.grad_log_det_inverse_hessian(x).isZero());
}
