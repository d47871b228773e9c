// MAID on quadratic_bilevel, where every quantity is known: it reaches x*
// from any initial accuracy and step, its error bound bounds the true
// error of its hypergradient, its accuracies adapt (and stay put when
// fixed), and its oracle counts match what its diagnostics say it did.
#include <doctest/doctest.h>

#include "algorithm_helpers.hpp"
#include "algorithms/algorithm.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/oracles.hpp"
#include "tasks/task.hpp"

namespace vibench {
namespace {

using testing::make_algorithm;

std::shared_ptr<const Bilevel> make_quadratic() {
  const TaskEntry* entry = TaskRegistry::instance().find("quadratic_bilevel");
  REQUIRE(entry != nullptr);
  const Json params = {{"dim_x", 4},
                       {"dim_y", 8},
                       {"condition_number", 20.0},
                       {"mu", 0.1},
                       {"instance", 3}};
  return std::static_pointer_cast<const Bilevel>(entry->make(
      Params(validate_params(params, entry->params, "", "quadratic_bilevel"))));
}

State start_state(const Bilevel& t, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  State s;
  s.points = 3.0 * rng.normal_matrix(1, t.dim_x());
  s.inner = rng.normal_matrix(1, t.dim_y());
  return s;
}

double distance_to_optimum(const Bilevel& t, const Matrix& x) {
  return (x.row(0).transpose() - t.optimum()).norm();
}

}  // namespace

TEST_CASE("maid reaches x* of quadratic_bilevel from any accuracy and step") {
  // The paper's claim of robustness, on a problem with a known answer:
  // initial accuracies from 1 to 1e-5 and first steps over four decades.
  const auto t = make_quadratic();
  const State initial = start_state(*t, 4);
  REQUIRE(distance_to_optimum(*t, initial.points) > 1.0);
  for (double accuracy : {1.0, 1e-1, 1e-3, 1e-5}) {
    for (double step : {1e-3, 1e-1, 10.0}) {
      INFO("accuracy " << accuracy << ", step " << step);
      Counters counters;
      const BilevelOracle oracle(*t, counters);
      auto run = make_algorithm("maid", {{"accuracy", accuracy},
                                         {"linear_accuracy", accuracy},
                                         {"step_size", step}})
                     ->start(oracle, initial, make_rng(0));
      for (int k = 0; k < 300; ++k) run->step();
      // From ‖x₀ − x*‖ ≈ 8 to 1e-5: below about 1e-6 the decrease a step
      // makes, about α‖h‖² ≈ 1e-14, is at F's rounding and at the line
      // search's inexactness terms, and no step is certified any more.
      CHECK(distance_to_optimum(*t, run->state().points) < 1e-5);
      CHECK((run->state().hypergradient - t->hypergradient(run->state().points))
                .norm() < 1e-5);
    }
  }
}

TEST_CASE("maid: its error bound holds, and its accuracies follow ‖h‖") {
  const auto t = make_quadratic();
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  auto run = make_algorithm("maid", {})
                 ->start(oracle, start_state(*t, 5), make_rng(1));
  double first_accuracy = 0;
  for (int k = 0; k < 60; ++k) {
    const Json d = run->diagnostics();
    const State& s = run->state();
    const double error = (s.hypergradient - t->hypergradient(s.points)).norm();
    INFO("step " << k << ": " << d.dump());
    // On a quadratic the constants the bound estimates are exact where it
    // matters: ∇²_yy g and ∇²_xy g do not depend on y.
    CHECK(d["hessian_lipschitz_estimate"].get<double>() == 0.0);
    CHECK(d["cross_lipschitz_estimate"].get<double>() == 0.0);
    // (up to the rounding of the exact hypergradient, reached near x*)
    CHECK(error <= d["error_bound"].get<double>() + 1e-12);
    // The descent test: the bound is a fraction (1 − η) of ‖h‖ at most.
    CHECK(d["error_bound"].get<double>() <=
          (1 - 1e-4) * s.hypergradient.norm());
    if (k == 0) first_accuracy = d["accuracy"].get<double>();
    run->step();
  }
  // Near x*, ‖h‖ is small and the accuracy has been tightened with it.
  CHECK(run->diagnostics()["accuracy"].get<double>() < 1e-3 * first_accuracy);
}

TEST_CASE("maid with fixed_accuracy keeps ε and δ") {
  const auto t = make_quadratic();
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  auto run = make_algorithm("maid", {{"fixed_accuracy", true},
                                     {"accuracy", 1e-2},
                                     {"linear_accuracy", 1e-3}})
                 ->start(oracle, start_state(*t, 6), make_rng(2));
  for (int k = 0; k < 20; ++k) run->step();
  const Json d = run->diagnostics();
  CHECK(d["accuracy"].get<double>() == 1e-2);
  CHECK(d["linear_accuracy"].get<double>() == 1e-3);
  CHECK(d["refinements"].get<long long>() == 0);
}

TEST_CASE("maid: oracle calls of one step match what it reports doing") {
  const auto t = make_quadratic();
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  auto run = make_algorithm("maid", {})
                 ->start(oracle, start_state(*t, 7), make_rng(3));
  for (int k = 0; k < 5; ++k) run->step();
  const Json before = run->diagnostics();
  const Counters c0 = counters;
  run->step();
  const Json after = run->diagnostics();
  auto delta = [&](const char* key) {
    return after[key].get<long long>() - before[key].get<long long>();
  };
  const long long trials = delta("line_search_trials");
  const long long estimates = delta("estimates");
  // An estimate follows every line search, and one more for every
  // tightening of the descent test.
  CHECK(estimates == delta("line_searches") + delta("refinements"));
  CHECK(counters.inner_grad_evals - c0.inner_grad_evals ==
        delta("lower_level_iterations"));
  CHECK(counters.outer_grad_evals - c0.outer_grad_evals == estimates + trials);
  // One value per estimate that passed the descent test (one per search).
  CHECK(counters.value_evals - c0.value_evals ==
        delta("line_searches") + trials);
  // Each estimate: CG's products, plus 2 for the constants; 1 + 1 cross.
  CHECK(counters.cross_evals - c0.cross_evals == 2 * estimates);
  CHECK(counters.hvp_evals - c0.hvp_evals >= 2 * estimates);
}

TEST_CASE("maid: oracle calls of one step, by hand") {
  // Accuracies so loose that every lower solve stops after its first
  // gradient and CG before its first product (q = 0, so no products for the
  // constants either), and the inexactness terms (ε = 1e6) forbid every
  // step: each of the 3 attempts tries 10, 11, 12 steps (a lower solve, a
  // value and an outer gradient each), then re-estimates (an inner and an
  // outer gradient, a cross product and a value).
  const auto t = make_quadratic();
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  const State initial = start_state(*t, 8);
  auto run = make_algorithm("maid", {{"fixed_accuracy", true},
                                     {"accuracy", 1e6},
                                     {"linear_accuracy", 1e6}})
                 ->start(oracle, initial, make_rng(4));
  CHECK(counters.inner_grad_evals == 1);
  CHECK(counters.outer_grad_evals == 1);
  CHECK(counters.cross_evals == 1);
  CHECK(counters.hvp_evals == 0);
  CHECK(counters.value_evals == 1);
  const Counters c0 = counters;
  run->step();
  const long long trials = 10 + 11 + 12;
  CHECK(counters.inner_grad_evals - c0.inner_grad_evals == trials + 3);
  CHECK(counters.outer_grad_evals - c0.outer_grad_evals == trials + 3);
  CHECK(counters.value_evals - c0.value_evals == trials + 3);
  CHECK(counters.cross_evals - c0.cross_evals == 3);
  CHECK(counters.hvp_evals - c0.hvp_evals == 0);
  CHECK(counters.oracle_calls - c0.oracle_calls == 2 * (trials + 3) + 3);
  CHECK(run->state().points == initial.points);
  CHECK(run->diagnostics()["failed_steps"] == 1);
}

TEST_CASE("maid refuses minibatch oracles up front") {
  const TaskEntry* entry =
      TaskRegistry::instance().find("finite_sum_quadratic");
  REQUIRE(entry != nullptr);
  const Json params = {{"dim_x", 3},
                       {"dim_y", 4},
                       {"n_inner", 30},
                       {"n_outer", 20},
                       {"batch_size", 8}};
  const auto t = entry->make(Params(
      validate_params(params, entry->params, "", "finite_sum_quadratic")));
  const std::string why = make_algorithm("maid", {})->check_task(*t);
  CHECK(why.find("minibatches of 8 rows") != std::string::npos);
}

}  // namespace vibench
