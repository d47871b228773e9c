// Tests of the mirror-Langevin algorithm (Ahn & Chewi 2021, `mla`): on ℝ^d
// it is ULA bit for bit and, with several Euler steps for its diffusion,
// keeps ULA's stationary variance; one step on the simplex adds dual noise
// N(0, 2γ∇²ψ) at the point after the gradient step, not at the chain's
// point; on a Dirichlet its chains find the mean and never leave the
// simplex. (B Bᵀ = ∇²ψ of the domains' noise factors: test_domain.cpp.)
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "algorithm_helpers.hpp"
#include "simple_targets.hpp"
#include "task_cases.hpp"

namespace vibench {
namespace {

using testing::make_algorithm;
using testing::max_abs;
using testing::points_state;

// A record_every so large that State::history stays empty.
constexpr long long kNoHistory = 1000000;

// `iterations` steps of `algorithm` from `init`; with `check_inside`, every
// iterate must lie strictly inside the task's domain.
Matrix run_chains(const Algorithm& algorithm, const Distribution& task,
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

std::shared_ptr<const Task> dirichlet(const std::vector<double>& alpha) {
  return testing::make_task({"dirichlet", {{"alpha", alpha}}});
}

}  // namespace

TEST_CASE("mla: on the reals it is ULA, also with several diffusion steps") {
  // ∇ψ = id and B = I: one Euler step for the diffusion gives ULA's
  // iterates bit for bit, from the same stream.
  Vector mean(2);
  mean << 1.0, -1.0;
  const testing::GaussianTarget gaussian(mean, Matrix::Identity(2, 2));
  Rng rng = make_rng(6);
  const Matrix init = rng.normal_matrix(20, 2);
  const Json params = {{"n_chains", 20}, {"step_size", 0.05}};
  const Matrix ula =
      run_chains(*make_algorithm("ula", params), gaussian, init, 30, false);
  const Matrix mla =
      run_chains(*make_algorithm("mla", params), gaussian, init, 30, false);
  CHECK(max_abs(ula - mla) == 0.0);

  // K Euler steps add K independent N(0, 2γ/K) terms: the same law as
  // ULA's, whose stationary variance on N(0, σ²) is σ²/(1 − γ/(2σ²))
  // (PAPERS.md §2.1), 4/3 at σ² = 1, γ = 0.5, rather than σ². From 0 the
  // variance is 4/3·(1 − (1 − γ)^{2t}), 4/3 to 1e-24 after 40 steps; the
  // sample variance of 20000 chains has standard error 4/3·√(2/20000) ≈
  // 0.013, so the tolerance 0.06 is 4.5 of them, well inside the gap of 1/3
  // to σ².
  const testing::GaussianTarget normal(Vector::Zero(1), Matrix::Identity(1, 1));
  const Index n = 20000;
  const Matrix x =
      run_chains(*make_algorithm("mla", {{"n_chains", n},
                                         {"step_size", 0.5},
                                         {"diffusion_steps", 4},
                                         {"record_every", kNoHistory}}),
                 normal, Matrix::Zero(n, 1), 40, false);
  const double variance = testing::sample_covariance(x)(0, 0);
  MESSAGE("stationary variance " << variance << " (ULA's: 4/3)");
  CHECK(std::abs(variance - 4.0 / 3.0) < 0.06);
  CHECK(std::abs(x.mean()) < 4.0 * std::sqrt(4.0 / 3.0 / n));
}

TEST_CASE(
    "mla: one step adds dual noise N(0, 2γ∇²ψ) at the point after the "
    "gradient step") {
  // Every chain at θ = (0.02, 0.3, 0.3) of Dirichlet(2, 3, 4, 1.5), next to
  // the face θ_1 = 0: the gradient step γ∇log π moves the dual by
  // (0.49, 0.05, 0.09) and θ_1 to 0.031, so ∇²ψ there (1/θ_1 + 1/θ_4 =
  // 35.2) is far from ∇²ψ(θ) (52.6): the Euler scheme with the noise at the
  // chain's point (Zhang et al. 2020) would give the second. The sample
  // covariance of 20000 increments has a relative Frobenius error of about
  // √(((tr H)² + ‖H‖²)/n)/‖H‖ ≈ 0.012; the two candidates are 0.47 apart.
  const auto task = dirichlet({2.0, 3.0, 4.0, 1.5});
  const auto& target = dynamic_cast<const Distribution&>(*task);
  const Domain& simplex = target.domain();
  Matrix theta(1, 3);
  theta << 0.02, 0.3, 0.3;
  const double step = 0.01;
  const Index n = 20000;
  const Matrix x = run_chains(
      *make_algorithm(
          "mla",
          {{"n_chains", n}, {"step_size", step}, {"record_every", kNoHistory}}),
      target, theta.replicate(n, 1), 1, true);
  Vector logp;
  Matrix score;
  target.log_prob_grad(theta, logp, score);
  // η_{1/2} = ∇ψ(θ) + γ∇log π(θ), and its primal point, by hand:
  // η_i = log(θ_i/θ_4), θ = softmax([η, 0]).
  const double last = 1.0 - theta.sum();
  RowVector half(3);
  for (Index j = 0; j < 3; ++j)
    half(j) = std::log(theta(0, j) / last) + step * score(0, j);
  const double denominator = 1.0 + half.array().exp().sum();
  const RowVector theta_half = (half.array().exp() / denominator).matrix();
  const auto hessian = [](const RowVector& t) {
    Matrix h = Matrix::Constant(3, 3, 1.0 / (1.0 - t.sum()));
    h.diagonal() += t.cwiseInverse().transpose();
    return h;
  };
  const Matrix increments =
      (simplex.to_dual(x).rowwise() - half) / std::sqrt(2.0 * step);
  const Matrix covariance = testing::sample_covariance(increments);
  const Matrix at_half = hessian(theta_half), at_start = hessian(theta);
  MESSAGE("noise covariance / 2γ:\n"
          << covariance << "\n∇²ψ after the gradient step:\n"
          << at_half << "\n∇²ψ at the chain's point:\n"
          << at_start);
  CHECK((covariance - at_half).norm() < 0.05 * at_half.norm());
  CHECK((covariance - at_start).norm() > 0.3 * at_half.norm());
  // Centred: the drift is all in the gradient step.
  const RowVector mean = increments.colwise().mean();
  for (Index j = 0; j < 3; ++j)
    CHECK(std::abs(mean(j)) < 4.0 * std::sqrt(at_half(j, j) / n));
}

TEST_CASE("mla: finds a Dirichlet's mean and never leaves the simplex") {
  // Dirichlet(2, 3, 4, 1.5), mean (0.190, 0.286, 0.381). 1000 chains from
  // Dirichlet(5·1), γ = 0.005. The diffusion's drift in θ is α − (Σα)θ, so
  // E θ relaxes at the rate Σα = 10.5: 400 iterations of warm-up (2 time
  // units) forget the start to e^{−21}, and the chains' mean averaged over
  // 400 more iterations holds ~10 correlation times 1/(Σα). Σ Var θ_i =
  // 0.052, so one snapshot of 1000 chains has a standard error of 0.0072 in
  // norm and the average ~0.0023; the O(γ) bias is about as large (a
  // simulation of this scheme gave errors 0.0018 to 0.0038 over six seeds,
  // and 0.007 to 0.010 at γ = 0.01). Tolerance 0.01: 2.6 times the largest,
  // about 3 standard errors above the bias.
  const std::vector<double> alpha = {2.0, 3.0, 4.0, 1.5};
  const auto task = dirichlet(alpha);
  const auto& target = dynamic_cast<const Distribution&>(*task);
  Rng rng = make_rng(21);
  const Index n = 1000;
  const Matrix init = task->initial_points(n, rng);
  Counters counters;
  const DistributionOracle oracle(target, counters);
  const auto algorithm = make_algorithm(
      "mla",
      {{"n_chains", n}, {"step_size", 0.005}, {"record_every", kNoHistory}});
  auto run = algorithm->start(oracle, points_state(init), make_rng(2));
  Vector average = Vector::Zero(3);
  for (int t = 0; t < 800; ++t) {
    run->step();
    REQUIRE(target.domain().contains(run->state().points));
    if (t >= 400)
      average += run->state().points.colwise().mean().transpose() / 400.0;
  }
  MESSAGE("time-averaged mean " << average.transpose() << ", exact "
                                << target.mean().transpose());
  CHECK((average - target.mean()).norm() < 0.01);
  CHECK(counters.grad_evals == 800 * n);

  // Steps 20 times larger, where chains are thrown onto the faces (the
  // score grows as 1/θ there) and back: still strictly inside and finite.
  const Matrix start = task->initial_points(200, rng);
  for (const int steps : {1, 4}) {
    CAPTURE(steps);
    run_chains(*make_algorithm("mla", {{"n_chains", 200},
                                       {"step_size", 0.1},
                                       {"diffusion_steps", steps},
                                       {"record_every", kNoHistory}}),
               target, start, 200, true);
  }
}

}  // namespace vibench
