// Stochastic oracles of synthetic tasks: the additive noise has the
// distribution it claims, is drawn from the cell's own stream (reproducible,
// counted like the gradient it perturbs), leaves metrics exact, and bad
// noise settings are rejected before anything runs.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "tasks/gradient_noise.hpp"

using namespace vibench;

namespace {

Matrix draws(const Json& config, Index n = 400000) {
  const GradientNoise noise = GradientNoise::from_json(config, "/noise");
  Matrix g = Matrix::Zero(n, 1);
  Rng rng = make_rng(7);
  noise.add(g, rng);
  return g;
}

double tail_fraction(const Matrix& g, double s) {
  return (g.array().abs() > s).cast<double>().mean();
}

}  // namespace

TEST_CASE("gradient noise: each kind has its distribution's moments or tail") {
  // Gaussian: mean 0, variance σ².
  const Matrix gauss = draws({{"kind", "gaussian"}, {"scale", 2.0}});
  CHECK(std::abs(gauss.mean()) < 0.02);
  CHECK(gauss.array().square().mean() == doctest::Approx(4.0).epsilon(0.01));
  // Student-t with ν = 5: variance ν/(ν − 2) σ²; P(|t₅| > 2.015) = 0.1.
  const Matrix t = draws({{"kind", "student_t"}, {"dof", 5}});
  CHECK(std::abs(t.mean()) < 0.01);
  CHECK(t.array().square().mean() == doctest::Approx(5.0 / 3).epsilon(0.03));
  CHECK(tail_fraction(t, 2.015048) == doctest::Approx(0.1).epsilon(0.02));
  // Symmetric Pareto (Lomax), α = 1.5: P(|ξ| > s) = (1 + s)^(−α).
  const Matrix p = draws({{"kind", "pareto"}, {"tail_index", 1.5}});
  for (double s : {0.5, 3.0, 20.0})
    CHECK(tail_fraction(p, s) ==
          doctest::Approx(std::pow(1 + s, -1.5)).epsilon(0.03));
  CHECK(std::abs((p.array() > 0).cast<double>().mean() - 0.5) < 0.005);
}

namespace {

Json noisy_suite(const Json& noise) {
  Json task = {{"name", "quadratic"}, {"params", {{"dim", 3}}}};
  if (!noise.is_null()) task["noise"] = noise;
  return {{"seeds", 1},
          {"tasks", {task}},
          {"algorithms", {{{"name", "gd"}, {"params", {{"step_size", 0.1}}}}}},
          {"budget", {{"max_iterations", 50}}},
          {"metrics", {"suboptimality"}}};
}

}  // namespace

TEST_CASE("gradient noise: drawn by the oracle, reproducible, counted") {
  const Suite exact = parse_suite(noisy_suite(nullptr), "exact.json");
  const Suite noisy = parse_suite(
      noisy_suite({{"kind", "student_t"}, {"dof", 3}}), "noisy.json");
  const Json a = run_cell(exact, expand_cells(exact).at(0));
  const Json b = run_cell(noisy, expand_cells(noisy).at(0));
  const Json b_again = run_cell(noisy, expand_cells(noisy).at(0));
  REQUIRE(a["status"] == "ok");
  REQUIRE(b["status"] == "ok");
  // The noise is recorded and is part of the cell's id.
  CHECK(b["task"]["noise"]["kind"] == "student_t");
  CHECK(b["id"] != a["id"]);
  // The same initial point, then different iterates.
  const auto& fa = a["trace"]["metrics"]["suboptimality"];
  const auto& fb = b["trace"]["metrics"]["suboptimality"];
  CHECK(fa[0] == fb[0]);
  CHECK(fa.back() != fb.back());
  // One sample gradient per step, as for the exact oracle.
  CHECK(a["final"]["grad_evals"] == b["final"]["grad_evals"]);
  CHECK(b_again["trace"]["metrics"] == b["trace"]["metrics"]);
}

TEST_CASE("gradient noise: bad settings name the path") {
  auto error_of = [](const Json& suite) -> std::string {
    try {
      parse_suite(suite, "t.json");
    } catch (const ConfigError& e) {
      return e.where() + ": " + e.what();
    }
    FAIL("accepted");
    return "";
  };
  CHECK(error_of(noisy_suite({{"kind", "studentt"}}))
            .find("did you mean 'student_t'") != std::string::npos);
  CHECK(error_of(noisy_suite({{"kind", "gaussian"}, {"dof", 3}}))
            .find("/tasks/0/noise/dof") != std::string::npos);
  CHECK(error_of(noisy_suite({{"kind", "pareto"}, {"tail_index", 1.0}}))
            .find("/tasks/0/noise/tail_index") != std::string::npos);
  CHECK(error_of(noisy_suite({{"kind", "gaussian"}, {"scale", -1}}))
            .find("/tasks/0/noise/scale") != std::string::npos);
  // A task that does not offer gradient_noise.
  Json suite = noisy_suite(nullptr);
  suite["tasks"][0] = {{"name", "gaussian"}, {"noise", {{"kind", "gaussian"}}}};
  suite["algorithms"] = {{{"name", "svgd"}}};
  suite["metrics"] = {"mean_error"};
  CHECK(error_of(suite).find("does not offer gradient_noise") !=
        std::string::npos);
}
