// The games of the saddle-point registry: their declared regularity
// (monotone, strongly monotone, comonotone, Lipschitz) on random pairs,
// their solutions, and every gap against an independent computation (a
// GLPK linear program for matrix games, best responses found through the
// operator and the Lagrangian for the others).
#include <doctest/doctest.h>

#include <Eigen/SVD>
#include <cmath>

#include "core/ball_quadratic.hpp"
#include "core/error.hpp"
#include "core/matrix_game_lp.hpp"
#include "core/rng.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "task_cases.hpp"
#include "tasks/oracles.hpp"
#include "tasks/quadratic_restricted_gap.hpp"
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

TEST_CASE(
    "ball quadratic: the exact maximum over a disc against a fine polar "
    "grid, for concave, indefinite and hard-case quadratics") {
  struct Case {
    Matrix h_matrix;
    Vector h;
    double radius;
  };
  Rng rng = make_rng(21);
  std::vector<Case> cases;
  for (int k = 0; k < 4; ++k) {
    const Matrix b = rng.normal_matrix(2, 2);
    cases.push_back({b + b.transpose(), rng.normal_vector(2), 0.5 + k});
  }
  Matrix psd(2, 2);
  psd << 2.0, 0.5, 0.5, 1.0;
  cases.push_back({psd, Vector::Constant(2, 0.1), 3.0});  // interior maximum
  Matrix hard(2, 2);
  hard << -1.0, 0.0, 0.0, 2.0;
  Vector along(2);
  along << 0.0, 0.5;
  cases.push_back({hard, along, 1.0});  // no weight on the bottom eigenvector
  Vector nearly(2);
  nearly << 2e-14, 0.5;
  cases.push_back({hard, nearly, 1.0});  // a tiny weight: near the hard case
  for (const Case& c : cases) {
    INFO(c.h_matrix, c.h.transpose(), c.radius);
    const double exact =
        BallQuadraticMaximum(c.h_matrix).maximum(c.h, c.radius);
    double best = -1e300;
    const int rings = 2000, angles = 4000;
    for (int i = 0; i <= rings; ++i)
      for (int j = 0; j < angles; ++j) {
        const double r = c.radius * i / rings;
        const double a = 2 * M_PI * j / angles;
        Vector d(2);
        d << r * std::cos(a), r * std::sin(a);
        best = std::max(best, c.h.dot(d) - 0.5 * d.dot(c.h_matrix * d));
      }
    CHECK(exact >= best - 1e-12);
    CHECK(exact == doctest::Approx(best).epsilon(1e-5));
  }
  // Both (near-)hard cases in closed form: λ = 1, d = (±√(35/36), 1/6),
  // value 2/36 + ½(1 − 1/36) = 39/72.
  for (const Vector& h : {along, nearly})
    CHECK(BallQuadraticMaximum(hard).maximum(h, 1.0) ==
          doctest::Approx(39.0 / 72).epsilon(1e-12));
}

TEST_CASE(
    "restricted gap of quadratic Lagrangians: equals the bilinear closed "
    "form, equals the full duality gap when the balls hold the best "
    "responses, and is never exceeded inside the balls") {
  for (const Json& params :
       {Json{{"dim", 3}}, Json{{"dim", 2}, {"dim_y", 5}, {"instance", 2}}}) {
    const auto task = make_task({"bilinear", params});
    Rng rng = make_rng(3);
    const Matrix z = as_game(task).initial_points(5, rng);
    CHECK((quadratic_restricted_gap(as_game(task), z, 0.8) -
           as_game(task).restricted_gap(z, 0.8))
              .cwiseAbs()
              .maxCoeff() < 1e-10);
  }
  const auto scsc =
      make_task({"quadratic_game", {{"dim", 3}, {"mu", 0.4}, {"instance", 6}}});
  Rng rng = make_rng(4);
  const Matrix z = as_game(scsc).initial_points(5, rng);
  REQUIRE(as_game(scsc).offers(Capability::restricted_gap));
  const Vector full = as_game(scsc).duality_gap(z);
  const Vector wide = as_game(scsc).restricted_gap(z, 1e3);
  for (Index r = 0; r < z.rows(); ++r)
    CHECK(wide(r) == doctest::Approx(full(r)).epsilon(1e-10));
  for (const Json& params :
       {Json{{"dim", 3}, {"mu", 0.0}, {"mu_b", 0.5}, {"instance", 3}},
        Json{{"dim", 3}, {"rows", 6}, {"instance", 2}}}) {
    const bool is_game = params.contains("mu");
    const auto task = make_task(
        {is_game ? "quadratic_game" : "robust_least_squares", params});
    const SaddlePoint& game = as_game(task);
    INFO(params.dump());
    REQUIRE(game.offers(Capability::restricted_gap));
    const Index dx = game.dim_x(), dy = game.dim_y();
    const Vector star = game.solution();
    const double radius = 0.6;
    const Matrix points = game.initial_points(3, rng);
    const Vector gap = game.restricted_gap(points, radius);
    for (Index r = 0; r < points.rows(); ++r) {
      double best = -1e300;
      for (int k = 0; k < 3000; ++k) {
        const Vector u = rng.normal_vector(dx + dy);
        Matrix inside(2, dx + dy);
        const double ry = radius * std::pow(rng.uniform(), 1.0 / dy);
        const double rx = radius * std::pow(rng.uniform(), 1.0 / dx);
        inside.row(0) << points.row(r).head(dx),
            (star.tail(dy) + ry * u.tail(dy).normalized()).transpose();
        inside.row(1)
            << (star.head(dx) + rx * u.head(dx).normalized()).transpose(),
            points.row(r).tail(dy);
        const Vector w = game.value(inside);
        CHECK(w(0) - w(1) <= gap(r) + 1e-10);
        best = std::max(best, w(0) - w(1));
      }
      // Random points come within a few percent of the maximum.
      CHECK(best >= gap(r) - 0.1 * std::abs(gap(r)) - 1e-3);
    }
  }
}

TEST_CASE(
    "bilinear on a box: the closed-form duality gap against best responses "
    "over every vertex, in both geometries; z* outside the box is an error") {
  for (const Json& params :
       {Json{{"dim", 3}, {"linear_terms", false}, {"box_radius", 1.0}},
        Json{{"dim", 3},
             {"instance", 4},
             {"box_radius", 20.0},
             {"box_geometry", "mirror"}}}) {
    INFO(params.dump());
    const auto task = make_task({"bilinear", params});
    const SaddlePoint& game = as_game(task);
    const double r = params["box_radius"];
    const bool mirror = params.contains("box_geometry");
    CHECK(game.offers(mirror ? Capability::mirror_domain
                             : Capability::feasible_set));
    CHECK_FALSE(game.offers(Capability::linear_operator));
    Rng rng = make_rng(9);
    const Matrix z = game.initial_points(4, rng);
    const Vector gap = game.duality_gap(z);
    for (Index row = 0; row < z.rows(); ++row) {
      CHECK(z.row(row).cwiseAbs().maxCoeff() < r);
      double best_y = -1e300, best_x = 1e300;
      for (int vertex = 0; vertex < 8; ++vertex) {
        Vector corner(3);
        for (int j = 0; j < 3; ++j) corner(j) = (vertex >> j & 1) ? r : -r;
        Matrix pair(2, 6);
        pair.row(0) << z.row(row).head(3), corner.transpose();
        pair.row(1) << corner.transpose(), z.row(row).tail(3);
        const Vector v = game.value(pair);
        best_y = std::max(best_y, v(0));
        best_x = std::min(best_x, v(1));
      }
      CHECK(gap(row) == doctest::Approx(best_y - best_x).epsilon(1e-12));
    }
  }
  CHECK_THROWS_WITH_AS(
      make_task(
          {"bilinear", {{"dim", 3}, {"instance", 4}, {"box_radius", 0.1}}}),
      doctest::Contains("not inside the box"), ConfigError);
  CHECK_THROWS_WITH_AS(
      make_task({"bilinear", {{"dim", 2}, {"dim_y", 3}, {"box_radius", 5.0}}}),
      doctest::Contains("square"), ConfigError);
}

TEST_CASE(
    "toy games: forsaken's stationary point and L on its box, the GAN "
    "variants' equilibrium at 0, the clipped discriminator's box") {
  const auto forsaken = make_task({"toy_game", {{"name", "forsaken"}}});
  const SaddlePoint& game = as_game(forsaken);
  // Pethick et al.'s notebook: (0.0780266687, 0.4119338514), L ≈ 12.40.
  CHECK(game.solution()(0) == doctest::Approx(0.0780266687).epsilon(1e-9));
  CHECK(game.solution()(1) == doctest::Approx(0.4119338514).epsilon(1e-9));
  const double lipschitz = game.properties().lipschitz;
  CHECK(lipschitz == doctest::Approx(12.40).epsilon(1e-3));
  // The Jacobian's norm over a grid of the box by central differences:
  // never above L, and reaching it at a corner region.
  double largest = 0;
  const double h = 1e-6;
  for (int i = 0; i <= 60; ++i)
    for (int j = 0; j <= 60; ++j) {
      Matrix z(3, 2);
      z.row(0) << -1.5 + 3.0 * i / 60, -1.5 + 3.0 * j / 60;
      z.row(1) = z.row(0);
      z.row(2) = z.row(0);
      z(1, 0) += h;
      z(2, 1) += h;
      const Matrix f = game.operator_value(z);
      Eigen::Matrix2d jacobian;
      jacobian.col(0) = (f.row(1) - f.row(0)).transpose() / h;
      jacobian.col(1) = (f.row(2) - f.row(0)).transpose() / h;
      largest = std::max(
          largest,
          Eigen::JacobiSVD<Eigen::Matrix2d>(jacobian).singularValues()(0));
    }
  CHECK(largest <= lipschitz * (1 + 1e-4));
  CHECK(largest >= 0.99 * lipschitz);
  for (const char* name : {"nonsaturating_gan", "wgan_clip", "wgan_gp"}) {
    INFO(name);
    const auto task = make_task({"toy_game", {{"name", name}}});
    CHECK(as_game(task).operator_value(Matrix::Zero(1, 2)).norm() == 0.0);
  }
  const auto clipped =
      make_task({"toy_game", {{"name", "wgan_clip"}, {"clip", 0.2}}});
  const Matrix box = as_game(clipped).feasible_box();
  CHECK(box(0, 1) == -0.2);
  CHECK(box(1, 1) == 0.2);
  CHECK(std::isinf(box(1, 0)));
  Rng rng = make_rng(2);
  CHECK(as_game(clipped).initial_points(3, rng).col(1).cwiseAbs().maxCoeff() <=
        0.2);
  CHECK_FALSE(as_game(make_task({"toy_game", {{"name", "nonsaturating_gan"}}}))
                  .has_lagrangian());
}
