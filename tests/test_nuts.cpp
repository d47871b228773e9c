// Tests of the multinomial NUTS sampler and its Stan-style adaptation
// (lib/mcmc/nuts.hpp, lib/mcmc/adaptation.hpp) on targets defined here with
// closed-form moments: Gaussians (badly scaled, correlated), a banana whose
// second coordinate is skewed, and a half-normal behind a hard wall. Moments
// are checked against MCSE from lib/mcmc/diagnostics.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "mcmc/adaptation.hpp"
#include "mcmc/diagnostics.hpp"
#include "mcmc/nuts.hpp"
#include "simple_targets.hpp"

namespace vibench {
namespace {

using testing::GaussianTarget;

// Banana: x₁ ~ N(0, 1), x₂ | x₁ ~ N(b(x₁² − 1), 1). Then E x₂ = 0,
// Var x₂ = 1 + 2b², and E x₂³ = b³ E(x₁² − 1)³ = 8b³ (third central moment
// of χ²₁), a skewness no Gaussian approximation has.
class Banana final : public Distribution {
 public:
  explicit Banana(double b) : b_(b) {}
  Index dim() const override { return 2; }
  Capabilities capabilities() const override { return {}; }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Eigen::ArrayXd x1 = x.col(0).array();
    const Eigen::ArrayXd r = x.col(1).array() - b_ * (x1.square() - 1.0);
    logp = (-0.5 * x1.square() - 0.5 * r.square()).matrix();
    grad.resize(x.rows(), 2);
    grad.col(0) = (-x1 + 2.0 * b_ * x1 * r).matrix();
    grad.col(1) = (-r).matrix();
  }

 private:
  double b_;
};

// Half-normal on x > 0: log π̃ = −x²/2, −∞ outside. Leapfrog steps across
// the wall are divergent; mean √(2/π), variance 1 − 2/π.
class HalfNormal final : public Distribution {
 public:
  Index dim() const override { return 1; }
  Capabilities capabilities() const override { return {}; }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    logp.resize(x.rows());
    grad = -x;
    for (Index i = 0; i < x.rows(); ++i)
      logp(i) = x(i, 0) > 0.0 ? -0.5 * x(i, 0) * x(i, 0)
                              : -std::numeric_limits<double>::infinity();
  }
};

// |actual − expected| < tolerance·max(|actual|, |expected|). doctest's
// Approx also adds tolerance·1 (its default scale), which would make checks
// of small values such as MCSE or variances vacuous.
doctest::Approx relative(double expected, double tolerance) {
  return doctest::Approx(expected).epsilon(tolerance).scale(0.0);
}

std::vector<Matrix> draws_of(const std::vector<NutsChainResult>& results) {
  std::vector<Matrix> out;
  for (const auto& r : results) out.push_back(r.draws);
  return out;
}

// Every coordinate's mean and sd within 4 MCSE of the truth (a false alarm
// rate of about 6e-5 per check if the MCSE are right) and R̂ < 1.01.
void check_moments(const std::vector<NutsChainResult>& results,
                   const Vector& mean, const Vector& sd) {
  const auto summaries = summarize_chains(draws_of(results));
  REQUIRE(summaries.size() == static_cast<size_t>(mean.size()));
  for (Index j = 0; j < mean.size(); ++j) {
    const ParameterSummary& s = summaries[static_cast<size_t>(j)];
    INFO("coordinate ", j, ": mean ", s.mean, " ± ", s.mcse_mean, " (true ",
         mean(j), "), sd ", s.sd, " ± ", s.mcse_sd, " (true ", sd(j),
         "), rhat ", s.rhat, ", ess_bulk ", s.ess_bulk);
    CHECK(std::abs(s.mean - mean(j)) < 4.0 * s.mcse_mean);
    CHECK(std::abs(s.sd - sd(j)) < 4.0 * s.mcse_sd);
    CHECK(s.rhat < 1.01);
  }
}

// The adapted inverse metric is the regularized variance of the last
// window's 500 draws, whose relative error is about √(2/ESS): over 100 seeds
// the error had median 6.5 % and 99.9 % quantile 32 % on the diagonal 10-D
// target, and median 9.5 % and maximum 53 % on the correlated one (fewer
// effective draws), hence `tolerance`. Dual averaging drives the mean
// accept statistic of the warm-up to δ; sampling with the final step size
// e^{x̄} accepts more, as Stan does (see
// NutsChainResult::warmup_mean_accept_stat; 0.83–0.96 over those seeds),
// while a step size collapsed by a broken adaptation would accept nearly
// everything.
void check_adaptation(const std::vector<NutsChainResult>& results,
                      const Vector& variance, double target_accept,
                      double tolerance) {
  for (const auto& r : results) {
    INFO("inverse metric ", r.inverse_metric.transpose(), ", step size ",
         r.step_size, ", accept ", r.warmup_mean_accept_stat, " (warm-up), ",
         r.mean_accept_stat, " (sampling)");
    for (Index j = 0; j < variance.size(); ++j)
      CHECK(r.inverse_metric(j) == relative(variance(j), tolerance));
    CHECK(std::abs(r.warmup_mean_accept_stat - target_accept) < 0.05);
    CHECK(r.mean_accept_stat > target_accept - 0.05);
    CHECK(r.mean_accept_stat < 0.98);
    CHECK(r.divergences == 0);
  }
}

Matrix initial_points(Index chains, Index d, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  return rng.normal_matrix(chains, d);
}

}  // namespace

TEST_CASE("mcmc nuts: 10-D Gaussian with scales from 0.1 to 10") {
  const Index d = 10;
  Vector sd(d);
  for (Index j = 0; j < d; ++j)
    sd(j) = std::pow(10.0, -1.0 + 2.0 * static_cast<double>(j) / (d - 1));
  const Vector variance = sd.array().square();
  const GaussianTarget target(Vector::Zero(d), variance.asDiagonal());
  const NutsSettings settings;  // Stan's defaults: 1000 + 1000, δ = 0.8
  const auto results = run_nuts(target, initial_points(4, d, 1), settings, 42);
  REQUIRE(results.size() == 4);
  check_moments(results, Vector::Zero(d), sd);
  check_adaptation(results, variance, settings.target_accept, 0.4);
  for (const auto& r : results) {
    CHECK(r.draws.rows() == settings.draws);
    CHECK(r.draws.cols() == d);
    CHECK(r.mean_tree_depth > 1.0);
    CHECK(r.mean_tree_depth <= settings.max_depth);
    CHECK(r.grad_evals > settings.warmup + settings.draws);
  }
}

TEST_CASE("mcmc nuts: correlated 2-D Gaussian, rho = 0.9") {
  Matrix cov(2, 2);
  cov << 1.0, 0.9, 0.9, 1.0;
  const GaussianTarget target(Vector::Zero(2), cov);
  // 2000 draws: with 1000, R̂ of this strongly correlated pair exceeded
  // 1.01 for 2 of 50 seeds.
  NutsSettings settings;
  settings.draws = 2000;
  const auto results = run_nuts(target, initial_points(4, 2, 2), settings, 7);
  check_moments(results, Vector::Zero(2), Vector::Ones(2));
  check_adaptation(results, Vector::Ones(2), settings.target_accept, 0.6);
  // The correlation itself: E[x₁x₂] = 0.9.
  Matrix products(settings.draws, 4);
  for (Index c = 0; c < 4; ++c)
    products.col(c) =
        results[c].draws.col(0).cwiseProduct(results[c].draws.col(1));
  CHECK(std::abs(products.mean() - 0.9) < 4.0 * mcse_mean(products));
}

TEST_CASE("mcmc nuts: banana with a skewed coordinate") {
  // Far out in x₁ the curvature across the ridge grows like 4b²x₁², beyond
  // what a step size tuned in the bulk integrates. With b = 1 and δ = 0.8
  // some chains diverge there dozens of times and miss the tail (moments
  // off by up to 8 MCSE in 8 of 50 seeds), as Stan would; b = 0.5 with
  // δ = 0.9 was clean over 100 seeds (at most 5 divergences in a chain, all
  // moments within 3.8 MCSE, R̂ ≤ 1.005), so a failure here means a bug.
  const double b = 0.5;
  const Banana target(b);
  NutsSettings settings;
  settings.draws = 2000;
  settings.target_accept = 0.9;
  const auto results = run_nuts(target, initial_points(4, 2, 3), settings, 9);
  Vector sd(2);
  sd << 1.0, std::sqrt(1.0 + 2.0 * b * b);
  check_moments(results, Vector::Zero(2), sd);
  // Moments that only the curved shape has: E x₂³ = 8b³ and
  // E x₁²x₂ = b(E x₁⁴ − E x₁²) = 2b.
  Matrix cubes(settings.draws, 4), products(settings.draws, 4);
  for (Index c = 0; c < 4; ++c) {
    const Matrix& x = results[c].draws;
    cubes.col(c) = x.col(1).array().cube();
    products.col(c) = x.col(0).array().square() * x.col(1).array();
  }
  INFO("E x2^3 = ", cubes.mean(), " ± ", mcse_mean(cubes),
       ", E x1^2 x2 = ", products.mean(), " ± ", mcse_mean(products));
  CHECK(std::abs(cubes.mean() - 8.0 * b * b * b) < 4.0 * mcse_mean(cubes));
  CHECK(std::abs(products.mean() - 2.0 * b) < 4.0 * mcse_mean(products));
  for (const auto& r : results) {
    CHECK(std::abs(r.warmup_mean_accept_stat - settings.target_accept) < 0.05);
    CHECK(r.divergences < settings.draws / 100);
  }
}

TEST_CASE("mcmc nuts: half-normal behind a hard wall") {
  // Steps across the wall have infinite energy: they end the trajectory as
  // divergences and are never selected, so no draw leaves the support and
  // the moments stay right.
  // 4000 draws: the wall slows mixing, and with 2000 R̂ exceeded 1.01 for
  // 1 of 100 seeds.
  const HalfNormal target;
  NutsSettings settings;
  settings.draws = 4000;
  Matrix initial = initial_points(4, 1, 4).cwiseAbs();
  const auto results = run_nuts(target, initial, settings, 13);
  long long divergences = 0;
  for (const auto& r : results) {
    CHECK((r.draws.array() > 0.0).all());
    divergences += r.divergences;
  }
  CHECK(divergences > 0);
  check_moments(results, Vector::Constant(1, std::sqrt(2.0 / std::numbers::pi)),
                Vector::Constant(1, std::sqrt(1.0 - 2.0 / std::numbers::pi)));
}

TEST_CASE("mcmc nuts: bad settings and inputs are rejected") {
  const auto rejects = [](auto change) {
    NutsSettings s;
    change(s);
    CHECK_THROWS_AS(s.validate(), std::invalid_argument);
  };
  rejects([](NutsSettings& s) { s.warmup = -1; });
  rejects([](NutsSettings& s) { s.draws = 0; });
  rejects([](NutsSettings& s) { s.target_accept = 0.0; });
  rejects([](NutsSettings& s) { s.target_accept = 1.0; });
  rejects([](NutsSettings& s) {
    s.target_accept = std::numeric_limits<double>::quiet_NaN();
  });
  rejects([](NutsSettings& s) { s.max_depth = 0; });
  rejects([](NutsSettings& s) { s.max_depth = 31; });
  rejects([](NutsSettings& s) { s.max_energy_error = 0.0; });
  rejects([](NutsSettings& s) { s.initial_step_size = -1.0; });
  CHECK_NOTHROW(NutsSettings{}.validate());
  try {
    NutsSettings s;
    s.target_accept = 1.5;
    s.validate();
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("target_accept") != std::string::npos);
  }

  const GaussianTarget target(Vector::Zero(2), Matrix::Identity(2, 2));
  NutsSettings bad;
  bad.draws = 0;
  CHECK_THROWS_AS(run_nuts(target, Matrix::Zero(2, 2), bad, 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(run_nuts(target, Matrix::Zero(2, 3), NutsSettings{}, 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(run_nuts(target, Matrix::Zero(0, 2), NutsSettings{}, 1),
                  std::invalid_argument);
  // An initial point outside the support.
  CHECK_THROWS_AS(
      run_nuts(HalfNormal(), Matrix::Constant(1, 1, -1.0), NutsSettings{}, 1),
      std::invalid_argument);
}

TEST_CASE("mcmc nuts: reproducible whatever the thread count") {
  Matrix cov(3, 3);
  cov << 1.0, 0.5, 0.0, 0.5, 2.0, 0.3, 0.0, 0.3, 0.5;
  const GaussianTarget target(Vector::Ones(3), cov);
  NutsSettings settings;
  settings.warmup = 200;
  settings.draws = 200;
  const Matrix initial = initial_points(4, 3, 5);

  const LogDensityGradient f = log_density_gradient(target);
  Rng a = make_rng(99), b = make_rng(99);
  const auto first = run_nuts_chain(f, initial.row(0).transpose(), settings, a);
  const auto second =
      run_nuts_chain(f, initial.row(0).transpose(), settings, b);
  CHECK(first.draws == second.draws);
  CHECK(first.step_size == second.step_size);
  CHECK(first.inverse_metric == second.inverse_metric);
  CHECK(first.grad_evals == second.grad_evals);

  const auto one = run_nuts(target, initial, settings, 21, 1);
  const auto two = run_nuts(target, initial, settings, 21, 2);
  REQUIRE(one.size() == two.size());
  for (size_t c = 0; c < one.size(); ++c) {
    CHECK(one[c].draws == two[c].draws);
    CHECK(one[c].step_size == two[c].step_size);
    CHECK(one[c].grad_evals == two[c].grad_evals);
  }
  // Chain c of run_nuts is run_nuts_chain with make_rng(mix_seed(seed, c)).
  Rng rng = make_rng(mix_seed(21, 2));
  CHECK(run_nuts_chain(f, initial.row(2).transpose(), settings, rng).draws ==
        one[2].draws);
  // Different seeds give different chains.
  CHECK(run_nuts(target, initial, settings, 22, 1)[0].draws != one[0].draws);
}

TEST_CASE("mcmc nuts: transitions respect max_depth and count gradients") {
  const GaussianTarget target(Vector::Zero(2), Matrix::Identity(2, 2));
  NutsChain chain(log_density_gradient(target), Vector::Ones(2));
  CHECK(chain.grad_evals() == 1);
  Rng rng = make_rng(3);
  for (int max_depth : {1, 2, 5}) {
    chain.set_max_depth(max_depth);
    chain.set_step_size(0.05);  // small steps: trees run to max_depth
    long long total = chain.grad_evals();
    for (int i = 0; i < 20; ++i) {
      const NutsTransition t = chain.transition(rng);
      CHECK(t.tree_depth <= max_depth);
      CHECK(t.grad_evals <= (1LL << max_depth) - 1);
      CHECK(t.accept_stat >= 0.0);
      CHECK(t.accept_stat <= 1.0);
      CHECK(!t.divergent);
      total += t.grad_evals;
    }
    CHECK(chain.grad_evals() == total);
  }
  // The heuristic lands where one step from N(0, I) is accepted with
  // probability near 0.8: ε of order 1 in two dimensions.
  chain.set_step_size(1e-3);
  chain.init_step_size(rng);
  CHECK(chain.step_size() > 0.1);
  CHECK(chain.step_size() < 10.0);
  CHECK_THROWS_AS(chain.set_step_size(0.0), std::invalid_argument);
  CHECK_THROWS_AS(chain.set_inverse_metric(Vector::Ones(3)),
                  std::invalid_argument);
  CHECK_THROWS_AS(chain.set_inverse_metric(-Vector::Ones(2)),
                  std::invalid_argument);
}

TEST_CASE("mcmc nuts: Stan's adaptation windows") {
  WindowedVarianceAdapter standard(1, 1000);
  using Windows = std::vector<std::pair<long long, long long>>;
  CHECK(standard.windows() ==
        Windows{{75, 99}, {100, 149}, {150, 249}, {250, 449}, {450, 949}});
  // Too short for 75 + 25 + 50: 15 % / 75 % / 10 %.
  WindowedVarianceAdapter short_warmup(1, 100);
  CHECK(short_warmup.init_buffer() == 15);
  CHECK(short_warmup.term_buffer() == 10);
  CHECK(short_warmup.windows() == Windows{{15, 89}});
  CHECK(!WindowedVarianceAdapter(1, 19).active());
  CHECK(WindowedVarianceAdapter(1, 19).windows().empty());

  // The metric is set exactly when a window closes, to the regularized
  // variance of the window's draws.
  WindowedVarianceAdapter adapter(2, 1000);
  Vector metric = Vector::Ones(2);
  Rng rng = make_rng(8);
  std::vector<long long> closed;
  Matrix window_draws(25, 2);
  for (long long i = 0; i < 1000; ++i) {
    Vector x(2);
    x << 3.0 * rng.normal(), 0.5 * rng.normal();
    if (i >= 75 && i < 100) window_draws.row(i - 75) = x.transpose();
    if (adapter.update(x, metric)) {
      closed.push_back(i);
      if (i == 99) {
        const Matrix c = window_draws.rowwise() - window_draws.colwise().mean();
        const Vector var = c.colwise().squaredNorm() / 24.0;
        for (Index j = 0; j < 2; ++j)
          CHECK(metric(j) ==
                doctest::Approx(25.0 / 30.0 * var(j) + 1e-3 * 5.0 / 30.0));
      }
    }
  }
  CHECK(closed == std::vector<long long>{99, 149, 249, 449, 949});
  CHECK(metric(0) == relative(9.0, 0.2));
  CHECK(metric(1) == relative(0.25, 0.2));
}

TEST_CASE(
    "mcmc nuts: dual averaging finds the step size of the target "
    "acceptance") {
  // A noiseless acceptance curve a(ε) = 1/(1 + ε²): a = 0.8 at ε = 0.5.
  DualAveraging adapter(0.8);
  adapter.restart(2.0);
  double step = 2.0;
  for (int i = 0; i < 2000; ++i)
    step = adapter.update(1.0 / (1.0 + step * step));
  const double final_step = adapter.final_step_size();
  CHECK(final_step == relative(0.5, 0.02));
  CHECK(adapter.iterations() == 2000);
  // With no update since the restart the restart's step size is kept.
  adapter.restart(0.3);
  CHECK(adapter.final_step_size() == 0.3);
  CHECK_THROWS_AS(DualAveraging(1.2), std::invalid_argument);
}

}  // namespace vibench
