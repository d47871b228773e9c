// Mirror descent on the simplex is exponentiated gradient, computed here
// independently; the Frank–Wolfe gap equals its definition as a maximum
// over the simplex's vertices and bounds F − F*; mirror descent reaches the
// face minimizer of simplex_least_squares, and the structure is enforced
// both ways (no Euclidean optimizer on the simplex, no mirror descent on ℝ^d).
#include <doctest/doctest.h>

#include <cmath>

#include "metrics/metric.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "task_cases.hpp"
#include "tasks/objective.hpp"

using namespace vibench;
using namespace vibench::testing;

TEST_CASE("mirror descent: one step is exponentiated gradient") {
  const auto task = make_task({"simplex_least_squares", {{"components", 6}}});
  const auto& f = static_cast<const Objective&>(*task);
  const AlgorithmEntry* entry =
      AlgorithmRegistry::instance().find("mirror_descent");
  REQUIRE(entry != nullptr);
  const double eta = 0.7;
  const auto algorithm = entry->make(
      Params(validate_params({{"step_size", eta}}, entry->params, "", "md")));
  Rng rng = make_rng(4);
  State initial;
  initial.points = f.initial_points(3, rng);
  Counters counters;
  const ObjectiveOracle oracle(f, counters);
  const auto run = algorithm->start(oracle, initial, make_rng(0));
  run->step();
  Vector value;
  Matrix grad;
  f.value_grad(initial.points, value, grad);
  for (Index r = 0; r < 3; ++r) {
    // p_i ∝ p_i e^{−η (g_i − g_K)}, p_K ∝ p_K (the shift g_K cancels).
    const Index d = f.dim();
    std::vector<double> p(static_cast<size_t>(d + 1));
    double last = 1, total = 0;
    for (Index i = 0; i < d; ++i) {
      p[i] = initial.points(r, i) * std::exp(-eta * grad(r, i));
      last -= initial.points(r, i);
    }
    p[d] = last;
    for (double v : p) total += v;
    for (Index i = 0; i < d; ++i)
      CHECK(run->state().points(r, i) ==
            doctest::Approx(p[i] / total).epsilon(1e-12));
  }
  CHECK(counters.grad_evals == 3);
}

TEST_CASE("frank_wolfe_gap: the maximum over the vertices, above F - F*") {
  const auto task = make_task({"simplex_least_squares", {{"components", 5}}});
  const auto& f = static_cast<const Objective&>(*task);
  const MetricEntry* metric =
      MetricRegistry::instance().find("frank_wolfe_gap");
  REQUIRE(metric != nullptr);
  Rng rng = make_rng(9);
  const Params settings(validate_params({}, metric->settings, "", "m"));
  for (int trial = 0; trial < 10; ++trial) {
    State state;
    state.points = f.initial_points(1, rng);
    const Matrix reference;
    const double gap =
        metric->compute(MetricContext{f, state, reference, settings});
    Vector value;
    Matrix grad;
    f.value_grad(state.points, value, grad);
    // Vertices in stored coordinates: e_j (j < d) and the origin (p = e_K).
    const Index d = f.dim();
    double best = grad.row(0).dot(state.points.row(0));  // s = origin
    for (Index j = 0; j < d; ++j)
      best = std::max(best, grad.row(0).dot(state.points.row(0)) - grad(0, j));
    CHECK(gap == doctest::Approx(best).epsilon(1e-12));
    CHECK(gap >= value(0) - f.optimal_value() - 1e-12);
  }
}

TEST_CASE(
    "mirror descent reaches the simplex minimizer; structure is "
    "enforced") {
  const Json suite_json = {
      {"name", "simplex"},
      {"tasks", {{{"name", "simplex_least_squares"}}, {{"name", "quadratic"}}}},
      {"algorithms",
       {{{"name", "mirror_descent"}, {"params", {{"step_size", 1.0}}}},
        {{"name", "adam"}}}},
      {"budget", {{"max_iterations", 3000}}},
      {"metrics", {"distance_to_optimum"}}};
  const Suite suite = parse_suite(suite_json, "simplex.json");
  for (const Cell& cell : expand_cells(suite)) {
    const Json record = run_cell(suite, cell);
    const bool simplex = record["task"]["name"] == "simplex_least_squares";
    const bool mirror = record["algorithm"]["name"] == "mirror_descent";
    INFO(cell.id);
    if (simplex != mirror) {
      CHECK(record["status"] == "skipped");
      continue;
    }
    if (!simplex) continue;
    REQUIRE(record["status"] == "ok");
    CHECK(record["final"]["metrics"]["distance_to_optimum"].get<double>() <
          1e-8);
  }
}
