// Domains and mirror maps against their definitions and finite differences:
// every map of every domain (reals, simplex, orthant, box) is checked by the
// same generic tests, plus closed forms from Shi, Liu & Mackey (2022).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/domain.hpp"
#include "core/product_domain.hpp"
#include "core/rng.hpp"

using namespace vibench;

namespace {

constexpr double kStep = 1e-6;         // central differences in η
constexpr double kFdTolerance = 1e-6;  // relative, for O(h²) differences
// Primal steps are kStep times the coordinate, but at least kStep times this.
constexpr double kSmallestScale = 1e-3;

// A domain with a sampler of interior points and hand-picked points within
// 1e-8 of its boundary.
struct DomainCase {
  std::string label;
  std::shared_ptr<const Domain> domain;
  Index dim;
  std::function<Matrix(Index, Rng&)> interior;
  Matrix near_boundary;
  // Per coordinate, the magnitude of the bounds that primal points are
  // computed from (0 when coordinates are computed relative to themselves).
  Vector bound_scale;
};

const Vector kBoxLower = (Vector(3) << -1.0, 0.0, 2.5).finished();
const Vector kBoxUpper = (Vector(3) << 1.0, 1e-3, 10.0).finished();

std::vector<DomainCase> domain_cases() {
  std::vector<DomainCase> out;
  {
    Matrix edge(1, 3);
    edge << 1e3, -1e3, 0.0;
    out.push_back({"reals", reals_domain(), 3,
                   [](Index n, Rng& rng) { return rng.normal_matrix(n, 3); },
                   edge, Vector::Zero(3)});
  }
  {
    Matrix edge(3, 4);
    edge << 0.5, 0.2, 0.2, 0.1 - 1e-8,  // θ_5 = 1e-8
        1e-9, 0.3, 0.3, 0.3,            // θ_1 = 1e-9
        1e-8, 1e-8, 1e-8, 0.5;          // three coordinates near a face
    out.push_back(
        {"simplex", simplex_domain(), 4,
         [](Index n, Rng& rng) {
           return Matrix(
               dirichlet_draws(rng, n, Vector::Constant(5, 2.0)).leftCols(4));
         },
         edge, Vector::Zero(4)});
  }
  {
    Matrix edge(2, 3);
    edge << 1e-9, 1.0, 5e-9, 1e-300, 1e300, 3.0;
    out.push_back({"orthant", orthant_domain(), 3,
                   [](Index n, Rng& rng) {
                     return Matrix(rng.normal_matrix(n, 3).array().exp());
                   },
                   edge, Vector::Zero(3)});
  }
  {
    const Vector width = kBoxUpper - kBoxLower;
    Matrix edge(2, 3);
    edge.row(0) = (kBoxLower + 1e-9 * width).transpose();
    edge.row(1) = (kBoxUpper - 1e-9 * width).transpose();
    out.push_back({"box", box_domain(kBoxLower, kBoxUpper), 3,
                   [width](Index n, Rng& rng) {
                     Matrix u(n, 3);
                     for (Index i = 0; i < n; ++i)
                       for (Index j = 0; j < 3; ++j)
                         u(i, j) = kBoxLower(j) +
                                   width(j) * (0.05 + 0.9 * rng.uniform());
                     return u;
                   },
                   edge, kBoxLower.cwiseAbs().cwiseMax(kBoxUpper.cwiseAbs())});
  }
  return out;
}

// Jacobian of the map f: ℝ^d → ℝ^d at the row vector `at`, by central
// differences with step h_j along coordinate j: column j is ∂f/∂z_j.
Matrix jacobian(const std::function<Matrix(const Matrix&)>& f,
                const RowVector& at, const RowVector& h) {
  const Index d = at.size();
  Matrix out(d, d);
  for (Index j = 0; j < d; ++j) {
    RowVector up = at, down = at;
    up(j) += h(j);
    down(j) -= h(j);
    out.col(j) = ((f(up) - f(down)) / (2.0 * h(j))).transpose();
  }
  return out;
}

double relative_error(const Matrix& estimate, const Matrix& truth) {
  return (estimate - truth).norm() / (1.0 + truth.norm());
}

}  // namespace

TEST_CASE("domain: mirror maps invert each other, also next to the boundary") {
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    Rng rng = make_rng(hash_string("round trip " + c.label));
    Matrix x(20 + c.near_boundary.rows(), c.dim);
    x << c.interior(20, rng), c.near_boundary;
    REQUIRE(dom.contains(x));
    // ∇ψ*∘∇ψ = id to a few ulps of each coordinate, relative to the
    // coordinate itself (gaps of 1e-9 included): the dual coordinate is
    // known to ε·|η| absolutely, which exp turns into a relative error. A
    // box point is a + gap or b − gap, so its ulp is at least the bound's.
    const Matrix dual = dom.to_dual(x);
    const Matrix back = dom.to_primal(dual);
    for (Index i = 0; i < x.rows(); ++i)
      for (Index j = 0; j < c.dim; ++j) {
        INFO("x = " << x.row(i) << ", back " << back.row(i));
        CHECK(std::abs(back(i, j) - x(i, j)) <=
              4 * std::numeric_limits<double>::epsilon() *
                  (2.0 + std::abs(dual(i, j))) *
                  std::max(std::abs(x(i, j)), c.bound_scale(j)));
      }
    // ∇ψ∘∇ψ* = id for moderate duals. (For large duals the primal point is
    // e^{-|η|} from a face and only representable to ε relative to the
    // bound, so the round trip loses ε·e^{|η|}; see domain.hpp.)
    const Matrix eta = 2.0 * rng.normal_matrix(20, c.dim);
    const Matrix primal = dom.to_primal(eta);
    CHECK(dom.contains(primal));
    CHECK((dom.to_dual(primal) - eta).cwiseAbs().maxCoeff() < 1e-9);
  }
}

TEST_CASE("domain: duals of magnitude 700 stay finite and strictly inside") {
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    Matrix eta(4, c.dim);
    eta.row(0).setConstant(700.0);
    eta.row(1).setConstant(-700.0);
    for (Index j = 0; j < c.dim; ++j) {
      eta(2, j) = j % 2 == 0 ? 700.0 : -700.0;
      eta(3, j) = j % 2 == 0 ? -700.0 : 700.0;
    }
    const Matrix x = dom.to_primal(eta);
    INFO("x =\n" << x);
    CHECK(x.allFinite());
    // Strictly inside, row by row and as a whole (contains() must not
    // depend on how a row's sum is reduced), so that samplers moving in
    // dual coordinates never produce a point the runner rejects.
    CHECK(dom.contains(x));
    for (Index i = 0; i < x.rows(); ++i) CHECK(dom.contains(x.row(i)));
    // In the closed domain: projecting changes nothing.
    CHECK((dom.project(x) - x).cwiseAbs().maxCoeff() <= 1e-15);
  }
  // Where the primal point is representable the round trip is exact: the
  // orthant at ±700, the simplex with every dual at −700 (θ_i = e^{−700},
  // θ_{d+1} ≈ 1), and a box face at 0.
  const Matrix big = (Matrix(2, 3) << 700, -700, 0, -700, 700, 300).finished();
  const OrthantDomain orthant;
  CHECK((orthant.to_dual(orthant.to_primal(big)) - big).cwiseAbs().maxCoeff() <
        1e-12);
  const SimplexDomain simplex;
  const Matrix low = Matrix::Constant(1, 3, -700.0);
  CHECK((simplex.to_dual(simplex.to_primal(low)) - low).cwiseAbs().maxCoeff() <
        1e-12);
  const BoxDomain box(Vector::Zero(2), Vector::Ones(2));
  const Matrix near_zero = Matrix::Constant(1, 2, -700.0);
  CHECK((box.to_dual(box.to_primal(near_zero)) - near_zero)
            .cwiseAbs()
            .maxCoeff() < 1e-12);
  // The simplex with one dual at +800: θ_1 = 1 to double precision.
  Matrix eta(2, 3);
  eta << 800, -800, 0, -900, -900, -900;
  const Matrix theta = simplex.to_primal(eta);
  CHECK(theta.allFinite());
  CHECK(simplex.contains(theta));
  CHECK(theta(0, 0) == doctest::Approx(1.0));
}

TEST_CASE("domain: ∇²ψ* = (∇²ψ)⁻¹ and ∇²ψ by finite differences") {
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    Rng rng = make_rng(hash_string("hessians " + c.label));
    const Matrix x = c.interior(5, rng);
    const Matrix v = rng.normal_matrix(5, c.dim);
    const Matrix inverse_applied = dom.inverse_hessian_times(x, v);
    const Matrix applied = dom.hessian_times(x, v);
    // The two products invert each other.
    CHECK(relative_error(dom.hessian_times(x, inverse_applied), v) < 1e-12);
    CHECK(relative_error(dom.inverse_hessian_times(x, applied), v) < 1e-12);
    for (Index i = 0; i < x.rows(); ++i) {
      INFO("x = " << x.row(i));
      const RowVector eta = dom.to_dual(x.row(i));
      // The Jacobian of ∇ψ* at η is ∇²ψ*(η) = (∇²ψ(x))⁻¹.
      const Matrix dual_jacobian =
          jacobian([&](const Matrix& e) { return dom.to_primal(e); }, eta,
                   RowVector::Constant(c.dim, kStep));
      CHECK(relative_error(dual_jacobian * v.row(i).transpose(),
                           inverse_applied.row(i).transpose()) < kFdTolerance);
      // The Jacobian of ∇ψ at x is ∇²ψ(x); steps relative to each
      // coordinate so that they stay inside (the box has a coordinate of
      // width 1e-3).
      const RowVector h = kStep * x.row(i).cwiseAbs().cwiseMax(kSmallestScale);
      const Matrix primal_jacobian = jacobian(
          [&](const Matrix& p) { return dom.to_dual(p); }, x.row(i), h);
      CHECK(relative_error(primal_jacobian * v.row(i).transpose(),
                           applied.row(i).transpose()) < kFdTolerance);
    }
  }
}

namespace {
// The d×d matrix M(x) of a batched product f(x, v) = rows M(x_i) v_i, at the
// row vector x: row j of f(x, e_j) is column j of M.
Matrix matrix_at(const std::function<Matrix(const Matrix&, const Matrix&)>& f,
                 const RowVector& x) {
  const Index d = x.size();
  return f(x.replicate(d, 1), Matrix::Identity(d, d)).transpose();
}
}  // namespace

TEST_CASE("domain: the noise factor B has B Bᵀ = ∇²ψ, by finite differences") {
  // B(x)ξ with ξ ~ N(0, I) is the mirror-Langevin noise, N(0, ∇²ψ(x)).
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    const auto factor = [&](const Matrix& x, const Matrix& v) {
      return dom.hessian_factor_times(x, v);
    };
    const auto hessian = [&](const Matrix& x, const Matrix& v) {
      return dom.hessian_times(x, v);
    };
    Rng rng = make_rng(hash_string("hessian factor " + c.label));
    const Matrix interior = c.interior(5, rng);
    Matrix x(interior.rows() + c.near_boundary.rows(), c.dim);
    x << interior, c.near_boundary;
    // Batched rows are the per-row products.
    const Matrix v = rng.normal_matrix(x.rows(), c.dim);
    const Matrix batched = dom.hessian_factor_times(x, v);
    CHECK(batched.allFinite());
    for (Index i = 0; i < x.rows(); ++i) {
      INFO("x = " << x.row(i));
      const Matrix b = matrix_at(factor, x.row(i));
      CHECK(relative_error(batched.row(i).transpose(),
                           b * v.row(i).transpose()) < 1e-14);
      // B Bᵀ against the closed-form ∇²ψ, next to the boundary too, where
      // its entries reach 1e300 (stableNorm: their squares overflow).
      const Matrix h = matrix_at(hessian, x.row(i));
      CHECK((b * b.transpose() - h).stableNorm() <= 1e-13 * h.stableNorm());
      // ... and against the Jacobian of ∇ψ (interior points; steps as in
      // the Hessian test above).
      if (i < interior.rows()) {
        const RowVector step =
            kStep * x.row(i).cwiseAbs().cwiseMax(kSmallestScale);
        const Matrix fd = jacobian(
            [&](const Matrix& p) { return dom.to_dual(p); }, x.row(i), step);
        CHECK(relative_error(b * b.transpose(), fd) < kFdTolerance);
      }
    }
    // Finite at the extreme points that dual coordinates of magnitude 700
    // map to.
    Matrix eta(2, c.dim);
    eta.row(0).setConstant(700.0);
    eta.row(1).setConstant(-700.0);
    const Matrix far = dom.to_primal(eta);
    CHECK(dom.hessian_factor_times(far, Matrix::Ones(2, c.dim)).allFinite());
  }
  // A box coordinate at the smallest double above a face at 0 (a dual of
  // −800): 1/gap overflows, its square root does not.
  const BoxDomain box(Vector::Zero(2), Vector::Ones(2));
  const Matrix corner = box.to_primal(Matrix::Constant(1, 2, -800.0));
  REQUIRE(corner(0, 0) == std::numeric_limits<double>::denorm_min());
  CHECK(box.hessian_factor_times(corner, Matrix::Ones(1, 2)).allFinite());
  // A product domain: the factors of its blocks side by side.
  const ProductDomain product(simplex_domain(), 2,
                              box_domain(kBoxLower, kBoxUpper));
  Rng rng = make_rng(hash_string("hessian factor product"));
  Matrix z(4, 5);
  z << dirichlet_draws(rng, 4, Vector::Constant(3, 2.0)).leftCols(2),
      domain_cases().back().interior(4, rng);
  const Matrix v = rng.normal_matrix(4, 5);
  Matrix blocks(4, 5);
  blocks << simplex_domain()->hessian_factor_times(z.leftCols(2),
                                                   v.leftCols(2)),
      box_domain(kBoxLower, kBoxUpper)
          ->hessian_factor_times(z.rightCols(3), v.rightCols(3));
  CHECK(relative_error(product.hessian_factor_times(z, v), blocks) < 1e-15);
}

TEST_CASE(
    "domain: ∇_η log det ∇²ψ* by finite differences, and as the column "
    "divergence of (∇²ψ)⁻¹ in primal coordinates") {
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    Rng rng = make_rng(hash_string("log det " + c.label));
    const Matrix x = c.interior(5, rng);
    const Matrix analytic = dom.grad_log_det_inverse_hessian(x);
    for (Index i = 0; i < x.rows(); ++i) {
      INFO("x = " << x.row(i));
      const RowVector eta = dom.to_dual(x.row(i));
      // log det ∇²ψ*(η) against the determinant of the matrix itself.
      Matrix m(c.dim, c.dim);
      for (Index j = 0; j < c.dim; ++j)
        m.col(j) =
            dom.inverse_hessian_times(x.row(i), RowVector::Unit(c.dim, j))
                .transpose();
      CHECK(dom.log_det_inverse_hessian(x.row(i))(0) ==
            doctest::Approx(std::log(m.determinant())).epsilon(1e-10));
      RowVector fd(c.dim), divergence = RowVector::Zero(c.dim);
      for (Index j = 0; j < c.dim; ++j) {
        RowVector up = eta, down = eta;
        up(j) += kStep;
        down(j) -= kStep;
        const Matrix x_up = dom.to_primal(up), x_down = dom.to_primal(down);
        fd(j) = (dom.log_det_inverse_hessian(x_up)(0) -
                 dom.log_det_inverse_hessian(x_down)(0)) /
                (2.0 * kStep);
        // Column j of (∇²ψ(x))⁻¹ differentiated along the primal x_j,
        // summed over j: divergence_k = Σ_j ∂_{x_j} [(∇²ψ)⁻¹]_{kj}, the
        // term of the mirrored Stein operator. (Differentiated in η instead
        // it would differ: on the orthant Σ_j ∂_{η_j} diag(e^η)_{kj} = x_k,
        // not 1.)
        const RowVector e_j = RowVector::Unit(c.dim, j);
        const double h = kStep * std::max(std::abs(x(i, j)), kSmallestScale);
        RowVector p_up = x.row(i), p_down = x.row(i);
        p_up(j) += h;
        p_down(j) -= h;
        divergence += (dom.inverse_hessian_times(p_up, e_j) -
                       dom.inverse_hessian_times(p_down, e_j)) /
                      (2.0 * h);
      }
      CHECK(relative_error(fd, analytic.row(i)) < kFdTolerance);
      CHECK(relative_error(divergence, analytic.row(i)) < kFdTolerance);
    }
  }
}

TEST_CASE("domain: the dual density's gradient by finite differences") {
  // π(x) ∝ exp(−½‖x − 0.1·1‖²) on each domain: log p_H(η) = log π(∇ψ*(η)) +
  // log det ∇²ψ*(η) must have the gradient to_dual_density returns.
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    const auto primal_density = [&](const Matrix& x, Vector& logp,
                                    Matrix& grad) {
      const Matrix centered = x.array() - 0.1;
      logp = -0.5 * centered.rowwise().squaredNorm();
      grad = -centered;
    };
    const auto dual_log_density = [&](const Matrix& eta) {
      const Matrix x = dom.to_primal(eta);
      Vector logp;
      Matrix grad;
      primal_density(x, logp, grad);
      dom.to_dual_density(x, logp, grad);
      return std::pair<Vector, Matrix>(logp, grad);
    };
    Rng rng = make_rng(hash_string("dual density " + c.label));
    const Matrix eta = dom.to_dual(c.interior(4, rng));
    const Matrix grad = dual_log_density(eta).second;
    for (Index i = 0; i < eta.rows(); ++i)
      for (Index j = 0; j < c.dim; ++j) {
        RowVector up = eta.row(i), down = eta.row(i);
        up(j) += kStep;
        down(j) -= kStep;
        const double fd =
            (dual_log_density(up).first(0) - dual_log_density(down).first(0)) /
            (2.0 * kStep);
        CHECK(fd == doctest::Approx(grad(i, j)).epsilon(kFdTolerance));
      }
  }
}

TEST_CASE("domain: contains") {
  CHECK(reals_domain()->contains(Matrix::Constant(2, 2, 1e300)));
  CHECK_FALSE(reals_domain()->contains(
      Matrix::Constant(1, 2, std::numeric_limits<double>::quiet_NaN())));

  const SimplexDomain simplex;
  CHECK(simplex.contains((Matrix(1, 2) << 0.3, 0.6).finished()));
  CHECK_FALSE(simplex.contains((Matrix(1, 2) << 0.4, 0.6).finished()));  // face
  CHECK_FALSE(simplex.contains((Matrix(1, 2) << 0.0, 0.5).finished()));  // face
  CHECK_FALSE(simplex.contains(Matrix::Constant(1, 2, 0.6)));
  CHECK_FALSE(simplex.contains((Matrix(1, 2) << -0.1, 0.5).finished()));

  const OrthantDomain orthant;
  CHECK(orthant.contains((Matrix(1, 2) << 1e-300, 5.0).finished()));
  CHECK_FALSE(orthant.contains((Matrix(1, 2) << 0.0, 5.0).finished()));
  CHECK_FALSE(orthant.contains((Matrix(1, 2) << 1.0, -5.0).finished()));
  CHECK_FALSE(orthant.contains(
      (Matrix(1, 2) << 1.0, std::numeric_limits<double>::infinity())
          .finished()));

  const BoxDomain box(kBoxLower, kBoxUpper);
  CHECK(box.contains((Matrix(1, 3) << 0.0, 5e-4, 3.0).finished()));
  CHECK_FALSE(box.contains((Matrix(1, 3) << 1.0, 5e-4, 3.0).finished()));
  CHECK_FALSE(box.contains((Matrix(1, 3) << 0.0, 2e-3, 3.0).finished()));
  CHECK_FALSE(box.contains((Matrix(1, 3) << 0.0, 5e-4, 2.0).finished()));
  CHECK_FALSE(box.contains(Matrix::Zero(1, 2)));  // wrong width
  CHECK_THROWS_AS(box.to_dual(Matrix::Zero(1, 2)), std::invalid_argument);
  CHECK_THROWS_AS(BoxDomain(Vector::Ones(2), Vector::Ones(2)),
                  std::invalid_argument);
  CHECK_THROWS_AS(BoxDomain(Vector::Zero(2), Vector::Ones(3)),
                  std::invalid_argument);
}

TEST_CASE("domain: projection is the closest point of the closed domain") {
  // The projection p of y onto a closed convex set C is characterized by
  // (y − p)·(q − p) ≤ 0 for every q ∈ C; then no q is closer than p. For
  // the simplex both are in the (d+1)-dimensional embedding (θ, 1 − Σθ).
  const auto embed = [](const std::string& label, const RowVector& x) {
    if (label != "simplex") return Vector(x.transpose());
    Vector e(x.size() + 1);
    e << x.transpose(), 1.0 - x.sum();
    return e;
  };
  for (const auto& c : domain_cases()) {
    INFO("domain " << c.label);
    const Domain& dom = *c.domain;
    Rng rng = make_rng(hash_string("projection " + c.label));
    // Points inside are fixed; points all around are moved.
    const Matrix inside = c.interior(10, rng);
    CHECK((dom.project(inside) - inside).cwiseAbs().maxCoeff() <= 1e-15);
    Matrix y = c.interior(30, rng) + 2.0 * rng.normal_matrix(30, c.dim);
    if (c.label == "box")
      y = y.array().rowwise() * (kBoxUpper - kBoxLower).transpose().array();
    const Matrix p = dom.project(y);
    CHECK((dom.project(p) - p).cwiseAbs().maxCoeff() <= 1e-14);
    const Matrix q = c.interior(200, rng);  // feasible competitors
    for (Index i = 0; i < y.rows(); ++i) {
      const Vector ye = embed(c.label, y.row(i)), pe = embed(c.label, p.row(i));
      INFO("y = " << y.row(i) << ", p = " << p.row(i));
      // In the closed domain.
      if (c.label == "simplex") {
        CHECK(pe.minCoeff() >= -1e-15);
      } else if (c.label == "orthant") {
        CHECK(pe.minCoeff() >= 0.0);
      } else if (c.label == "box") {
        CHECK(((p.row(i) - kBoxLower.transpose()).array() >= 0).all());
        CHECK(((kBoxUpper.transpose() - p.row(i)).array() >= 0).all());
      }
      double worst = -INFINITY;
      bool closer = false;
      for (Index k = 0; k < q.rows(); ++k) {
        const Vector qe = embed(c.label, q.row(k));
        worst = std::max(worst, (ye - pe).dot(qe - pe));
        closer = closer || (ye - qe).norm() < (ye - pe).norm() - 1e-12;
      }
      CHECK(worst <= 1e-12 * (1.0 + ye.squaredNorm()));
      CHECK_FALSE(closer);
    }
  }
}

TEST_CASE("domain: closed forms of Shi et al. (2022)") {
  Rng rng = make_rng(5);
  // Simplex: ∇_η log det ∇²ψ* = 1 − Dθ.
  const SimplexDomain simplex;
  const Matrix theta =
      dirichlet_draws(rng, 3, Vector::Constant(4, 1.0)).leftCols(3);
  CHECK(relative_error(simplex.grad_log_det_inverse_hessian(theta),
                       (1.0 - 4.0 * theta.array()).matrix()) < 1e-15);
  // [−1, 1]^d: ∇ψ* = tanh(η/2), (∇²ψ)⁻¹ = diag((1 − θ²)/2), ∇ log det = −θ.
  const BoxDomain cube(-Vector::Ones(3), Vector::Ones(3));
  const Matrix eta = 2.0 * rng.normal_matrix(4, 3);
  const Matrix x = cube.to_primal(eta);
  CHECK(relative_error(x, (0.5 * eta.array()).tanh().matrix()) < 1e-15);
  const Matrix v = rng.normal_matrix(4, 3);
  CHECK(relative_error(
            cube.inverse_hessian_times(x, v),
            ((1.0 - x.array().square()) / 2.0 * v.array()).matrix()) < 1e-15);
  CHECK(relative_error(cube.grad_log_det_inverse_hessian(x), -x) < 1e-15);
  CHECK(relative_error(
            cube.to_dual(x),
            ((1.0 + x.array()).log() - (1.0 - x.array()).log()).matrix()) <
        1e-14);
  // Orthant: ∇ψ* = e^η, (∇²ψ)⁻¹ = diag(x), ∇ log det = 1.
  const OrthantDomain orthant;
  const Matrix y = orthant.to_primal(eta);
  CHECK(relative_error(y, eta.array().exp().matrix()) < 1e-15);
  CHECK(orthant.grad_log_det_inverse_hessian(y).isOnes());
  CHECK(relative_error(orthant.inverse_hessian_times(y, v),
                       (y.array() * v.array()).matrix()) < 1e-15);
}
