// Tests of the samplers of "Sampling with Mirrored Stein Operators" (Shi,
// Liu & Mackey 2022) and their baselines on constrained domains: the Stein
// directions reduce to SVGD's on ℝ^d, the samplers find a Dirichlet's
// moments while every particle stays strictly inside the simplex at any
// step, SVNG's one-particle step is Newton's, and the runner ends a cell
// whose points leave the domain as diverged.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "algorithm_helpers.hpp"
#include "algorithms/samplers/mirrored_stein.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite.hpp"
#include "simple_targets.hpp"
#include "task_cases.hpp"

namespace vibench {
namespace {

using testing::make_algorithm;
using testing::max_abs;
using testing::points_state;

KernelConfig imq_median() {
  KernelConfig k;
  k.type = KernelType::imq;
  k.rule = BandwidthRule::median_squared;
  return k;
}

// A Dirichlet on the simplex from the registry, with its exact moments.
std::shared_ptr<const Task> dirichlet(const std::vector<double>& alpha) {
  return testing::make_task({"dirichlet", {{"alpha", alpha}}});
}

Matrix run_points(const Algorithm& algorithm, const Distribution& task,
                  const Matrix& init, int iterations, bool check_inside) {
  Counters counters;
  const DistributionOracle oracle(task, counters);
  auto run = algorithm.start(oracle, points_state(init), make_rng(1));
  for (int t = 0; t < iterations; ++t) {
    run->step();
    if (check_inside) REQUIRE(task.domain().contains(run->state().points));
  }
  return run->state().points;
}

}  // namespace

TEST_CASE("mirrored stein: on the reals MSVGD and SVMD give SVGD's direction") {
  Rng rng = make_rng(4);
  const Matrix x = rng.normal_matrix(12, 3);
  const Matrix s = rng.normal_matrix(12, 3);
  Matrix svgd, msvgd, svmd;
  SteinDirection(imq_median()).compute(x, s, svgd);
  const Metric identity = mirror_metric(*reals_domain(), x);
  MsvgdDirection(imq_median()).compute(x, s, identity, msvgd);
  CHECK(max_abs(msvgd - svgd) < 1e-13);
  // Every eigenpair kept and no jitter: the adaptive kernel is the Gram
  // matrix itself.
  SvmdDirection full(imq_median(), 1.0, 0.0);
  full.compute(x, s, identity, svmd);
  CHECK(full.last_rank() == 12);
  CHECK(max_abs(svmd - svgd) < 1e-10);
}

TEST_CASE("mirrored stein: the simplex's metric enters as the paper writes") {
  // MSVGD's repulsion Σ_i (∇²ψ(θ_i))⁻¹ ∇_{θ_i} k(θ_i, θ_j), pair by pair,
  // against the batched direction (with zero scores).
  Rng rng = make_rng(8);
  const auto task = dirichlet({2.0, 3.0, 4.0, 1.5});
  Matrix theta = task->initial_points(9, rng);
  const Domain& simplex = task->domain();
  const Matrix zero = Matrix::Zero(9, 3);
  Matrix direction;
  MsvgdDirection stein(imq_median());
  const double h =
      stein.compute(theta, zero, mirror_metric(simplex, theta), direction);
  KernelConfig k = imq_median();
  for (Index j = 0; j < 9; ++j) {
    RowVector expected = RowVector::Zero(3);
    for (Index i = 0; i < 9; ++i) {
      const RowVector grad =
          kernel_gradient_x(k, h, theta.row(i), theta.row(j));
      const RowVector t = theta.row(i);
      const Matrix inverse_hessian = Matrix(t.asDiagonal()) - t.transpose() * t;
      expected += (inverse_hessian * grad.transpose()).transpose();
    }
    expected /= 9.0;
    CHECK(max_abs(direction.row(j) - expected) < 1e-12);
  }
}

TEST_CASE("mirrored stein: MSVGD's direction in blocks equals the whole one") {
  // On the simplex, so that the metric differs per particle; n = 300 for
  // the median's sampled bracket; blocks that divide n and that leave a
  // smaller last block, down to one column.
  Rng rng = make_rng(12);
  const auto task = dirichlet({2.0, 3.0, 4.0, 1.5});
  const Index n = 300;
  const Matrix theta = task->initial_points(n, rng);
  const Matrix s = rng.normal_matrix(n, 3);
  const Metric metric = mirror_metric(task->domain(), theta);
  for (const KernelType type : {KernelType::rbf, KernelType::imq}) {
    for (const BandwidthRule rule :
         {BandwidthRule::median_squared, BandwidthRule::fixed}) {
      KernelConfig config = imq_median();
      config.type = type;
      config.rule = rule;
      config.fixed_bandwidth = 0.05;
      Matrix whole;
      const double h = MsvgdDirection(config).compute(theta, s, metric, whole);
      for (const Index rows : {Index{1}, Index{7}, n / 3, n - 1}) {
        CAPTURE(to_string(type));
        CAPTURE(to_string(rule));
        CAPTURE(rows);
        MsvgdDirection blocks(config, rows);
        Matrix direction;
        for (int repeat = 0; repeat < 2; ++repeat) {
          CHECK(blocks.compute(theta, s, metric, direction) ==
                doctest::Approx(h).epsilon(1e-14));
          CHECK(max_abs(direction - whole) <= 1e-12 * max_abs(whole));
        }
        CHECK(blocks.diagnostics().at("kernel_tile_rows") == rows);
      }
    }
  }
  // The estimate: three n×n matrices whole, far less in blocks.
  const auto workspace = [](long long given, Index particles) {
    return make_algorithm("msvgd", {{"n_particles", particles},
                                    {"kernel_tile_rows", given}})
        ->workspace_bytes(3);
  };
  CHECK(workspace(0, 4096) == 4.0 * 4096 * 4096 * 8);
  CHECK(workspace(0, 20000) < 0.1 * workspace(20000, 20000));
}

TEST_CASE("mirrored stein: samplers match a Dirichlet and stay inside") {
  const std::vector<double> alpha = {2.0, 3.0, 4.0, 1.5};
  const auto task = dirichlet(alpha);
  const auto& target = dynamic_cast<const Distribution&>(*task);
  Rng rng = make_rng(12);
  const Matrix init = task->initial_points(100, rng);
  const Vector mean = target.mean();
  // RMSProp's normalized steps make the particles jitter by about the
  // learning rate, so projected SVGD runs with the smaller rate of its grid.
  const std::vector<std::pair<std::string, Json>> cases = {
      {"msvgd", {{"n_particles", 100}, {"step_size", 0.01}}},
      {"svmd", {{"n_particles", 100}, {"step_size", 0.01}}},
      {"projected_svgd", {{"n_particles", 100}, {"step_size", 0.001}}},
  };
  const Matrix cov = target.covariance();
  for (const auto& [name, params] : cases) {
    CAPTURE(name);
    const Matrix x =
        run_points(*make_algorithm(name, params), target, init, 1500, true);
    CHECK((x.colwise().mean().transpose() - mean).norm() < 0.01);
    CHECK((testing::sample_covariance(x) - cov).norm() < 0.1 * cov.norm());
  }
}

TEST_CASE("mirrored stein: no particle leaves the simplex at large steps") {
  // The sparse Dirichlet of the paper puts most of its mass within 1e-10 of
  // the faces; the largest learning rate of the paper's grid and ten times
  // it must keep every particle strictly inside (Σθ < 1, θ > 0).
  const auto task =
      testing::make_task({"dirichlet", {{"preset", "sparse_dirichlet_20"}}});
  const auto& target = dynamic_cast<const Distribution&>(*task);
  Rng rng = make_rng(3);
  const Matrix init = task->initial_points(50, rng);
  for (const std::string name : {"msvgd", "svmd", "projected_svgd"})
    for (const double step : {0.1, 1.0}) {
      CAPTURE(name);
      CAPTURE(step);
      run_points(*make_algorithm(name, {{"step_size", step}}), target, init,
                 200, true);
    }
  run_points(*make_algorithm("mirror_langevin",
                             {{"n_chains", 50}, {"step_size", 0.1}}),
             target, init, 200, true);
}

TEST_CASE(
    "mirrored stein: mirror Langevin is ULA on the reals and unbiased "
    "for small steps on the simplex") {
  Vector mean(2);
  mean << 1.0, -1.0;
  const testing::GaussianTarget gaussian(mean, Matrix::Identity(2, 2));
  Rng rng = make_rng(6);
  const Matrix init = rng.normal_matrix(20, 2);
  const Matrix ula = run_points(
      *make_algorithm("ula", {{"n_chains", 20}, {"step_size", 0.05}}), gaussian,
      init, 30, false);
  const Matrix mirrored =
      run_points(*make_algorithm("mirror_langevin",
                                 {{"n_chains", 20}, {"step_size", 0.05}}),
                 gaussian, init, 30, false);
  CHECK(max_abs(ula - mirrored) == 0.0);

  // Dual ULA on Dirichlet(2, 3, 4, 1.5): the chains' long-run mean is the
  // Dirichlet mean up to the O(γ) bias and Monte Carlo error.
  const auto task = dirichlet({2.0, 3.0, 4.0, 1.5});
  const auto& target = dynamic_cast<const Distribution&>(*task);
  const Matrix start = task->initial_points(200, rng);
  const Matrix x =
      run_points(*make_algorithm("mirror_langevin",
                                 {{"n_chains", 200}, {"step_size", 0.01}}),
                 target, start, 1000, true);
  CHECK((x.colwise().mean().transpose() - target.mean()).norm() < 0.03);
}

TEST_CASE("mirrored stein: SVNG's one-particle step is Newton's") {
  // n = 1: the SVMD direction is λ·s (λ = k(θ, θ) + jitter) and SVNG moves
  // θ by ε G⁻¹ λ s; on a Gaussian G = Σ⁻¹ and s = −Σ⁻¹(θ − m), so one step
  // with ε = 1/λ lands on the mean.
  Vector mean(2);
  mean << 1.0, -2.0;
  const auto task = testing::make_task({"gaussian",
                                        {{"dim", 2},
                                         {"mean", {1.0, -2.0}},
                                         {"covariance", "correlated"},
                                         {"condition_number", 20.0}}});
  const auto& target = dynamic_cast<const Distribution&>(*task);
  Matrix x0(1, 2);
  x0 << 4.0, 3.0;
  const double jitter = 1e-5;
  const Matrix x =
      run_points(*make_algorithm("svng", {{"n_particles", 1},
                                          {"jitter", jitter},
                                          {"step_size", 1.0 / (1.0 + jitter)}}),
                 target, x0, 1, false);
  CHECK((x.row(0).transpose() - mean).norm() < 1e-12);
}

TEST_CASE("mirrored stein: SVNG and SVMD match a correlated Gaussian") {
  // On ℝ^d SVMD is SVGD with a truncated kernel; SVNG preconditions with
  // the Fisher metric Σ⁻¹, so on this ill-conditioned Gaussian (condition
  // number 10) it converges in fewer steps than SVMD at the same step size
  // (the paper's claim of faster convergence, in miniature).
  const auto task = testing::make_task({"gaussian",
                                        {{"dim", 2},
                                         {"mean", {1.0, -2.0}},
                                         {"covariance", "correlated"},
                                         {"condition_number", 10.0}}});
  const auto& target = dynamic_cast<const Distribution&>(*task);
  Rng rng = make_rng(9);
  const Matrix init = rng.normal_matrix(100, 2);
  const Matrix cov = target.covariance();
  const auto errors = [&](const Matrix& x) {
    return std::pair{(x.colwise().mean().transpose() - target.mean()).norm(),
                     (testing::sample_covariance(x) - cov).norm() / cov.norm()};
  };
  const Json params = {
      {"n_particles", 100}, {"schedule", "fixed"}, {"step_size", 0.2}};
  const auto [svng_mean, svng_cov] = errors(
      run_points(*make_algorithm("svng", params), target, init, 300, false));
  const auto [svmd_mean, svmd_cov] = errors(
      run_points(*make_algorithm("svmd", params), target, init, 300, false));
  MESSAGE("after 300 steps: svng " << svng_mean << ", " << svng_cov << "; svmd "
                                   << svmd_mean << ", " << svmd_cov);
  CHECK(svng_mean < 0.1);
  CHECK(svng_cov < 0.15);
  CHECK(svng_cov < svmd_cov);
  const auto [mean_late, cov_late] = errors(
      run_points(*make_algorithm("svmd", params), target, init, 2000, false));
  CHECK(mean_late < 0.1);
  CHECK(cov_late < 0.15);
}

TEST_CASE("mirrored stein: a cell whose points leave the simplex diverges") {
  // Plain SVGD knows nothing of the simplex: with a large step its
  // particles leave it, and the runner must end the cell as diverged with
  // a message, not carry NaN log-densities into the metrics.
  const Json suite_json = {
      {"seeds", 1},
      {"tasks",
       {{{"name", "dirichlet"},
         {"params", {{"preset", "sparse_dirichlet_20"}}}}}},
      {"algorithms",
       {{{"name", "svgd"},
         {"params", {{"schedule", "fixed"}, {"step_size", 10.0}}}}}},
      {"budget", {{"max_iterations", 50}}},
      {"metrics", {"energy_distance"}},
  };
  const Suite suite = parse_suite(suite_json, "leave.json");
  const Json record = run_cell(suite, expand_cells(suite).at(0));
  CHECK(record["status"] == "diverged");
  CHECK(record["message"].get<std::string>().find("simplex") !=
        std::string::npos);
}

TEST_CASE(
    "mirrored stein: on the sparse Dirichlet the mirrored methods beat "
    "projected SVGD at each method's best learning rate") {
  // Issue #5's claim, in the paper's protocol (suites/papers/
  // mirrored_stein.json restricted to the sparse Dirichlet): 50 particles
  // from Dirichlet(5·1), 500 RMSProp iterations over each method's grid, 10
  // seeds, final energy distance to 1000 exact draws averaged over seeds.
  const Json suite_json = {
      {"seed", 2022},
      {"seeds", 10},
      {"tasks",
       {{{"name", "dirichlet"},
         {"params", {{"preset", "sparse_dirichlet_20"}}}}}},
      {"algorithms",
       {{{"name", "msvgd"}, {"params", {{"step_size", {0.1, 0.01, 0.001}}}}},
        {{"name", "svmd"}, {"params", {{"step_size", {0.1, 0.01, 0.001}}}}},
        {{"name", "projected_svgd"},
         {"params", {{"step_size", {1e-2, 1e-3, 1e-4}}}}}}},
      {"budget", {{"max_iterations", 500}}},
      {"checkpoints", {{"every", 500}}},
      {"metrics", {"energy_distance"}},
  };
  const Suite suite = parse_suite(suite_json, "claim.json");
  std::map<std::string, std::map<std::string, std::vector<double>>> finals;
  for (const Cell& cell : expand_cells(suite)) {
    const Json record = run_cell(suite, cell);
    REQUIRE(record["status"] == "ok");
    finals[record["algorithm"]["name"]][record["algorithm"]["label"]].push_back(
        record["final"]["metrics"]["energy_distance"]);
  }
  std::map<std::string, double> best;
  for (const auto& [name, by_label] : finals) {
    best[name] = INFINITY;
    for (const auto& [label, values] : by_label) {
      REQUIRE(values.size() == 10);
      double mean = 0.0;
      for (double v : values) mean += v / 10.0;
      best[name] = std::min(best[name], mean);
    }
  }
  MESSAGE("best mean final energy distance: msvgd "
          << best["msvgd"] << ", svmd " << best["svmd"] << ", projected_svgd "
          << best["projected_svgd"]);
  CHECK(best["msvgd"] < best["projected_svgd"]);
  CHECK(best["svmd"] < best["projected_svgd"]);
}

}  // namespace vibench
