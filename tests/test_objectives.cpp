// Objectives carry their optimum: every registered objective's stored x*
// is a stationary point of its (finite-difference-checked) gradient with
// f(x*) = f*, and no point does better; finite-sum objectives give unbiased
// minibatch gradients, counted in data passes.
#include <doctest/doctest.h>

#include <algorithm>

#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "task_cases.hpp"
#include "tasks/objective.hpp"
#include "tasks/oracles.hpp"

using namespace vibench;
using namespace vibench::testing;

TEST_CASE("objectives: every stored optimum is checked against the function") {
  int checked = 0;
  for (const TaskCase& c : all_cases()) {
    const auto task = make_task(c);
    if (task->kind() != TaskKind::objective) continue;
    const auto& f = static_cast<const Objective&>(*task);
    if (!f.offers(Capability::optimum) || !f.offers(Capability::optimal_value))
      continue;
    INFO(c.label());
    const Vector xs = f.optimum();
    REQUIRE(xs.size() == f.dim());
    Vector value;
    Matrix grad;
    f.value_grad(xs.transpose(), value, grad);
    // Stationary: on a constrained problem, the projected gradient step
    // x* − Π(x* − ∇f(x*)) vanishes instead of the gradient.
    Matrix stationarity = grad;
    if (f.offers(Capability::feasible_set)) {
      Matrix stepped = xs.transpose() - grad;
      f.project_feasible(stepped);
      stationarity = xs.transpose() - stepped;
    }
    // On the simplex x* may lie on a face: the Frank–Wolfe gap
    // ⟨∇f, θ⟩ − min(0, min_i ∂f/∂θ_i) vanishes instead (test_mirror_descent
    // checks that formula against the vertices).
    // On the transport polytope: ∇F is orthogonal to the polytope's
    // directions (zero row and column sums) iff it is u_i + v_j, i.e. its
    // double centering vanishes.
    if (f.offers(Capability::transport)) {
      const TransportProblem& t = f.transport();
      const Index n = t.a.size(), m = t.b.size();
      Matrix g(n, m);
      for (Index i = 0; i < n; ++i) g.row(i) = grad.row(0).segment(i * m, m);
      const Matrix centered = (g.colwise() - g.rowwise().mean()).rowwise() -
                              g.colwise().mean() +
                              Matrix::Constant(n, m, g.mean());
      stationarity = centered;
    }
    if (f.offers(Capability::mirror_domain)) {
      REQUIRE(f.domain().name() == "simplex");
      stationarity = Matrix::Constant(
          1, 1,
          xs.dot(grad.row(0).transpose()) - std::min(0.0, grad.minCoeff()));
    }
    CHECK(stationarity.cwiseAbs().maxCoeff() < 1e-9 * (1 + std::abs(value(0))));
    CHECK(value(0) == doctest::Approx(f.optimal_value()).epsilon(1e-12));
    // No point of a cloud around x* (and far from it) does better (on the
    // transport polytope the clouds are drawn along its directions, in
    // tests/test_transport.cpp).
    if (f.offers(Capability::transport)) {
      ++checked;
      continue;
    }
    Rng rng = make_rng(3);
    for (double radius : {1e-3, 1e-1, 3.0}) {
      Matrix points =
          (radius * rng.normal_matrix(64, f.dim())).rowwise() + xs.transpose();
      // Inside the region where f* is the global minimum, if it has one.
      const Matrix region = f.minimum_region();
      if (region.size() > 0)
        for (Index i = 0; i < points.rows(); ++i)
          points.row(i) =
              points.row(i).cwiseMax(region.row(0)).cwiseMin(region.row(1));
      f.project_feasible(points);
      if (f.offers(Capability::mirror_domain))
        points = f.domain().project(points);
      CHECK(f.value(points).minCoeff() >= f.optimal_value() - 1e-12);
    }
    ++checked;
  }
  CHECK(checked >= 18);
}

TEST_CASE("objectives: minibatch gradients are unbiased and counted") {
  for (const TaskCase& full_case :
       {TaskCase{"logistic_loss", {{"n_data", 200}, {"dim", 3}}},
        TaskCase{"quadratic_deep",
                 {{"n_data", 200}, {"dim", 5}, {"batch_size", 0}}},
        TaskCase{"noisy_rosenbrock", {{"n_data", 200}, {"batch_size", 0}}},
        TaskCase{"lasso",
                 {{"n_samples", 200},
                  {"n_features", 5},
                  {"nonzeros", 2},
                  {"batch_size", 0}}},
        TaskCase{"phase_retrieval",
                 {{"measurements", 200}, {"dim", 5}, {"batch_size", 0}}}}) {
    INFO(full_case.label());
    TaskCase mini_case = full_case;
    mini_case.params["batch_size"] = 20;
    const auto full = make_task(full_case);
    const auto mini = make_task(mini_case);
    const auto& f = static_cast<const Objective&>(*full);
    const auto& g = static_cast<const Objective&>(*mini);
    REQUIRE(g.offers(Capability::minibatch));
    REQUIRE(g.batch_size() == 20);
    REQUIRE(f.batch_size() == 0);
    // The same problem: minibatching changes the oracle, not the optimum.
    if (f.offers(Capability::optimum))
      CHECK(f.optimum().isApprox(g.optimum(), 1e-12));

    Rng rng = make_rng(1);
    const Matrix x = rng.normal_matrix(2, f.dim());
    Vector value, exact_value;
    Matrix exact;
    f.value_grad(x, exact_value, exact);
    Counters counters;
    const ObjectiveOracle oracle(g, counters, /*minibatch_seed=*/9);
    Matrix sum = Matrix::Zero(2, f.dim()), sum_sq = sum;
    Vector value_sum = Vector::Zero(2);
    Matrix grad;
    const int draws = 4000;
    for (int k = 0; k < draws; ++k) {
      oracle.value_grad(x, value, grad);
      sum += grad;
      sum_sq += grad.cwiseProduct(grad);
      value_sum += value;
    }
    CHECK((grad - exact).norm() > 0);  // a single draw differs
    // The mean of the draws within 5 standard errors of ∇f (draws without
    // replacement: the error is at most that of independent rows).
    const Matrix mean = sum / draws;
    const Matrix se =
        ((sum_sq / draws - mean.cwiseProduct(mean)) / draws).cwiseSqrt();
    CHECK(((mean - exact).cwiseAbs() - 5 * se).maxCoeff() < 1e-12);
    CHECK((value_sum / draws - exact_value).cwiseAbs().maxCoeff() <
          0.02 * (1 + exact_value.cwiseAbs().maxCoeff()));
    CHECK(counters.data_passes == doctest::Approx(draws * 20.0 / 200.0));
    CHECK(counters.grad_evals == 2 * draws);
  }
}

TEST_CASE("objectives: a minibatch cell is reproducible and reaches near x*") {
  const Json suite_json = {
      {"tasks",
       {{{"name", "logistic_loss"},
         {"params", {{"n_data", 500}, {"dim", 4}, {"batch_size", 50}}}}}},
      {"algorithms",
       {{{"name", "gd"},
         {"params", {{"step_size", 1.0}, {"schedule", "inverse_sqrt"}}}}}},
      {"budget", {{"max_iterations", 2000}}},
      {"metrics",
       {{{"name", "suboptimality"}, {"settings", {{"iterate", "both"}}}}}}};
  const Suite suite = parse_suite(suite_json, "t.json");
  const Cell cell = expand_cells(suite).at(0);
  const Json a = run_cell(suite, cell);
  const Json b = run_cell(suite, cell);
  REQUIRE(a["status"] == "ok");
  CHECK(a["trace"]["metrics"] == b["trace"]["metrics"]);
  CHECK(a["final"]["data_passes"].get<double>() ==
        doctest::Approx(2000 * 50.0 / 500));
  // SGD with 1/√t steps: the averaged iterate is within 1e-2 of f*.
  const double initial = a["trace"]["metrics"]["suboptimality"][0];
  const double averaged = a["final"]["metrics"]["suboptimality@average"];
  CHECK(averaged < 1e-2);
  CHECK(averaged < 0.01 * initial);
}

TEST_CASE(
    "objectives: online_linear plays Reddi's sequence and its regret "
    "is the learner's mean loss minus min F") {
  // Projected GD with a fixed step, simulated here in plain arithmetic on
  // the experiment form's sequence, against the runner's cell.
  const double step = 1e-3;
  const long long rounds = 1000;
  double x = 0.0, loss = 0.0;
  for (long long t = 1; t <= rounds; ++t) {
    const double slope = t % 101 == 1 ? 1010.0 : -10.0;
    loss += slope * x;
    x = std::clamp(x - step * slope, -1.0, 1.0);
  }
  const double f_star = -10.0 / 101.0;  // F(x) = (1010 − 100·10)/101 · x
  const Json suite_json = {
      {"name", "online"},
      {"tasks", {{{"name", "online_linear"}}}},
      {"algorithms", {{{"name", "gd"}, {"params", {{"step_size", step}}}}}},
      {"budget", {{"max_iterations", rounds}}},
      {"metrics", {"average_regret", "distance_to_optimum", "suboptimality"}}};
  const Suite suite = parse_suite(suite_json, "online.json");
  const Json record = run_cell(suite, expand_cells(suite).at(0));
  REQUIRE(record["status"] == "ok");
  const Json& m = record["final"]["metrics"];
  CHECK(m["average_regret"].get<double>() ==
        doctest::Approx(loss / rounds - f_star).epsilon(1e-12));
  CHECK(m["distance_to_optimum"].get<double>() ==
        doctest::Approx(x + 1.0).epsilon(1e-12));
  CHECK(m["suboptimality"].get<double>() ==
        doctest::Approx((10.0 / 101.0) * (x + 1.0)).epsilon(1e-12));

  // The stochastic form draws the rare loss with probability p per round.
  const auto task = make_task({"online_linear", {{"form", "stochastic"}}});
  const auto& f = static_cast<const Objective&>(*task);
  Rng rng = make_rng(5);
  int rare = 0;
  const int n = 200000;
  Vector value;
  Matrix grad;
  for (int t = 1; t <= n; ++t) {
    f.value_grad_round(Matrix::Zero(1, 1), t, rng, value, grad);
    rare += grad(0, 0) > 0;
  }
  // 0.01 ± 5 standard errors (√(p(1−p)/n) ≈ 2.2e-4).
  CHECK(std::abs(rare / double(n) - 0.01) < 5 * 2.3e-4);
}

TEST_CASE(
    "objectives: a constrained problem skips algorithms that do not "
    "project") {
  const auto task = make_task({"online_linear", {}});
  const auto make = [](const std::string& name) {
    const AlgorithmEntry* entry = AlgorithmRegistry::instance().find(name);
    REQUIRE(entry != nullptr);
    return entry->make(Params(validate_params({}, entry->params, "", name)));
  };
  for (const char* name : {"lbfgs", "sam"}) {
    const auto algorithm = make(name);
    CHECK(incompatibility(*task, *algorithm).find("feasible_set") !=
          std::string::npos);
  }
  const auto adam = make("adam");
  CHECK(incompatibility(*task, *adam).empty());
}

TEST_CASE("objectives: declared convexity, μ and L hold on random pairs") {
  // f(y) ≥ f(x) + ∇f(x)ᵀ(y − x) + μ/2‖y − x‖² (μ = 0: convexity) and
  // f(y) ≤ f(x) + ∇f(x)ᵀ(y − x) + L/2‖y − x‖², on pairs of the task's own
  // initial points and points between them and x* (inside its domain).
  int convex = 0, smooth = 0;
  for (const TaskCase& c : all_cases()) {
    const auto task = make_task(c);
    if (task->kind() != TaskKind::objective) continue;
    const auto& f = static_cast<const Objective&>(*task);
    const ObjectiveProperties declared = f.properties();
    // The smoothness capability promises the declared L.
    if (f.offers(Capability::smoothness))
      CHECK(std::isfinite(declared.smoothness));
    if (!declared.convex && !std::isfinite(declared.smoothness)) continue;
    INFO(c.label());
    Rng rng = make_rng(11);
    Matrix points = f.initial_points(8, rng);
    if (f.offers(Capability::optimum))
      for (Index i = 0; i < 4; ++i)  // closer to x*, where L and μ bite
        points.row(i) = 0.5 * (points.row(i) + f.optimum().transpose());
    Vector value;
    Matrix grad;
    f.value_grad(points, value, grad);
    for (Index i = 0; i < points.rows(); ++i)
      for (Index j = 0; j < points.rows(); ++j) {
        if (i == j) continue;
        const RowVector step = points.row(j) - points.row(i);
        const double linear = value(i) + grad.row(i).dot(step);
        const double sq = step.squaredNorm();
        const double tol = 1e-9 * (1 + std::abs(value(i)) + std::abs(value(j)));
        if (declared.convex)
          CHECK(value(j) >=
                linear + 0.5 * declared.strong_convexity * sq - tol);
        if (std::isfinite(declared.smoothness))
          CHECK(value(j) <= linear + 0.5 * declared.smoothness * sq + tol);
      }
    convex += declared.convex;
    smooth += std::isfinite(declared.smoothness);
  }
  CHECK(convex >= 10);
  CHECK(smooth >= 8);
}
