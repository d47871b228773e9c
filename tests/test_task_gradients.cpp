// Generic conformance of every registered task: each oracle is checked
// against central finite differences of the values it claims to
// differentiate, and batched evaluation must equal row-by-row evaluation.
// New tasks are covered as soon as they register; `preset_cases` adds
// parameter sets that reach code paths the defaults do not.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"
#include "task_cases.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/distribution.hpp"
#include "tasks/objective.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

using testing::all_cases;
using testing::default_cases;
using testing::make_task;
using testing::preset_cases;
using testing::served_cases;
using testing::TaskCase;

constexpr Index kPoints = 3;
constexpr double kStep = 1e-5;
constexpr double kRtol = 1e-5;
// Random direction sets along which Hessian-vector products are checked.
constexpr Index kHvpDirections = 2;

// Coordinate axes in low dimension, a few random unit vectors otherwise.
Matrix directions(Index d, Rng& rng) {
  if (d <= 24) return Matrix::Identity(d, d);
  Matrix out = rng.normal_matrix(d, 12);
  out.colwise().normalize();
  return out;
}

using MatrixFn = std::function<Matrix(const Matrix&)>;

// Compares `expected` (n×k) with the central difference of `fun` at the
// rows of x along the per-row directions v (n×d). Steps scale with each
// point's size; the tolerance is relative to the expected row and, for
// round-off, to the magnitude of fun itself.
void check_directional(const std::string& what, const MatrixFn& fun,
                       const Matrix& x, const Matrix& v,
                       const Matrix& expected) {
  const Vector h =
      (kStep * x.cwiseAbs().rowwise().maxCoeff().cwiseMax(1.0)).eval();
  const Matrix hv = h.asDiagonal() * v;
  const Matrix f0 = fun(x);
  const Matrix fd =
      ((fun(x + hv) - fun(x - hv)).array().colwise() / (2.0 * h.array()))
          .matrix();
  REQUIRE(fd.rows() == expected.rows());
  REQUIRE(fd.cols() == expected.cols());
  double worst = 0.0;
  std::string where;
  for (Index i = 0; i < x.rows(); ++i) {
    const double tol =
        kRtol * (1.0 + expected.row(i).norm()) + 1e-9 * f0.row(i).norm();
    const double err = (fd.row(i) - expected.row(i)).norm();
    const double ratio = std::isfinite(err) ? err / tol : INFINITY;
    if (where.empty() || ratio > worst) {
      worst = ratio;
      std::ostringstream s;
      s << what << ": row " << i << " analytic [" << expected.row(i)
        << "] finite difference [" << fd.row(i) << "]";
      where = s.str();
    }
  }
  INFO(where);
  CHECK(worst <= 1.0);
}

// `analytic` (n×d) must be the gradient of the scalar `value` at the rows
// of x: checked along each direction shared by all rows.
void check_gradient(const std::string& what, const MatrixFn& value,
                    const Matrix& x, const Matrix& analytic, Rng& rng) {
  REQUIRE(analytic.rows() == x.rows());
  REQUIRE(analytic.cols() == x.cols());
  CHECK(analytic.allFinite());
  const Matrix dirs = directions(x.cols(), rng);
  for (Index j = 0; j < dirs.cols(); ++j) {
    const Matrix v = Matrix::Ones(x.rows(), 1) * dirs.col(j).transpose();
    check_directional(what + " along direction " + std::to_string(j), value, x,
                      v, analytic * dirs.col(j));
  }
}

Matrix as_column(const Vector& v) { return v; }

void check_close(const std::string& what, const Matrix& a, const Matrix& b,
                 double rtol = 1e-12) {
  INFO(what);
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  const double scale =
      1.0 + std::max(a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff());
  CHECK((a - b).cwiseAbs().maxCoeff() <= rtol * scale);
}

// The task's initial points, which lie inside its domain, and on ℝ^d one
// exact draw. On a constrained domain an exact draw may lie closer to a face
// than the finite-difference step (a sparse Dirichlet's coordinates are often
// below 1e-30), where the central difference would leave the domain; its
// initial points are kept well inside instead.
Matrix test_points(const Task& task, Rng& rng) {
  Matrix x = task.initial_points(kPoints, rng);
  if (const auto* dist = dynamic_cast<const Distribution*>(&task))
    if (dist->offers(Capability::exact_draws) &&
        task.domain().name() == "reals")
      x.row(kPoints - 1) = dist->sample(1, rng);
  REQUIRE(task.domain().contains(x));
  return x;
}

// The metric is symmetric positive definite, and the divergence of its
// inverse, Σ_c ∂_c (G⁻¹)_{·c}, matches central differences of G⁻¹ along each
// coordinate. For the targets that offer it (a Gaussian's location, a
// logistic model with a Gaussian prior) the Fisher information also equals
// −∇²log π, checked against the Hessian-vector product.
void check_fisher_metric(const Distribution& task, const Matrix& x,
                         double damping) {
  const Distribution::FisherMetric f = task.fisher_metric(x, damping);
  REQUIRE(f.metric.size() == static_cast<size_t>(x.rows()));
  REQUIRE(f.inverse_divergence.rows() == x.rows());
  REQUIRE(f.inverse_divergence.cols() == x.cols());
  const Index d = x.cols();
  for (Index i = 0; i < x.rows(); ++i) {
    const Matrix& g = f.metric[static_cast<size_t>(i)];
    REQUIRE(g.rows() == d);
    CHECK((g - g.transpose()).cwiseAbs().maxCoeff() <=
          1e-12 * g.cwiseAbs().maxCoeff());
    CHECK(Eigen::LLT<Matrix>(g).info() == Eigen::Success);
    RowVector divergence = RowVector::Zero(d);
    for (Index c = 0; c < d; ++c) {
      const double h = kStep * std::max(1.0, std::abs(x(i, c)));
      Matrix up = x.row(i), down = x.row(i);
      up(0, c) += h;
      down(0, c) -= h;
      const Matrix inv_up = task.fisher_metric(up, damping).metric[0].inverse();
      const Matrix inv_down =
          task.fisher_metric(down, damping).metric[0].inverse();
      divergence += ((inv_up.col(c) - inv_down.col(c)) / (2.0 * h)).transpose();
    }
    const double scale = std::max(1e-8, divergence.cwiseAbs().maxCoeff());
    CHECK((f.inverse_divergence.row(i) - divergence).cwiseAbs().maxCoeff() <=
          1e-5 * scale);
  }
  if (task.offers(Capability::hessian_vector)) {
    Rng rng = make_rng(17);
    const Matrix v = rng.normal_matrix(x.rows(), d);
    const Matrix hvp = task.log_prob_hessian_vector(x, v);
    for (Index i = 0; i < x.rows(); ++i) {
      // G − damping·I is −∇²log π.
      const RowVector gv =
          (f.metric[static_cast<size_t>(i)] * v.row(i).transpose())
              .transpose() -
          damping * v.row(i);
      CHECK((gv + hvp.row(i)).cwiseAbs().maxCoeff() <=
            1e-9 * std::max(1.0, gv.cwiseAbs().maxCoeff()));
    }
  }
}

void check_distribution(const Distribution& task, Rng& rng) {
  const Matrix x = test_points(task, rng);
  Vector logp;
  Matrix grad;
  task.log_prob_grad(x, logp, grad);
  REQUIRE(logp.size() == x.rows());
  CHECK(logp.allFinite());
  check_close("log_prob equals log_prob_grad", as_column(task.log_prob(x)),
              as_column(logp));
  check_gradient(
      "∇log π", [&](const Matrix& p) -> Matrix { return task.log_prob(p); }, x,
      grad, rng);
  if (task.offers(Capability::hessian_vector)) {
    // ∇²log π(x) v = d/dt ∇log π(x + tv), along random directions (one per
    // point, so a wrong off-diagonal block or a missing term shows).
    const auto score = [&](const Matrix& p) -> Matrix {
      Vector lp;
      Matrix g;
      task.log_prob_grad(p, lp, g);
      return g;
    };
    for (Index round = 0; round < kHvpDirections; ++round) {
      const Matrix v = rng.normal_matrix(x.rows(), x.cols());
      const Matrix hvp = task.log_prob_hessian_vector(x, v);
      REQUIRE(hvp.rows() == x.rows());
      REQUIRE(hvp.cols() == x.cols());
      CHECK(hvp.allFinite());
      check_directional("∇²log π · v, direction set " + std::to_string(round),
                        score, x, v, hvp);
    }
  }
  if (task.offers(Capability::fisher_metric)) {
    check_fisher_metric(task, x, 0.0);
    check_fisher_metric(task, x, 0.5);
  }
}

void check_objective(const Objective& task, Rng& rng) {
  const Matrix x = test_points(task, rng);
  Vector f;
  Matrix grad;
  task.value_grad(x, f, grad);
  REQUIRE(f.size() == x.rows());
  CHECK(f.allFinite());
  check_close("value equals value_grad", as_column(task.value(x)),
              as_column(f));
  check_gradient(
      "∇f", [&](const Matrix& p) -> Matrix { return task.value(p); }, x, grad,
      rng);
}

void check_saddle_point(const SaddlePoint& task, Rng& rng) {
  REQUIRE(task.dim() == task.dim_x() + task.dim_y());
  const Matrix z = test_points(task, rng);
  const Matrix f = task.operator_value(z);
  REQUIRE(f.rows() == z.rows());
  REQUIRE(f.cols() == z.cols());
  const Index dx = task.dim_x(), dy = task.dim_y();
  if (task.has_lagrangian()) {
    // F = (∇_x L, −∇_y L), so flipping the y part gives ∇L.
    Matrix grad = f;
    grad.rightCols(dy) *= -1.0;
    check_gradient(
        "F = (∇x L, −∇y L)",
        [&](const Matrix& p) -> Matrix { return task.value(p); }, z, grad, rng);
  }
  // Each block of F is its player's loss gradient in its own block.
  auto loss = [&](const Matrix& p, bool x_player) -> Matrix {
    Vector loss_x, loss_y;
    task.player_losses(p, loss_x, loss_y);
    return x_player ? loss_x : loss_y;
  };
  check_gradient(
      "F_x = ∇x ℓ_x",
      [&](const Matrix& px) -> Matrix {
        Matrix p = z;
        p.leftCols(dx) = px;
        return loss(p, true);
      },
      Matrix(z.leftCols(dx)), Matrix(f.leftCols(dx)), rng);
  check_gradient(
      "F_y = ∇y ℓ_y",
      [&](const Matrix& py) -> Matrix {
        Matrix p = z;
        p.rightCols(dy) = py;
        return loss(p, false);
      },
      Matrix(z.rightCols(dy)), Matrix(f.rightCols(dy)), rng);
}

void check_bilevel(const Bilevel& task, Rng& rng) {
  REQUIRE(task.dim() == task.dim_x());
  const Matrix x = test_points(task, rng);
  const Matrix y = task.initial_inner_points(kPoints, rng);
  REQUIRE(y.cols() == task.dim_y());
  Matrix fx, fy, gx, gy;
  task.outer_grad(x, y, fx, fy);
  task.inner_grad(x, y, gx, gy);
  check_gradient(
      "outer ∇x f",
      [&](const Matrix& p) -> Matrix { return task.outer_value(p, y); }, x, fx,
      rng);
  check_gradient(
      "outer ∇y f",
      [&](const Matrix& p) -> Matrix { return task.outer_value(x, p); }, y, fy,
      rng);
  check_gradient(
      "inner ∇x g",
      [&](const Matrix& p) -> Matrix { return task.inner_value(p, y); }, x, gx,
      rng);
  check_gradient(
      "inner ∇y g",
      [&](const Matrix& p) -> Matrix { return task.inner_value(x, p); }, y, gy,
      rng);
  if (task.offers(Capability::hessian_vector)) {
    const Matrix v = rng.normal_matrix(kPoints, task.dim_y());
    const auto inner_gy = [&](const Matrix& p) -> Matrix {
      Matrix a, b;
      task.inner_grad(x, p, a, b);
      return b;
    };
    const auto inner_gx = [&](const Matrix& p) -> Matrix {
      Matrix a, b;
      task.inner_grad(x, p, a, b);
      return a;
    };
    const Matrix hvp = task.inner_hvp_yy(x, y, v);
    const Matrix cross = task.inner_cross(x, y, v);
    REQUIRE(hvp.rows() == kPoints);
    REQUIRE(hvp.cols() == task.dim_y());
    REQUIRE(cross.rows() == kPoints);
    REQUIRE(cross.cols() == task.dim_x());
    // ∇²_yy g v = d/dt ∇_y g(x, y + tv) and ∇²_xy g v = d/dt ∇_x g(x, y + tv).
    check_directional("∇²yy g · v", inner_gy, y, v, hvp);
    check_directional("∇²xy g · v", inner_gx, y, v, cross);
  }
  if (task.offers(Capability::hypergradient)) {
    const Matrix hg = task.hypergradient(x);
    check_gradient(
        "hypergradient ∇F, F(x) = f(x, y*(x))",
        [&](const Matrix& p) -> Matrix {
          return task.outer_value(p, task.inner_solution(p));
        },
        x, hg, rng);
  }
}

void check_task_gradients(const Task& task, Rng& rng) {
  switch (task.kind()) {
    case TaskKind::distribution:
      check_distribution(dynamic_cast<const Distribution&>(task), rng);
      break;
    case TaskKind::objective:
      check_objective(dynamic_cast<const Objective&>(task), rng);
      break;
    case TaskKind::saddle_point:
      check_saddle_point(dynamic_cast<const SaddlePoint&>(task), rng);
      break;
    case TaskKind::bilevel:
      check_bilevel(dynamic_cast<const Bilevel&>(task), rng);
      break;
  }
}

// Every output of the core oracles, for rows [begin, begin + count) of the
// points, stacked side by side.
Matrix all_outputs(const Task& task, const Matrix& x, const Matrix& y,
                   const Matrix& v, Index begin, Index count) {
  const Matrix xs = x.middleRows(begin, count);
  std::vector<Matrix> parts;
  switch (task.kind()) {
    case TaskKind::distribution: {
      const auto& t = dynamic_cast<const Distribution&>(task);
      Vector logp;
      Matrix grad;
      t.log_prob_grad(xs, logp, grad);
      parts = {logp, grad, t.log_prob(xs)};
      if (t.offers(Capability::hessian_vector))
        parts.push_back(
            t.log_prob_hessian_vector(xs, v.middleRows(begin, count)));
      break;
    }
    case TaskKind::objective: {
      const auto& t = dynamic_cast<const Objective&>(task);
      Vector f;
      Matrix grad;
      t.value_grad(xs, f, grad);
      parts = {f, grad, t.value(xs)};
      break;
    }
    case TaskKind::saddle_point: {
      const auto& t = dynamic_cast<const SaddlePoint&>(task);
      parts = {t.operator_value(xs), t.value(xs)};
      break;
    }
    case TaskKind::bilevel: {
      const auto& t = dynamic_cast<const Bilevel&>(task);
      const Matrix ys = y.middleRows(begin, count);
      Matrix fx, fy, gx, gy;
      t.outer_grad(xs, ys, fx, fy);
      t.inner_grad(xs, ys, gx, gy);
      parts = {t.outer_value(xs, ys), fx, fy, t.inner_value(xs, ys), gx, gy};
      if (t.offers(Capability::hessian_vector)) {
        const Matrix vs = v.middleRows(begin, count);
        parts.push_back(t.inner_hvp_yy(xs, ys, vs));
        parts.push_back(t.inner_cross(xs, ys, vs));
      }
      if (t.offers(Capability::hypergradient)) {
        parts.push_back(t.inner_solution(xs));
        parts.push_back(t.hypergradient(xs));
      }
      break;
    }
  }
  Index cols = 0;
  for (const auto& p : parts) cols += p.cols();
  Matrix out(count, cols);
  Index at = 0;
  for (const auto& p : parts) {
    REQUIRE(p.rows() == count);
    out.middleCols(at, p.cols()) = p;
    at += p.cols();
  }
  return out;
}

// A distribution that declares no optional capability, so that the default
// Hessian-vector product is exercised even when every registered
// distribution offers one.
class PlainDistribution final : public Distribution {
 public:
  Index dim() const override { return 2; }
  Capabilities capabilities() const override { return {}; }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    logp = -0.5 * x.rowwise().squaredNorm();
    grad = -x;
  }
};

}  // namespace

TEST_CASE("task gradients: a Hessian-vector product not offered throws") {
  const PlainDistribution plain;
  const Matrix x = Matrix::Zero(kPoints, plain.dim());
  CHECK_FALSE(plain.offers(Capability::hessian_vector));
  CHECK_THROWS_AS(plain.log_prob_hessian_vector(x, x), std::logic_error);
  for (const auto& c : all_cases()) {
    const auto task = make_task(c);
    const auto* dist = dynamic_cast<const Distribution*>(task.get());
    if (dist == nullptr || dist->offers(Capability::hessian_vector)) continue;
    INFO("task " << c.label());
    const Matrix z = Matrix::Zero(kPoints, dist->dim());
    CHECK_THROWS_AS(dist->log_prob_hessian_vector(z, z), std::logic_error);
  }
}

TEST_CASE("task gradients: every registered task with default parameters") {
  REQUIRE(!TaskRegistry::instance().all().empty());
  for (const auto& c : default_cases()) {
    INFO("task " << c.label());
    const auto task = make_task(c);
    Rng rng = make_rng(hash_string(c.label()));
    check_task_gradients(*task, rng);
  }
}

TEST_CASE("task gradients: preset parameter sets and served tasks") {
  std::vector<TaskCase> cases = preset_cases();
  for (auto& c : served_cases()) cases.push_back(std::move(c));
  for (const auto& c : cases) {
    INFO("task " << c.label());
    const auto task = make_task(c);
    Rng rng = make_rng(hash_string(c.label()));
    check_task_gradients(*task, rng);
  }
}

TEST_CASE("task gradients: batched oracles equal row-by-row evaluation") {
  for (const auto& c : all_cases()) {
    INFO("task " << c.label());
    const auto task = make_task(c);
    Rng rng = make_rng(hash_string(c.label()));
    const Matrix x = test_points(*task, rng);
    Matrix y, v;
    if (const auto* b = dynamic_cast<const Bilevel*>(task.get())) {
      y = b->initial_inner_points(kPoints, rng);
      v = rng.normal_matrix(kPoints, b->dim_y());
    } else if (task->kind() == TaskKind::distribution) {
      v = rng.normal_matrix(kPoints, task->dim());
    }
    const Matrix batched = all_outputs(*task, x, y, v, 0, kPoints);
    CHECK(batched.allFinite());
    for (Index i = 0; i < kPoints; ++i)
      check_close("row " + std::to_string(i) + " alone",
                  all_outputs(*task, x, y, v, i, 1), batched.row(i), 1e-11);
    // Deterministic given the parameters: a second instance agrees exactly.
    const auto again = make_task(c);
    CHECK(all_outputs(*again, x, y, v, 0, kPoints) == batched);
  }
}

}  // namespace vibench
