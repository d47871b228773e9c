// The games of the saddle-point registry: their declared regularity
// (monotone, strongly monotone, comonotone, Lipschitz) on random pairs,
// their solutions, and every gap against an independent computation (a
// GLPK linear program for matrix games, best responses found through the
// operator and the Lagrangian for the others).
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/matrix_game_lp.hpp"
#include "core/rng.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "task_cases.hpp"
#include "tasks/oracles.hpp"
#include "tasks/saddle_point.hpp"

using namespace vibench;
using namespace vibench::testing;

namespace {

std::vector<TaskCase> game_cases() {
  std::vector<TaskCase> out;
  for (const TaskCase& c : preset_cases())
    if (make_task(c)->kind() == TaskKind::saddle_point) out.push_back(c);
  for (const TaskCase& c : default_cases())
    if (make_task(c)->kind() == TaskKind::saddle_point) out.push_back(c);
  return out;
}

const SaddlePoint& as_game(const std::shared_ptr<const Task>& task) {
  return static_cast<const SaddlePoint&>(*task);
}

// The full strategy (θ, 1 − Σθ).
Vector complete(const Vector& theta) {
  Vector full(theta.size() + 1);
  full << theta, 1.0 - theta.sum();
  return full;
}

}  // namespace

TEST_CASE("games: the declared regularity holds on random pairs") {
  int checked = 0;
  for (const TaskCase& c : game_cases()) {
    INFO(c.label());
    const auto task = make_task(c);
    const SaddlePoint& game = as_game(task);
    const SaddleProperties p = game.properties();
    if (!p.monotone && p.comonotonicity == 0 && !std::isfinite(p.lipschitz))
      continue;
    Rng rng = make_rng(11);
    const Matrix z = game.initial_points(40, rng);
    const Matrix w = game.initial_points(40, rng);
    const Matrix dz = z - w;
    const Matrix df = game.operator_value(z) - game.operator_value(w);
    for (Index i = 0; i < z.rows(); ++i) {
      const double inner = df.row(i).dot(dz.row(i));
      const double scale =
          1e-10 * (1 + dz.row(i).squaredNorm() + df.row(i).squaredNorm());
      if (p.monotone)
        CHECK(inner >= p.strong_monotonicity * dz.row(i).squaredNorm() - scale);
      if (p.comonotonicity > 0)
        CHECK(inner >= -p.comonotonicity * df.row(i).squaredNorm() - scale);
      if (std::isfinite(p.lipschitz))
        CHECK(df.row(i).norm() <= p.lipschitz * dz.row(i).norm() * (1 + 1e-10));
    }
    if (game.offers(Capability::linear_operator)) {
      // L is ‖M‖₂ exactly: a power iteration on MᵀM reaches it.
      Matrix m;
      Vector q;
      game.linear_operator(m, q);
      CHECK(game.operator_value(z).isApprox(
          (z * m.transpose()).rowwise() + q.transpose(), 1e-12));
      Vector v = Vector::Ones(m.cols());
      for (int k = 0; k < 2000; ++k) v = (m.transpose() * (m * v)).normalized();
      CHECK((m * v).norm() == doctest::Approx(p.lipschitz).epsilon(1e-8));
    }
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("games: z* solves F(z*) = 0 and every gap vanishes there") {
  for (const TaskCase& c : game_cases()) {
    INFO(c.label());
    const auto task = make_task(c);
    const SaddlePoint& game = as_game(task);
    if (!game.offers(Capability::optimum)) continue;
    const Matrix star = game.solution().transpose();
    if (!game.offers(Capability::mirror_domain))  // unconstrained: F(z*) = 0
      CHECK(game.operator_value(star).norm() < 1e-10);
    if (game.offers(Capability::duality_gap))
      CHECK(std::abs(game.duality_gap(star)(0)) < 1e-10);
    if (game.offers(Capability::restricted_gap))
      CHECK(std::abs(game.restricted_gap(star, 2.0)(0)) < 1e-10);
  }
}

TEST_CASE(
    "matrix games: the LP's value and equilibrium, and the duality gap "
    "against best responses computed by GLPK") {
  for (const TaskCase& c : game_cases()) {
    if (c.name != "matrix_game" || c.params.value("regularization", 0.0) > 0)
      continue;
    INFO(c.label());
    const auto task = make_task(c);
    const SaddlePoint& game = as_game(task);
    const Index m = game.dim_x() + 1, n = game.dim_y() + 1;
    // Recover A from the Lagrangian at the vertices (value() only).
    Matrix a(m, n);
    for (Index i = 0; i < m; ++i)
      for (Index j = 0; j < n; ++j) {
        Matrix z = Matrix::Zero(1, m - 1 + n - 1);
        if (i < m - 1) z(0, i) = 1.0;
        if (j < n - 1) z(0, m - 1 + j) = 1.0;
        a(i, j) = game.value(z)(0);
      }
    const Vector star = game.solution();
    const Vector x_star = complete(star.head(m - 1));
    const Vector y_star = complete(star.tail(n - 1));
    CHECK(x_star.minCoeff() >= -1e-12);
    CHECK(y_star.minCoeff() >= -1e-12);
    // The equilibrium guarantees the value from both sides.
    const double value = x_star.dot(a * y_star);
    CHECK((a.transpose() * x_star).maxCoeff() <= value + 1e-10);
    CHECK((a * y_star).minCoeff() >= value - 1e-10);
    if (c.params.value("payoff", "random") == "rps") {
      CHECK(std::abs(value) < 1e-12);
      CHECK((x_star.array() - 1.0 / 3).abs().maxCoeff() < 1e-12);
    }
    if (c.params.value("payoff", "random") == "intransitive")
      CHECK(value == doctest::Approx(0.5).epsilon(1e-12));
    // At random points, each best response is itself an LP: the row
    // player's game with one row xᵀA has value max_j (Aᵀx)_j.
    Rng rng = make_rng(5);
    const Matrix z = game.initial_points(6, rng);
    const Vector gap = game.duality_gap(z);
    for (Index r = 0; r < z.rows(); ++r) {
      const Vector x = complete(z.row(r).head(m - 1).transpose());
      const Vector y = complete(z.row(r).tail(n - 1).transpose());
      const double best_y =
          solve_matrix_game((a.transpose() * x).transpose()).value;
      const double best_x = -solve_matrix_game(-(a * y).transpose()).value;
      CHECK(gap(r) == doctest::Approx(best_y - best_x).epsilon(1e-10));
      CHECK(gap(r) >= 0);
    }
  }
}

TEST_CASE(
    "quadratic game: the closed-form duality gap equals L at the best "
    "responses, found by linear solves through the operator") {
  const auto task =
      make_task({"quadratic_game", {{"dim", 4}, {"mu", 0.3}, {"instance", 2}}});
  const SaddlePoint& game = as_game(task);
  const Index d = game.dim_x();
  Rng rng = make_rng(3);
  const Matrix z = 2.0 * game.initial_points(5, rng);
  const Vector gap = game.duality_gap(z);
  // F is affine: probe it at 0 and the unit vectors to read M and q.
  const Matrix zero = Matrix::Zero(1, 2 * d);
  const Vector q = game.operator_value(zero).row(0).transpose();
  Matrix m(2 * d, 2 * d);
  for (Index k = 0; k < 2 * d; ++k) {
    Matrix e = zero;
    e(0, k) = 1.0;
    m.col(k) = game.operator_value(e).row(0).transpose() - q;
  }
  for (Index r = 0; r < z.rows(); ++r) {
    const Vector x = z.row(r).head(d).transpose();
    const Vector y = z.row(r).tail(d).transpose();
    // y_br: F_y(x, y′) = 0, i.e. M_yx x + M_yy y′ + q_y = 0; likewise x_br.
    const Vector y_br = m.bottomRightCorner(d, d).lu().solve(
        -(m.bottomLeftCorner(d, d) * x + q.tail(d)));
    const Vector x_br = m.topLeftCorner(d, d).lu().solve(
        -(m.topRightCorner(d, d) * y + q.head(d)));
    Matrix pair(2, 2 * d);
    pair.row(0) << x.transpose(), y_br.transpose();
    pair.row(1) << x_br.transpose(), y.transpose();
    const Vector values = game.value(pair);
    CHECK(gap(r) == doctest::Approx(values(0) - values(1)).epsilon(1e-10));
    CHECK(gap(r) > 0);
  }
}

TEST_CASE(
    "bilinear: the restricted gap is attained at the balls' maximizers and "
    "never exceeded inside them; a rectangular game's solution set") {
  for (const Json& params :
       {Json{{"dim", 3}}, Json{{"dim", 2}, {"dim_y", 5}, {"instance", 2}}}) {
    INFO(params.dump());
    const auto task = make_task({"bilinear", params});
    const SaddlePoint& game = as_game(task);
    const Index dx = game.dim_x(), dy = game.dim_y();
    const Vector star = game.solution();
    const double radius = 0.7;
    Rng rng = make_rng(8);
    const Matrix z = game.initial_points(4, rng);
    const Vector gap = game.restricted_gap(z, radius);
    const Matrix f = game.operator_value(z);
    for (Index r = 0; r < z.rows(); ++r) {
      // L(x, ·) is linear with gradient −F_y; L(·, y) with gradient F_x.
      const Vector gy = -f.row(r).tail(dy).transpose();
      const Vector gx = f.row(r).head(dx).transpose();
      Matrix best(2, dx + dy);
      best.row(0) << z.row(r).head(dx),
          (star.tail(dy) + radius * gy.normalized()).transpose();
      best.row(1) << (star.head(dx) - radius * gx.normalized()).transpose(),
          z.row(r).tail(dy);
      const Vector v = game.value(best);
      CHECK(gap(r) == doctest::Approx(v(0) - v(1)).epsilon(1e-10));
      for (int k = 0; k < 200; ++k) {
        Vector u = rng.normal_vector(dx + dy);
        Matrix inside(2, dx + dy);
        inside.row(0) << z.row(r).head(dx),
            (star.tail(dy) + radius * rng.uniform() * u.tail(dy).normalized())
                .transpose();
        inside.row(1) << (star.head(dx) +
                          radius * rng.uniform() * u.head(dx).normalized())
                             .transpose(),
            z.row(r).tail(dy);
        const Vector w = game.value(inside);
        CHECK(w(0) - w(1) <= gap(r) + 1e-12);
      }
    }
    if (dx != dy) {
      // Moving along the null spaces stays on the solution set.
      Matrix m;
      Vector q;
      game.linear_operator(m, q);
      const Eigen::FullPivLU<Matrix> lu(m);
      const Matrix kernel = lu.kernel();
      REQUIRE(kernel.cols() == std::abs(dx - dy));
      const Matrix moved =
          (star + kernel * Vector::Ones(kernel.cols())).transpose();
      CHECK(game.operator_value(moved).norm() < 1e-10);
      CHECK(game.distance_to_solution(moved)(0) < 1e-10);
      CHECK((moved.row(0).transpose() - star).norm() > 0.5);
    }
  }
}

TEST_CASE(
    "regularized matrix game: the equilibrium solves x ∝ ρ e^{−Ay/β}, "
    "y ∝ ρ e^{Aᵀx/β}, and the gap equals L at the softmax best responses") {
  for (const char* reference : {"uniform", "random"}) {
    INFO(reference);
    const Json params = {{"payoff", "intransitive"},
                         {"actions", 7},
                         {"instance", 3},
                         {"reference", reference}};
    Json regularized_params = params;
    regularized_params["regularization"] = 0.2;
    const auto plain = make_task({"matrix_game", params});
    const auto task = make_task({"matrix_game", regularized_params});
    const SaddlePoint& game = as_game(task);
    REQUIRE(game.offers(Capability::kl_regularized));
    const Index k = game.dim_x() + 1;
    // A from the plain game's Lagrangian at the vertices.
    Matrix a(k, k);
    for (Index i = 0; i < k; ++i)
      for (Index j = 0; j < k; ++j) {
        Matrix z = Matrix::Zero(1, 2 * (k - 1));
        if (i < k - 1) z(0, i) = 1.0;
        if (j < k - 1) z(0, k - 1 + j) = 1.0;
        a(i, j) = as_game(plain).value(z)(0);
      }
    const KlRegularization reg = game.kl_regularization();
    CHECK(reg.beta == 0.2);
    // ρ from its dual coordinates: ρ ∝ (e^{η}, 1).
    Vector rho(k);
    rho << reg.reference_dual.head(k - 1).transpose().array().exp().matrix(),
        1.0;
    rho /= rho.sum();
    auto softmax = [](const Vector& logits) {
      const Vector e = (logits.array() - logits.maxCoeff()).exp().matrix();
      return Vector(e / e.sum());
    };
    const Vector star = game.solution();
    const Vector x = complete(star.head(k - 1));
    const Vector y = complete(star.tail(k - 1));
    const Vector log_rho = rho.array().log().matrix();
    CHECK((x - softmax(log_rho - a * y / reg.beta)).cwiseAbs().maxCoeff() <
          1e-10);
    CHECK((y - softmax(log_rho + a.transpose() * x / reg.beta))
              .cwiseAbs()
              .maxCoeff() < 1e-10);
    CHECK(std::abs(game.duality_gap(star.transpose())(0)) < 1e-10);
    // At random points: the best responses are softmaxes, and the gap is
    // L(x, y_br) − L(x_br, y) through value().
    Rng rng = make_rng(7);
    const Matrix z = game.initial_points(4, rng);
    const Vector gap = game.duality_gap(z);
    for (Index r = 0; r < z.rows(); ++r) {
      const Vector xr = complete(z.row(r).head(k - 1).transpose());
      const Vector yr = complete(z.row(r).tail(k - 1).transpose());
      const Vector y_br = softmax(log_rho + a.transpose() * xr / reg.beta);
      const Vector x_br = softmax(log_rho - a * yr / reg.beta);
      Matrix pair(2, 2 * (k - 1));
      pair.row(0) << z.row(r).head(k - 1), y_br.head(k - 1).transpose();
      pair.row(1) << x_br.head(k - 1).transpose(), z.row(r).tail(k - 1);
      const Vector values = game.value(pair);
      CHECK(gap(r) == doctest::Approx(values(0) - values(1)).epsilon(1e-10));
      CHECK(gap(r) > 0);
    }
  }
}

TEST_CASE("quadratic game: minibatch operators are unbiased") {
  const auto full = make_task(
      {"quadratic_game", {{"dim", 3}, {"components", 8}, {"instance", 1}}});
  const auto mini = make_task(
      {"quadratic_game",
       {{"dim", 3}, {"components", 8}, {"batch_size", 3}, {"instance", 1}}});
  const SaddlePoint& g = as_game(mini);
  REQUIRE(g.offers(Capability::minibatch));
  Rng rng = make_rng(2);
  const Matrix z = g.initial_points(2, rng);
  const Matrix exact = as_game(full).operator_value(z);
  Counters counters;
  const SaddlePointOracle oracle(g, counters, 4);
  Matrix sum = Matrix::Zero(z.rows(), z.cols()), sum_sq = sum;
  const int draws = 4000;
  Matrix one;
  for (int k = 0; k < draws; ++k) {
    one = oracle.operator_value(z);
    sum += one;
    sum_sq += one.cwiseProduct(one);
  }
  CHECK((one - exact).norm() > 0);
  const Matrix mean = sum / draws;
  const Matrix se =
      ((sum_sq / draws - mean.cwiseProduct(mean)) / draws).cwiseSqrt();
  CHECK(((mean - exact).cwiseAbs() - 5 * se).maxCoeff() < 1e-12);
}

TEST_CASE("games: contradictory parameters are errors naming the key") {
  const auto fails = [](const TaskCase& c, const std::string& key) {
    INFO(c.label());
    try {
      make_task(c);
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK((e.where() == key || e.where() == "/" + key));
    }
  };
  fails({"quadratic_game", {{"mu", 2.0}, {"lipschitz", 1.0}}}, "mu");
  fails({"quadratic_game", {{"mu_b", 2.0}, {"lipschitz_b", 1.0}}}, "mu_b");
  fails({"quadratic_game", {{"mu", 0.0}, {"mu_b", 0.0}}}, "mu_b");
  fails({"comonotone_linear", {{"rho", 0.6}, {"lipschitz", 2.0}}}, "rho");
  fails({"bilinear", {{"sigma_min", 3.0}, {"sigma_max", 1.0}}}, "sigma_min");
  fails({"matrix_game", {{"payoff", "custom"}}}, "matrix");
  // In a suite, the error names the JSON path of the offending parameter.
  try {
    const Suite suite =
        parse_suite(Json{{"tasks",
                          {{{"name", "quadratic_game"},
                            {"params", {{"mu", 2.0}, {"lipschitz", 1.0}}}}}},
                         {"algorithms", {{{"name", "extragradient"}}}},
                         {"budget", {{"max_iterations", 5}}},
                         {"metrics", {"operator_norm"}}},
                    "games.json");
    (void)expand_cells(suite);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where() == "/tasks/0/params/mu");
  }
  fails({"matrix_game", {{"matrix", {{1.0, 2.0}, {3.0, 4.0}}}}}, "matrix");
  fails({"matrix_game", {{"payoff", "custom"}, {"matrix", {{1.0, 2.0}}}}},
        "matrix");
  fails({"matrix_game",
         {{"payoff", "regularized_rps"}, {"matrix", {{1.0, 2.0}}}}},
        "payoff");
}

TEST_CASE("matrix_game: a custom payoff is the same game as its preset") {
  const auto preset = make_task({"matrix_game", {{"payoff", "rps"}}});
  const auto custom = make_task(
      {"matrix_game",
       {{"payoff", "custom"},
        {"matrix", {{0.0, -1.0, 1.0}, {1.0, 0.0, -1.0}, {-1.0, 1.0, 0.0}}}}});
  Rng rng = make_rng(3);
  const Matrix z = as_game(preset).initial_points(5, rng);
  CHECK(as_game(custom).operator_value(z) == as_game(preset).operator_value(z));
  CHECK(as_game(custom).solution().isApprox(as_game(preset).solution(), 1e-14));
  // A rectangular payoff: 2 × 3 (the row player has 2 actions).
  const auto wide =
      make_task({"matrix_game",
                 {{"payoff", "custom"},
                  {"matrix", {{3.0, -1.0, 0.0}, {-2.0, 1.0, 1.0}}}}});
  const SaddlePoint& game = as_game(wide);
  CHECK(game.dim_x() == 1);
  CHECK(game.dim_y() == 2);
  CHECK(std::abs(game.duality_gap(game.solution().transpose())(0)) < 1e-12);
}

TEST_CASE("comonotone_linear: ρ is exact, not only a bound") {
  const auto task = make_task(
      {"comonotone_linear", {{"dim", 2}, {"rho", 0.3}, {"lipschitz", 2.0}}});
  const SaddlePoint& game = as_game(task);
  Rng rng = make_rng(4);
  const Matrix z = game.initial_points(10, rng);
  const Matrix f = game.operator_value(z);
  for (Index i = 0; i < z.rows(); ++i)
    CHECK(f.row(i).dot(z.row(i)) ==
          doctest::Approx(-0.3 * f.row(i).squaredNorm()).epsilon(1e-12));
}

TEST_CASE(
    "game metrics through the runner: exploitability is half the duality "
    "gap at every checkpoint, of the last and the averaged iterate") {
  const Json suite_json = {
      {"tasks", {{{"name", "matrix_game"}, {"params", {{"actions", 4}}}}}},
      {"algorithms", {{{"name", "mirror_prox"}}}},
      {"budget", {{"max_iterations", 200}}},
      {"checkpoints", {{"every", 50}}},
      {"metrics",
       {{{"name", "duality_gap"}, {"settings", {{"iterate", "both"}}}},
        {{"name", "exploitability"}, {"settings", {{"iterate", "both"}}}}}}};
  const Suite suite = parse_suite(suite_json, "metrics.json");
  const Json record = run_cell(suite, expand_cells(suite).at(0));
  REQUIRE(record["status"] == "ok");
  const Json& m = record["trace"]["metrics"];
  for (const char* suffix : {"", "@average"}) {
    const auto gap =
        m[std::string("duality_gap") + suffix].get<std::vector<double>>();
    const auto half =
        m[std::string("exploitability") + suffix].get<std::vector<double>>();
    REQUIRE(gap.size() == 5);
    REQUIRE(half.size() == gap.size());
    CHECK(gap[0] > 0.01);  // a random start is far from the equilibrium
    for (size_t k = 0; k < gap.size(); ++k) CHECK(half[k] == 0.5 * gap[k]);
  }
}
