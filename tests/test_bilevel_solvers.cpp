// Bilevel solvers on problems whose answer is known: the linear-system
// solvers against dense linear algebra, every deterministic solver against
// x* of quadratic_bilevel (or the closed-form fixed point it is known to
// have), the oracle counters against hand counts of one step, the
// stochastic solvers on the finite-sum quadratic, and bad configurations.
#include <doctest/doctest.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>

#include "algorithm_helpers.hpp"
#include "algorithms/bilevel/linear_system.hpp"
#include "core/error.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "runner/suite.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/oracles.hpp"
#include "tasks/task.hpp"

namespace vibench {
namespace {

using testing::make_algorithm;
using testing::max_abs;

std::shared_ptr<const Bilevel> make_problem(const char* name,
                                            const Json& params) {
  const TaskEntry* entry = TaskRegistry::instance().find(name);
  REQUIRE(entry != nullptr);
  return std::static_pointer_cast<const Bilevel>(
      entry->make(Params(validate_params(params, entry->params, "", name))));
}

// quadratic_bilevel's matrices read back through its oracles (not from its
// closed forms): g = ½yᵀAy − yᵀBx, f = ½‖y − y_t‖² + ½μ‖x‖².
struct QuadraticPieces {
  Matrix a, b;
  Vector target;
  double mu;
  explicit QuadraticPieces(const Bilevel& t) {
    const Index dx = t.dim_x(), dy = t.dim_y();
    a = t.inner_hvp_yy(Matrix::Zero(dy, dx), Matrix::Zero(dy, dy),
                       Matrix::Identity(dy, dy));
    // ∇²_xy g v = −Bᵀv: rows for v = e_j are −(row j of B).
    b = -t.inner_cross(Matrix::Zero(dy, dx), Matrix::Zero(dy, dy),
                       Matrix::Identity(dy, dy));
    Matrix fx, fy;
    t.outer_grad(Matrix::Identity(1, dx), Matrix::Zero(1, dy), fx, fy);
    target = -fy.row(0).transpose();
    mu = fx(0, 0);
  }
};

const Json kQuadratic = {{"dim_x", 3},
                         {"dim_y", 4},
                         {"condition_number", 4.0},
                         {"mu", 0.2},
                         {"instance", 2}};

State start_state(const Bilevel& t, Index n, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  State s;
  s.points = rng.normal_matrix(n, t.dim_x());
  s.inner = rng.normal_matrix(n, t.dim_y());
  return s;
}

double distance_to_optimum(const Bilevel& t, const Matrix& x) {
  return (x.rowwise() - t.optimum().transpose()).rowwise().norm().maxCoeff();
}

}  // namespace

TEST_CASE("bilevel linear-system solvers against dense linear algebra") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  const QuadraticPieces q(*t);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  Rng rng = make_rng(5);
  const Matrix x = rng.normal_matrix(2, 3), y = rng.normal_matrix(2, 4),
               b = rng.normal_matrix(2, 4);
  const double eta = 0.2;
  const Matrix step = Matrix::Identity(4, 4) - eta * q.a;  // symmetric

  SUBCASE("cg solves the system in dim_y iterations") {
    LinearSystemSolver solver({LinearSolverKind::cg, 4, 0.0, false});
    Matrix v = Matrix::Zero(2, 4);
    solver.solve(oracle, x, y, b, v, rng);
    const Matrix exact = q.a.llt().solve(b.transpose()).transpose();
    CHECK(max_abs(v - exact) < 1e-10);
    CHECK(counters.hvp_evals == 2 * 4);
  }
  SUBCASE("neumann_shia is η Σ_{j≤K} (I − ηA)^j b") {
    LinearSystemSolver solver({LinearSolverKind::neumann_shia, 6, eta, false});
    Matrix v;
    solver.solve(oracle, x, y, b, v, rng);
    Matrix expected = Matrix::Zero(2, 4), term = b;
    for (int j = 0; j <= 6; ++j) {
      expected += term;
      term = term * step;
    }
    CHECK(max_abs(v - eta * expected) < 1e-12);
    CHECK(counters.hvp_evals == 2 * 6);
  }
  SUBCASE("neumann_hia averages to η Σ_{j<K} (I − ηA)^j b") {
    LinearSystemSolver solver({LinearSolverKind::neumann_hia, 5, eta, false});
    Matrix v, sum = Matrix::Zero(2, 4);
    const int draws = 20000;
    for (int k = 0; k < draws; ++k) {
      solver.solve(oracle, x, y, b, v, rng);
      sum += v;
    }
    Matrix expected = Matrix::Zero(2, 4), term = b;
    for (int j = 0; j < 5; ++j) {
      expected += term;
      term = term * step;
    }
    CHECK(max_abs(sum / draws - eta * expected) <
          0.02 * max_abs(eta * expected));
    // p ~ U{0..4}: 2 products per draw and row on average.
    CHECK(static_cast<double>(counters.hvp_evals) / (2.0 * draws) ==
          doctest::Approx(2.0).epsilon(0.03));
  }
  SUBCASE("gd takes K gradient steps on ½vᵀAv − bᵀv") {
    LinearSystemSolver solver({LinearSolverKind::gd, 3, eta, true});
    const Matrix v0 = rng.normal_matrix(2, 4);
    Matrix v = v0, expected = v0;
    solver.solve(oracle, x, y, b, v, rng);
    for (int j = 0; j < 3; ++j) expected = expected * step + eta * b;
    CHECK(max_abs(v - expected) < 1e-12);
  }
}

TEST_CASE("bilevel solvers reach x* of quadratic_bilevel") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  const State initial = start_state(*t, 2, 1);
  const double d0 = distance_to_optimum(*t, initial.points);
  REQUIRE(d0 > 0.5);
  struct Case {
    const char* name;
    Json params;
    int steps;
    double tolerance;  // on max_i ‖x_i − x*‖
  };
  // Inner steps of 1/L = 0.25; outer steps of about 1/L_F.
  const Case cases[] = {
      {"aid_cg", {{"inner_step_size", 0.25}, {"step_size", 0.5}}, 2000, 1e-8},
      {"aid_cg",
       {{"inner_step_size", 0.25},
        {"step_size", 0.5},
        {"inner_steps", 100},
        {"cg_iterations", 20},
        {"tolerance_decrease", "quadratic"}},
       2000,
       1e-8},
      {"aid_neumann",
       {{"inner_step_size", 0.25},
        {"step_size", 0.5},
        {"neumann_steps", 200},
        {"neumann_step_size", 0.25}},
       2000,
       1e-8},
      {"amigo",
       {{"inner_step_size", 0.25},
        {"step_size", 0.5},
        {"linear_step_size", 0.25}},
       2000,
       1e-8},
      {"itd",
       {{"inner_step_size", 0.25}, {"step_size", 0.5}, {"inner_steps", 120}},
       2000,
       1e-8},
      {"soba",
       {{"step_size", 0.25}, {"outer_ratio", 2.0}, {"schedule", "constant"}},
       20000,
       1e-8},
  };
  for (const Case& c : cases) {
    INFO(c.name << " " << c.params.dump());
    auto run =
        make_algorithm(c.name, c.params)->start(oracle, initial, make_rng(0));
    for (int k = 0; k < c.steps; ++k) run->step();
    CHECK(distance_to_optimum(*t, run->state().points) < c.tolerance);
    CHECK(max_abs(run->state().hypergradient -
                  t->hypergradient(run->state().points)) < 1e-6);
  }
}

TEST_CASE("ttsa: two decaying steps drive x to x* of quadratic_bilevel") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  const State initial = start_state(*t, 1, 12);
  // HIA's random truncation makes even the exact problem stochastic; the
  // k^{-3/5} outer steps average it out.
  auto run = make_algorithm("ttsa", {{"step_size", 0.5},
                                     {"inner_step_size", 0.25},
                                     {"neumann_steps", 20},
                                     {"neumann_step_size", 0.25}})
                 ->start(oracle, initial, make_rng(3));
  for (int k = 0; k < 20000; ++k) run->step();
  const double d = distance_to_optimum(*t, run->state().points);
  INFO("distance " << d);
  CHECK(d < 0.02 * distance_to_optimum(*t, initial.points));
}

TEST_CASE(
    "bo_rep: normalized steps reach x* of a quartic upper level from afar, "
    "where a fixed hypergradient step diverges") {
  Json params = kQuadratic;
  params["quartic"] = 1.0;
  const auto t = make_problem("quadratic_bilevel", params);
  // x* by Newton: the hypergradient vanishes there.
  CHECK(t->hypergradient(t->optimum().transpose()).norm() < 1e-10);
  State initial;
  initial.points = Matrix::Constant(1, 3, 10.0);
  initial.inner = Matrix::Zero(1, 4);
  const double d0 = distance_to_optimum(*t, initial.points);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  auto bo_rep = make_algorithm("bo_rep", {{"step_size", 0.01},
                                          {"inner_step_size", 0.25},
                                          {"linear_step_size", 0.25}})
                    ->start(oracle, initial, make_rng(0));
  for (int k = 0; k < 5000; ++k) bo_rep->step();
  const double d = distance_to_optimum(*t, bo_rep->state().points);
  INFO("start " << d0 << ", bo_rep " << d);
  // Each step moves x by exactly η = 0.01: the end is within a few η.
  CHECK(d < 0.05);
  // The same step size AID uses near x* (0.5, about 1/L_F there) blows up
  // where ‖∇²F‖ ≈ 3q‖x‖² ≈ 900.
  auto aid =
      make_algorithm("aid_cg", {{"inner_step_size", 0.25}, {"step_size", 0.5}})
          ->start(oracle, initial, make_rng(0));
  for (int k = 0; k < 20; ++k) aid->step();
  const Matrix& x = aid->state().points;
  CHECK((!x.allFinite() || x.cwiseAbs().maxCoeff() > 1e6));
  // Hand counts: refinement once, then lower-level updates every period.
  Counters fresh;
  const BilevelOracle oracle2(*t, fresh);
  auto run = make_algorithm(
                 "bo_rep",
                 {{"refinement_steps", 7}, {"period", 3}, {"inner_steps", 4}})
                 ->start(oracle2, initial, make_rng(0));
  CHECK(fresh.inner_grad_evals == 7);
  run->step();
  run->step();
  CHECK(fresh.inner_grad_evals == 7);
  run->step();  // t = 3: a lower-level update
  CHECK(fresh.inner_grad_evals == 7 + 4);
  CHECK(fresh.outer_grad_evals == 4);
  CHECK(fresh.hvp_evals == 4);
  CHECK(fresh.cross_evals == 4);
}

TEST_CASE("truncated_backprop: the bias shrinks with K; K = T is itd") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  const State initial = start_state(*t, 1, 2);
  const Json common = {{"inner_step_size", 0.1}, {"inner_steps", 60}};
  double previous = 1e300;
  for (long long k : {1, 3, 10, 30, 60}) {
    Json params = common;
    params["backprop_steps"] = k;
    auto run = make_algorithm("truncated_backprop", params)
                   ->start(oracle, initial, make_rng(0));
    const double error = max_abs(run->state().hypergradient -
                                 t->hypergradient(run->state().points));
    INFO("K = " << k << ", error " << error);
    CHECK(error < previous);
    previous = error;
  }
  auto itd = make_algorithm("itd", common)->start(oracle, initial, make_rng(0));
  Json full = common;
  full["backprop_steps"] = 60;
  auto k_is_t = make_algorithm("truncated_backprop", full)
                    ->start(oracle, initial, make_rng(0));
  CHECK(max_abs(itd->state().hypergradient - k_is_t->state().hypergradient) ==
        0.0);
  // Reverse mode through 60 steps of 0.1 from a random y: the gradient of
  // f(x, y_60(x)) is exact for that y_60, whose error (I − 0.1A)^60 is small.
  CHECK(previous < 0.05);
  CHECK_THROWS_WITH_AS(
      make_algorithm("truncated_backprop",
                     {{"inner_steps", 5}, {"backprop_steps", 6}}),
      doctest::Contains("backprop_steps = 6 exceeds inner_steps = 5"),
      ConfigError);
}

TEST_CASE("f2sa at a fixed λ converges to the penalty's closed-form x_λ") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  const QuadraticPieces q(*t);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  const State initial = start_state(*t, 1, 3);
  // For g = ½yᵀAy − yᵀBx, f = ½‖y − y_t‖² + ½μ‖x‖², the x-direction of
  // F2SA vanishes where (μI + λBᵀ(I + λA)⁻¹M) x = λBᵀ(I + λA)⁻¹y_t with
  // M = A⁻¹B; x_λ → x* as λ → ∞.
  const auto x_lambda = [&](double lambda) -> Vector {
    const Matrix resolvent = (Matrix::Identity(4, 4) + lambda * q.a).inverse();
    const Matrix m = q.a.llt().solve(q.b);
    const Matrix lhs = q.mu * Matrix::Identity(3, 3) +
                       lambda * q.b.transpose() * resolvent * m;
    return lhs.lu().solve(lambda * q.b.transpose() * resolvent * q.target);
  };
  double previous_gap = 1e300;
  for (double lambda : {1.0, 3.0, 10.0}) {
    // Steps 1/L of the y-problem f + λg (L = 1 + 4λ) and 0.05 for x.
    const Json params = {{"step_size", 1.0 / (1.0 + 4.0 * lambda)},
                         {"outer_ratio", 20.0 / (1.0 + 4.0 * lambda)},
                         {"lambda0", lambda},
                         {"lambda_increment", 0.0},
                         {"exponent_x", 0.0},
                         {"exponent_y", 0.0},
                         {"exponent_z", 0.0},
                         {"inner_steps", 20}};
    auto run =
        make_algorithm("f2sa", params)->start(oracle, initial, make_rng(0));
    for (int k = 0; k < 3000; ++k) run->step();
    const Vector x = run->state().points.row(0).transpose();
    INFO("lambda " << lambda);
    CHECK((x - x_lambda(lambda)).norm() < 1e-8);
    const double gap = (x_lambda(lambda) - t->optimum()).norm();
    CHECK(gap < previous_gap);
    previous_gap = gap;
  }
  CHECK(counters.hvp_evals == 0);
  CHECK(counters.cross_evals == 0);
}

TEST_CASE("bome approaches x* of quadratic_bilevel with first-order calls") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  Counters counters;
  const BilevelOracle oracle(*t, counters);
  const State initial = start_state(*t, 2, 4);
  auto run = make_algorithm("bome", {{"step_size", 0.05},
                                     {"inner_step_size", 0.25},
                                     {"inner_steps", 30}})
                 ->start(oracle, initial, make_rng(0));
  for (int k = 0; k < 20000; ++k) run->step();
  const double d = distance_to_optimum(*t, run->state().points);
  INFO("distance " << d);
  // BOME's guarantee is approximate stationarity (its q is only ≈ 0 and
  // λ stays finite), so it stalls near x*: here at about 1.5% of the
  // starting distance.
  CHECK(d < 3e-2 * distance_to_optimum(*t, initial.points));
  CHECK(counters.hvp_evals == 0);
  CHECK(counters.cross_evals == 0);
}

TEST_CASE("bilevel solvers: oracle calls of one step, counted by kind") {
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  const State initial = start_state(*t, 2, 6);
  struct Expected {
    const char* name;
    Json params;
    long long outer, inner, hvp, cross;  // per step and row
  };
  const Expected cases[] = {
      {"aid_cg", {{"inner_steps", 7}, {"cg_iterations", 5}}, 1, 7, 6, 1},
      {"aid_cg",
       {{"inner_steps", 7}, {"cg_iterations", 5}, {"warm_start_v", false}},
       1,
       7,
       5,
       1},
      {"aid_neumann", {{"inner_steps", 4}, {"neumann_steps", 9}}, 1, 4, 9, 1},
      {"stocbio", {}, 1, 10, 10, 1},
      {"amigo", {{"inner_steps", 3}, {"linear_steps", 8}}, 1, 3, 8, 1},
      {"itd", {{"inner_steps", 12}}, 1, 12, 11, 12},
      {"truncated_backprop",
       {{"inner_steps", 12}, {"backprop_steps", 4}},
       1,
       12,
       3,
       4},
      {"soba", {}, 1, 1, 1, 1},
      // HIA with K = 1 draws p = 0: no Hessian-vector product.
      {"ttsa", {{"neumann_steps", 1}}, 1, 1, 0, 1},
      {"f2sa", {{"inner_steps", 6}}, 7, 14, 0, 0},
      {"bome", {{"inner_steps", 9}}, 1, 11, 0, 0},
  };
  for (const Expected& c : cases) {
    INFO(c.name << " " << c.params.dump());
    Counters counters;
    const BilevelOracle oracle(*t, counters);
    auto run =
        make_algorithm(c.name, c.params)->start(oracle, initial, make_rng(0));
    const Counters before = counters;
    run->step();
    CHECK(counters.outer_grad_evals - before.outer_grad_evals == 2 * c.outer);
    CHECK(counters.inner_grad_evals - before.inner_grad_evals == 2 * c.inner);
    CHECK(counters.hvp_evals - before.hvp_evals == 2 * c.hvp);
    CHECK(counters.cross_evals - before.cross_evals == 2 * c.cross);
    CHECK(counters.grad_evals - before.grad_evals == 2 * (c.outer + c.inner));
    // No data: every call is one oracle call per row.
    CHECK(counters.oracle_calls - before.oracle_calls ==
          2 * (c.outer + c.inner + c.hvp + c.cross));
  }
}

TEST_CASE("stochastic bilevel solvers on the finite-sum quadratic") {
  const auto t = make_problem("finite_sum_quadratic", {{"dim_x", 10},
                                                       {"dim_y", 10},
                                                       {"n_inner", 200},
                                                       {"n_outer", 200},
                                                       {"batch_size", 16}});
  const State initial = start_state(*t, 1, 7);
  const auto grad_norm2 = [&](const Matrix& x) {
    return t->hypergradient(x).squaredNorm();
  };
  const double g0 = grad_norm2(initial.points);
  REQUIRE(g0 > 1.0);
  // SOBA's decaying steps; stocBiO with decaying steps too, and enough
  // Neumann terms (η = 0.5 < 2/L ≈ 1.2) that its truncation bias is below
  // the noise. Both reach ~3e-3 over seeds in 3000 steps.
  const std::pair<std::string, Json> cases[] = {{"soba", {{"step_size", 0.5}}},
                                                {"stocbio",
                                                 {{"step_size", 0.5},
                                                  {"schedule", "inverse_sqrt"},
                                                  {"neumann_steps", 40},
                                                  {"neumann_step_size", 0.5}}}};
  for (const auto& [name, params] : cases) {
    INFO(name);
    Counters counters;
    const BilevelOracle oracle(*t, counters, /*minibatch_seed=*/11);
    auto run =
        make_algorithm(name, params)->start(oracle, initial, make_rng(0));
    for (int k = 0; k < 3000; ++k) run->step();
    CHECK(grad_norm2(run->state().points) < 0.03);
    // Every oracle call read a batch of 16 rows.
    CHECK(counters.oracle_calls % 16 == 0);
    CHECK(counters.data_passes > 0);
  }
}

TEST_CASE("bilevel solvers: a Neumann step beyond 2/L is refused up front") {
  // quadratic_bilevel declares L = condition_number = 4: 2/L = 0.5.
  const auto t = make_problem("quadratic_bilevel", kQuadratic);
  CHECK(make_algorithm("aid_neumann", {{"neumann_step_size", 0.4}})
            ->check_task(*t)
            .empty());
  CHECK(make_algorithm("aid_neumann", {{"neumann_step_size", 0.5}})
            ->check_task(*t)
            .find("neumann_step_size = 0.5 is at least 2/L = 0.5") !=
        std::string::npos);
  CHECK(!make_algorithm("amigo", {{"linear_step_size", 0.7}})
             ->check_task(*t)
             .empty());
  CHECK(make_algorithm("aid_cg", Json::object())->check_task(*t).empty());
  const Json suite = {
      {"tasks", {{{"name", "quadratic_bilevel"}, {"params", kQuadratic}}}},
      {"algorithms",
       {{{"name", "stocbio"}, {"params", {{"neumann_step_size", 0.6}}}}}},
      {"metrics", {"hypergradient_norm"}},
      {"seeds", 1},
      {"budget", {{"max_iterations", 10}}}};
  CHECK_THROWS_WITH_AS(parse_suite(suite, "suite.json"),
                       doctest::Contains("cannot run on task"), ConfigError);
}

}  // namespace vibench

namespace vibench {

TEST_CASE("bilevel finite sums: per-sample terms average to the oracles") {
  struct Case {
    const char* name;
    Json params;
  };
  const Case cases[] = {
      {"finite_sum_quadratic",
       {{"dim_x", 3}, {"dim_y", 4}, {"n_inner", 30}, {"n_outer", 20}}},
      {"logistic_hyperparameters", {{"data", "pima"}}},
      {"data_hypercleaning",
       {{"validation_fraction", 0.45}, {"test_fraction", 0.45}}},
      {"softmax_hyperparameters",
       {{"regularizers", "per_feature"},
        {"validation_fraction", 0.45},
        {"test_fraction", 0.45}}},
  };
  for (const Case& c : cases) {
    INFO(std::string(c.name));
    const auto t = make_problem(c.name, c.params);
    REQUIRE(t->offers(Capability::sample_terms));
    Rng rng = make_rng(8);
    const RowVector x = 0.5 * rng.normal_matrix(1, t->dim_x()),
                    y = 0.3 * rng.normal_matrix(1, t->dim_y()),
                    v = rng.normal_matrix(1, t->dim_y());
    std::vector<Index> inner, outer;
    for (Index i = 0; i < t->inner_data_size(); ++i) inner.push_back(i);
    for (Index j = 0; j < t->outer_data_size(); ++j) outer.push_back(j);
    Matrix gy, hvp, cross, fx, fy, efx, efy, egx, egy;
    t->inner_sample_terms(x, y, v, inner, gy, hvp, cross);
    t->outer_sample_terms(x, y, outer, fx, fy);
    t->inner_grad(x, y, egx, egy);
    t->outer_grad(x, y, efx, efy);
    CHECK(gy.rows() == t->inner_data_size());
    CHECK(fy.rows() == t->outer_data_size());
    CHECK(max_abs(gy.colwise().mean() - egy) < 1e-12);
    CHECK(max_abs(hvp.colwise().mean() - t->inner_hvp_yy(x, y, v)) < 1e-12);
    CHECK(max_abs(cross.colwise().mean() - t->inner_cross(x, y, v)) < 1e-12);
    CHECK(max_abs(fx.colwise().mean() - efx) < 1e-12);
    CHECK(max_abs(fy.colwise().mean() - efy) < 1e-12);
    // A subset gives those rows' terms, in the order asked (up to the
    // rounding of products over fewer rows).
    Matrix gy2, hvp2, cross2;
    t->inner_sample_terms(x, y, v, {7, 2}, gy2, hvp2, cross2);
    CHECK(max_abs(gy2.row(0) - gy.row(7)) < 1e-13);
    CHECK(max_abs(hvp2.row(0) - hvp.row(7)) < 1e-13);
    CHECK(max_abs(cross2.row(1) - cross.row(2)) < 1e-13);
  }
}

TEST_CASE("saba runs on a data problem's per-sample terms and descends") {
  // logistic_hyperparameters on pima with minibatches of 32: SABA's SAGA
  // memories of every row's terms; its constant step cuts ‖∇F‖ by 5 in
  // 4·10⁵ oracle calls, where SOBA's decaying steps leave it where it was.
  const auto t = make_problem("logistic_hyperparameters",
                              {{"data", "pima"}, {"batch_size", 32}});
  State initial;
  initial.points = Matrix::Zero(1, t->dim_x());
  initial.inner = Matrix::Zero(1, t->dim_y());
  const double g0 = t->hypergradient(initial.points).norm();
  auto final_norm = [&](const char* name) {
    Counters counters;
    const BilevelOracle oracle(*t, counters, 5);
    auto run = make_algorithm(name, {{"step_size", 0.5}})
                   ->start(oracle, initial, make_rng(0));
    while (counters.oracle_calls < 400000) run->step();
    return t->hypergradient(run->state().points).norm();
  };
  const double saba = final_norm("saba"), soba = final_norm("soba");
  INFO("‖∇F‖ from " << g0 << ": saba " << saba << ", soba " << soba);
  CHECK(saba < 0.2 * g0);
  CHECK(soba > 0.5 * g0);
}

TEST_CASE("saba converges linearly with constant steps where soba cannot") {
  const auto t = make_problem("finite_sum_quadratic", {{"dim_x", 5},
                                                       {"dim_y", 5},
                                                       {"n_inner", 40},
                                                       {"n_outer", 40},
                                                       {"batch_size", 4}});
  const State initial = start_state(*t, 1, 9);
  const auto grad_norm2 = [&](const Matrix& x) {
    return t->hypergradient(x).squaredNorm();
  };
  Counters counters;
  const BilevelOracle oracle(*t, counters, /*minibatch_seed=*/3);
  auto saba = make_algorithm("saba", {{"step_size", 0.3}})
                  ->start(oracle, initial, make_rng(1));
  // The memories' first full pass: 40 inner rows × 3 terms + 40 outer.
  CHECK(counters.oracle_calls == 160);
  const Counters before = counters;
  saba->step();
  CHECK(counters.oracle_calls - before.oracle_calls == 4 * 3 + 4);
  CHECK(counters.inner_grad_evals - before.inner_grad_evals == 1);
  CHECK(counters.hvp_evals - before.hvp_evals == 1);
  CHECK(counters.cross_evals - before.cross_evals == 1);
  CHECK(counters.outer_grad_evals - before.outer_grad_evals == 1);
  std::vector<double> saba_trace;
  for (int k = 1; k <= 6000; ++k) {
    saba->step();
    if (k % 200 == 0) saba_trace.push_back(grad_norm2(saba->state().points));
  }
  // Linear: every 200 steps divide ‖∇F‖² by at least 10 until the rounding
  // floor.
  for (size_t k = 1; k < saba_trace.size(); ++k) {
    INFO("step " << 200 * (k + 1) << ": " << saba_trace[k]);
    CHECK((saba_trace[k] < 0.1 * saba_trace[k - 1] || saba_trace[k] < 1e-26));
  }
  CHECK(saba_trace.back() < 1e-26);
  // SOBA with the same constant step stalls at its noise floor.
  Counters soba_counters;
  const BilevelOracle soba_oracle(*t, soba_counters, /*minibatch_seed=*/3);
  auto soba =
      make_algorithm("soba", {{"step_size", 0.3}, {"schedule", "constant"}})
          ->start(soba_oracle, initial, make_rng(1));
  for (int k = 0; k < 6000; ++k) soba->step();
  CHECK(grad_norm2(soba->state().points) > 1e-8);
}

}  // namespace vibench
