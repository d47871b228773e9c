// Composite problems: the lasso's prox, duality gap and 1/L, checked against
// an independent solve (cyclic coordinate descent on the quadratic form read
// off the gradient oracle), and proximal gradient / FISTA against the rates
// Beck & Teboulle prove; algorithms that ignore the nonsmooth part are
// skipped.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "task_cases.hpp"
#include "tasks/objective.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

// H = XᵀX, b = Xᵀy, c = ½‖y‖² and λ of a lasso, recovered through the
// task's interface only: f(β) = ½βᵀHβ − bᵀβ + c is quadratic, so
// ∇f(e_j) − ∇f(0) is column j of H exactly (up to rounding).
struct QuadraticForm {
  Matrix h;
  Vector b;
  double c = 0, lambda = 0;
};

QuadraticForm read_form(const Objective& f) {
  const Index d = f.dim();
  Matrix points = Matrix::Zero(d + 1, d);
  points.bottomRows(d) = Matrix::Identity(d, d);
  Vector value;
  Matrix grad;
  f.value_grad(points, value, grad);
  QuadraticForm q;
  q.b = -grad.row(0).transpose();
  q.h = (grad.bottomRows(d).rowwise() - grad.row(0)).transpose();
  q.c = value(0);
  q.lambda = f.regularizer(points.row(1))(0);
  return q;
}

// P* by cyclic coordinate descent to a fixed point (an algorithm vibench
// does not use).
Vector coordinate_descent(const QuadraticForm& q) {
  const Index d = q.b.size();
  Vector beta = Vector::Zero(d);
  Vector hb = Vector::Zero(d);  // H β
  for (int sweep = 0; sweep < 20000; ++sweep) {
    double change = 0;
    for (Index j = 0; j < d; ++j) {
      const double hjj = q.h(j, j);
      const double rho = q.b(j) - hb(j) + hjj * beta(j);
      const double updated =
          std::copysign(std::max(std::abs(rho) - q.lambda, 0.0), rho) / hjj;
      const double delta = updated - beta(j);
      if (delta != 0) {
        hb += delta * q.h.col(j);
        beta(j) = updated;
        change = std::max(change, std::abs(delta));
      }
    }
    if (change < 1e-15) break;
  }
  return beta;
}

double primal(const QuadraticForm& q, const Vector& beta) {
  return 0.5 * beta.dot(q.h * beta) - q.b.dot(beta) + q.c +
         q.lambda * beta.cwiseAbs().sum();
}

}  // namespace

TEST_CASE(
    "lasso: prox, smoothness and duality gap against an independent "
    "solve") {
  for (const Json& params :
       {Json::object(), Json{{"reg", 0.02}, {"rho", 0.8}, {"instance", 3}},
        Json{{"n_samples", 60}, {"n_features", 20}, {"reg", 0.3}}}) {
    INFO(params.dump());
    const auto task = make_task({"lasso", params});
    const auto& f = static_cast<const Objective&>(*task);
    const QuadraticForm q = read_form(f);
    CHECK(q.lambda > 0);
    // L = λ_max(XᵀX).
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(q.h,
                                                    Eigen::EigenvaluesOnly);
    CHECK(f.smoothness() ==
          doctest::Approx(eig.eigenvalues().maxCoeff()).epsilon(1e-9));
    // λ = reg·‖Xᵀy‖_∞.
    const double reg = params.value("reg", 0.1);
    CHECK(q.lambda == doctest::Approx(reg * q.b.cwiseAbs().maxCoeff()));

    // The prox is the minimizer of ½‖z − v‖² + tλ‖z‖₁: no perturbation of
    // it does better.
    Rng rng = make_rng(1);
    const Matrix v = 3 * rng.normal_matrix(4, f.dim());
    const double t = 0.7 / q.lambda;
    Matrix z = v;
    f.prox(z, t);
    const auto prox_objective = [&](const Matrix& w) {
      return Vector(0.5 * (w - v).rowwise().squaredNorm() +
                    t * f.regularizer(w));
    };
    const Vector at_prox = prox_objective(z);
    for (int trial = 0; trial < 20; ++trial) {
      const Matrix moved = z + 1e-3 * rng.normal_matrix(4, f.dim());
      CHECK((prox_objective(moved) - at_prox).minCoeff() >= -1e-12);
    }

    // Gap ≥ P(β) − P* ≥ 0 at arbitrary points, and 0 at the solution.
    const Vector solution = coordinate_descent(q);
    const double p_star = primal(q, solution);
    const Matrix points = rng.normal_matrix(5, f.dim()) * 0.1;
    const Vector gap = f.duality_gap(points);
    const Vector p = f.composite_value(points);
    for (Index i = 0; i < points.rows(); ++i) {
      CHECK(p(i) == doctest::Approx(primal(q, points.row(i).transpose())));
      CHECK(gap(i) >= p(i) - p_star - 1e-9 * std::abs(p_star));
    }
    CHECK(std::abs(f.duality_gap(solution.transpose())(0)) <
          1e-8 * std::max(1.0, p_star));
  }
}

TEST_CASE(
    "proximal gradient and FISTA: Beck & Teboulle's rates on the "
    "lasso, and the composite structure is enforced") {
  const auto task =
      make_task({"lasso", {{"n_samples", 50}, {"n_features", 80}}});
  const auto& f = static_cast<const Objective&>(*task);
  const QuadraticForm q = read_form(f);
  const Vector solution = coordinate_descent(q);
  const double p_star = primal(q, solution);
  const double l = f.smoothness();
  const double r2 = solution.squaredNorm();  // x₀ = 0
  const Json suite_json = {
      {"name", "composite"},
      {"seeds", 1},
      {"tasks",
       {{{"name", "lasso"},
         {"params", {{"n_samples", 50}, {"n_features", 80}}}},
        {{"name", "quadratic"}}}},
      {"algorithms",
       {{{"name", "proximal_gradient"}},
        {{"name", "fista"}},
        {{"name", "gd"}}}},
      {"budget", {{"max_iterations", 3000}}},
      {"checkpoints", {{"log_spaced", 12}}},
      {"metrics", {"duality_gap"}}};
  const Suite suite = parse_suite(suite_json, "composite.json");
  int ran = 0;
  double final_gap[2] = {0, 0};
  std::vector<double> early_gap[2];
  for (const Cell& cell : expand_cells(suite)) {
    const Json record = run_cell(suite, cell);
    const std::string task = record["task"]["name"];
    const std::string algorithm = record["algorithm"]["name"];
    INFO(task << " " << algorithm);
    if ((task == "lasso") != (algorithm != "gd")) {
      // gd ignores the ℓ1 part; the prox methods need a composite task.
      CHECK(record["status"] == "skipped");
      continue;
    }
    if (task != "lasso") continue;
    REQUIRE(record["status"] == "ok");
    const bool fista = algorithm == "fista";
    for (const Json& gap : record["trace"]["metrics"]["duality_gap"])
      CHECK(gap.get<double>() >= -1e-9);
    final_gap[fista] = record["final"]["metrics"]["duality_gap"];
    const Json& steps = record["trace"]["iterations"];
    for (size_t k = 0; k < steps.size(); ++k)
      if (steps[k].get<long long>() <= 200)
        early_gap[fista].push_back(
            record["trace"]["metrics"]["duality_gap"][k].get<double>());
    ++ran;
  }
  CHECK(ran == 2);
  // After 3000 steps both certify near-optimality. In the first 200 steps
  // (the sublinear phase) FISTA's certificate is at least as tight as
  // ISTA's; later ISTA's local linear rate (the lasso is strongly convex on
  // its support) can overtake FISTA's non-monotone iterates, so the final
  // gaps are not compared.
  CHECK(final_gap[0] < 1e-8 * std::max(1.0, p_star));
  CHECK(final_gap[1] < 1e-8 * std::max(1.0, p_star));
  REQUIRE(early_gap[0].size() == early_gap[1].size());
  REQUIRE(early_gap[0].size() >= 6);
  for (size_t k = 0; k < early_gap[0].size(); ++k)
    CHECK(early_gap[1][k] <= early_gap[0][k] * (1 + 1e-12));

  // The rates themselves, on P(x_k) − P* at every step of the registered
  // algorithms (the metric is a bound, not the suboptimality).
  for (const char* name : {"proximal_gradient", "fista"}) {
    INFO(name);
    const AlgorithmEntry* entry = AlgorithmRegistry::instance().find(name);
    REQUIRE(entry != nullptr);
    const auto algorithm =
        entry->make(Params(validate_params({}, entry->params, "", name)));
    Counters counters;
    const ObjectiveOracle oracle(f, counters);
    State initial;
    initial.points = Matrix::Zero(1, f.dim());
    const auto run = algorithm->start(oracle, initial, make_rng(0));
    const bool accelerated = std::string(name) == "fista";
    for (int k = 1; k <= 500; ++k) {
      run->step();
      const double bound = accelerated ? 2 * l * r2 / ((k + 1.0) * (k + 1.0))
                                       : l * r2 / (2.0 * k);
      CHECK(primal(q, run->state().points.row(0).transpose()) - p_star <=
            bound * (1 + 1e-9) + 1e-12);
    }
    CHECK(counters.grad_evals == 500);
  }
}

TEST_CASE(
    "composite: an algorithm that can run on none of the suite's tasks "
    "is an error naming its entry and the reason") {
  const Json suite_json = {
      {"name", "bad"},
      {"tasks", {{{"name", "quadratic"}}}},
      {"algorithms", {{{"name", "gd"}}, {{"name", "fista"}}}},
      {"budget", {{"max_iterations", 10}}}};
  try {
    parse_suite(suite_json, "bad.json");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/algorithms/1");
    CHECK(std::string(e.what()).find("composite") != std::string::npos);
  }
}
