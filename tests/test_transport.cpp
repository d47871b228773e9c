// Entropic optimal transport: the stored optimum is the minimizer on the
// transport polytope (marginals, the Gibbs form of its optimality
// conditions, and no feasible perturbation does better); Sinkhorn reaches it
// and is counted; the marginal violation is its definition; bad marginals
// are rejected with their parameter named.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/kernel_backend.hpp"
#include "metrics/metric.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "task_cases.hpp"
#include "tasks/objective.hpp"
#include "tasks/transport.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

Matrix unflatten(const Vector& p, Index n, Index m) {
  Matrix coupling(n, m);
  for (Index i = 0; i < n; ++i) coupling.row(i) = p.segment(i * m, m);
  return coupling;
}

}  // namespace

TEST_CASE(
    "entropic_ot: the stored coupling is the minimizer on the "
    "polytope") {
  for (const Json& params : {Json{{"n_source", 7}, {"n_target", 5}},
                             Json{{"n_source", 20},
                                  {"n_target", 30},
                                  {"epsilon", 0.01},
                                  {"dim", 3},
                                  {"instance", 2}},
                             Json{{"n_source", 3},
                                  {"n_target", 2},
                                  {"source_weights", {0.2, 0.5, 0.3}},
                                  {"target_weights", {0.9, 0.1}}}}) {
    INFO(params.dump());
    const auto task = make_task({"entropic_ot", params});
    const auto& f = static_cast<const Objective&>(*task);
    const TransportProblem& t = f.transport();
    const Index n = t.a.size(), m = t.b.size();
    const Matrix p = unflatten(f.optimum(), n, m);
    CHECK((p.rowwise().sum() - t.a).cwiseAbs().sum() < 1e-12);
    CHECK((p.colwise().sum().transpose() - t.b).cwiseAbs().sum() < 1e-12);
    // Gibbs form: log P + C/ε = (f_i + g_j)/ε, a sum of a row and a column
    // term, so its double centering vanishes.
    const Matrix s = p.array().log().matrix() + t.cost / t.epsilon;
    const Matrix centered = (s.colwise() - s.rowwise().mean()).rowwise() -
                            s.colwise().mean() +
                            Matrix::Constant(n, m, s.mean());
    CHECK(centered.cwiseAbs().maxCoeff() < 1e-8);
    // Feasible perturbations (zero row and column sums) only increase F.
    Rng rng = make_rng(5);
    for (int trial = 0; trial < 30; ++trial) {
      const Index i = trial % n, k = (trial + 1) % n;
      const Index j = trial % m, l = (trial + 1) % m;
      if (i == k || j == l) continue;
      Matrix d = Matrix::Zero(n, m);
      d(i, j) = d(k, l) = 1;
      d(i, l) = d(k, j) = -1;
      const double step = 0.5 * p.minCoeff() * rng.uniform();
      for (double sign : {-1.0, 1.0}) {
        const Matrix q = p + sign * step * d;
        Vector value;
        Matrix grad;
        Matrix row(1, n * m);
        for (Index r = 0; r < n; ++r) row.block(0, r * m, 1, m) = q.row(r);
        f.value_grad(row, value, grad);
        CHECK(value(0) >= f.optimal_value() - 1e-14);
      }
    }
  }
}

TEST_CASE(
    "sinkhorn: reaches the entropic optimum, counted in kernel "
    "products; marginal violation by its definition") {
  const Json suite_json = {
      {"tasks",
       {{{"name", "entropic_ot"},
         {"params", {{"n_source", 15}, {"n_target", 12}}}},
        {{"name", "quadratic"}}}},
      {"algorithms", {{{"name", "sinkhorn"}}, {{"name", "adam"}}}},
      {"budget", {{"max_iterations", 3000}}},
      {"metrics", {"marginal_violation", "distance_to_optimum", "grad_norm"}}};
  const Suite suite = parse_suite(suite_json, "ot.json");
  for (const Cell& cell : expand_cells(suite)) {
    const Json record = run_cell(suite, cell);
    const bool ot = record["task"]["name"] == "entropic_ot";
    const bool sinkhorn = record["algorithm"]["name"] == "sinkhorn";
    INFO(cell.id);
    if (ot != sinkhorn) {
      CHECK(record["status"] == "skipped");
      continue;
    }
    if (!ot) continue;
    REQUIRE(record["status"] == "ok");
    const Json& m = record["final"]["metrics"];
    CHECK(m["marginal_violation"].get<double>() < 1e-12);
    CHECK(m["distance_to_optimum"].get<double>() < 1e-10);
    CHECK(record["final"]["grad_evals"] == 2 * 3000);
    CHECK(record["diagnostics"]["metrics_unavailable"].contains("grad_norm"));
  }

  // The metric against a hand-made coupling: rows (0.3, 0.1), (0.2, 0.4)
  // against a = b = (½, ½): |0.4 − ½| + |0.6 − ½| + |0.5 − ½| + |0.5 − ½|.
  const auto task = make_task(
      {"entropic_ot", {{"n_source", 2}, {"n_target", 2}, {"dim", 1}}});
  const MetricEntry* metric =
      MetricRegistry::instance().find("marginal_violation");
  REQUIRE(metric != nullptr);
  State state;
  state.points = Matrix(1, 4);
  state.points << 0.3, 0.1, 0.2, 0.4;
  const Matrix none;
  const Params settings(validate_params({}, metric->settings, "", "m"));
  CHECK(metric->compute(MetricContext{*task, state, none, settings}) ==
        doctest::Approx(0.2).epsilon(1e-14));
}

TEST_CASE("entropic_ot: marginals that are not a distribution are rejected") {
  CHECK_THROWS_WITH_AS(
      make_task(
          {"entropic_ot", {{"n_source", 2}, {"source_weights", {0.5, 0.6}}}}),
      doctest::Contains("summing to 1"), ConfigError);
  CHECK_THROWS_AS(
      make_task(
          {"entropic_ot", {{"n_source", 2}, {"source_weights", {1.5, -0.5}}}}),
      ConfigError);
}

TEST_CASE("entropic_ot: the soft-minimum is the same on both kernel backends") {
  // Against a pair-by-pair log-sum-exp, and natively (the backend's vector
  // exp) against portably (Eigen's) to rounding. Columns of a height that
  // leaves a tail past the widest vector.
  Rng rng = make_rng(9);
  const Matrix cost = rng.normal_matrix(13, 29).cwiseAbs();
  const Vector h = rng.normal_matrix(29, 1);
  for (const double epsilon : {0.01, 0.5}) {
    Vector expected(13);
    for (Index i = 0; i < 13; ++i) {
      double top = -1e300;
      for (Index j = 0; j < 29; ++j)
        top = std::max(top, (h(j) - cost(i, j)) / epsilon);
      double sum = 0;
      for (Index j = 0; j < 29; ++j)
        sum += std::exp((h(j) - cost(i, j)) / epsilon - top);
      expected(i) = -epsilon * (top + std::log(sum));
    }
    std::vector<KernelBackend> backends = {KernelBackend::portable};
    if (native_kernels_built()) backends.push_back(KernelBackend::native);
    for (const KernelBackend backend : backends) {
      const ScopedKernelBackend scoped(backend);
      const Vector v = soft_min_rows(cost, h, epsilon);
      CHECK((v - expected).cwiseAbs().maxCoeff() <=
            1e-13 * expected.cwiseAbs().maxCoeff());
    }
  }
}
