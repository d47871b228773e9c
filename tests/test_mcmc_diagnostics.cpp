// Tests of the inverse normal CDF and of the MCMC convergence diagnostics
// (lib/mcmc/diagnostics.hpp) on chains with known answers: iid draws,
// stationary AR(1) chains, chains that disagree in location or in scale.
// Tolerances are set from the sampling spread of the estimators (stated at
// each check) so that the fixed seeds are not cherry-picked: every check
// passes for most seeds.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "core/rng.hpp"
#include "mcmc/diagnostics.hpp"
#include "mcmc/normal_quantile.hpp"

namespace vibench {
namespace {

// |actual − expected| < tolerance·max(|actual|, |expected|). doctest's
// Approx also adds tolerance·1 (its default scale), which would make checks
// of small values such as MCSE or variances vacuous.
doctest::Approx relative(double expected, double tolerance) {
  return doctest::Approx(expected).epsilon(tolerance).scale(0.0);
}

// Φ(x) through the C library's erfc, accurate in both tails.
double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

// n × m iid N(0, 1) draws.
Matrix iid_normal(Index n, Index m, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  Matrix x(n, m);
  for (Index c = 0; c < m; ++c)
    for (Index i = 0; i < n; ++i) x(i, c) = rng.normal();
  return x;
}

// m stationary AR(1) chains x_t = ρx_{t−1} + √(1 − ρ²)ε_t with unit
// marginal variance, started from the stationary N(0, 1).
Matrix ar1_chains(Index n, Index m, double rho, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  const double innovation = std::sqrt(1.0 - rho * rho);
  Matrix x(n, m);
  for (Index c = 0; c < m; ++c) {
    double value = rng.normal();
    for (Index i = 0; i < n; ++i) {
      x(i, c) = value;
      value = rho * value + innovation * rng.normal();
    }
  }
  return x;
}

double bulk_rhat(const Matrix& x) {
  return potential_scale_reduction(rank_normalize(split_chains(x)));
}

}  // namespace

TEST_CASE("mcmc diagnostics: normal_quantile matches known values") {
  // Reference values of Φ⁻¹ to 16 digits (R's qnorm, which is AS 241).
  CHECK(normal_quantile(0.975) == relative(1.959963984540054, 1e-15));
  CHECK(normal_quantile(0.025) == relative(-1.959963984540054, 1e-15));
  CHECK(normal_quantile(0.9) == relative(1.2815515655446004, 1e-15));
  CHECK(normal_quantile(0.001) == relative(-3.090232306167813, 1e-15));
  CHECK(normal_quantile(1e-10) == relative(-6.361340902404056, 1e-15));
  CHECK(normal_quantile(0.5) == 0.0);
  CHECK(normal_quantile(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(normal_quantile(1.0) == std::numeric_limits<double>::infinity());
  CHECK(std::isnan(normal_quantile(-0.1)));
  CHECK(std::isnan(normal_quantile(1.5)));
  CHECK(std::isnan(normal_quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("mcmc diagnostics: normal_quantile is symmetric and inverts erfc") {
  // p = k/4096 and 1 − p are exact, so the two branches see the same tail
  // probability and the results must be exact negatives.
  for (int k = 1; k < 2048; ++k) {
    const double p = k / 4096.0;
    CHECK(normal_quantile(1.0 - p) == -normal_quantile(p));
  }
  // All three regions of AS 241 (central, r ≤ 5, r > 5, the last for
  // p < e^{−25} ≈ 1.4e−11). The root of Φ(x) = p refined by Newton's method
  // in long double (erfcl) must agree to 1e-15: a few ulp of double. The
  // round trip Φ(Φ⁻¹(p)) has relative error ≈ |x|·|δx| plus erfc's few ulp,
  // hence the tolerance 1e-15·(2 + x²).
  for (double p : {1e-300, 1e-100, 1e-20, 1e-12, 1e-11, 1e-8, 1e-4, 0.01, 0.07,
                   0.075, 0.0751, 0.2, 0.3, 0.45}) {
    const double x = normal_quantile(p);
    long double root = x;
    for (int iteration = 0; iteration < 4; ++iteration) {
      const long double cdf = 0.5L * std::erfc(-root / std::sqrt(2.0L));
      const long double density =
          std::exp(-0.5L * root * root) /
          std::sqrt(2.0L * std::numbers::pi_v<long double>);
      root -= (cdf - static_cast<long double>(p)) / density;
    }
    CHECK(x == relative(static_cast<double>(root), 1e-15));
    CHECK(normal_cdf(x) == relative(p, 1e-15 * (2.0 + x * x)));
  }
  // Only x ≤ 0: for x > 0, Φ(x) rounded to a double near 1 has already lost
  // the digits of the upper tail that Φ⁻¹ would need.
  for (double x = -8.0; x <= 0.0; x += 0.37)
    CHECK(normal_quantile(normal_cdf(x)) ==
          doctest::Approx(x).epsilon(1e-12).scale(1.0));
}

TEST_CASE("mcmc diagnostics: building blocks") {
  SUBCASE("split_chains drops the middle draw of an odd length") {
    Matrix x(5, 2);
    x << 1, 10, 2, 20, 3, 30, 4, 40, 5, 50;
    const Matrix s = split_chains(x);
    REQUIRE(s.rows() == 2);
    REQUIRE(s.cols() == 4);
    Matrix expected(2, 4);
    expected << 1, 10, 4, 40, 2, 20, 5, 50;
    CHECK(s == expected);
    CHECK(split_chains(Matrix::Ones(1, 3)) == Matrix::Ones(1, 3));
  }
  SUBCASE("rank_normalize averages the ranks of ties") {
    Matrix x(2, 2);
    x << 3.0, 1.0, 3.0, 7.0;  // values 3, 3, 1, 7: ranks 2.5, 2.5, 1, 4
    const Matrix z = rank_normalize(x);
    const auto expected = [](double r) {
      return normal_quantile((r - 0.375) / 4.25);
    };
    CHECK(z(0, 0) == doctest::Approx(expected(2.5)));
    CHECK(z(1, 0) == z(0, 0));
    CHECK(z(0, 1) == doctest::Approx(expected(1.0)));
    CHECK(z(1, 1) == doctest::Approx(expected(4.0)));
  }
  SUBCASE("FFT autocovariance equals the direct sum") {
    const Vector x = ar1_chains(777, 1, 0.6, 3).col(0);
    const Vector acov = autocovariance(x);
    REQUIRE(acov.size() == x.size());
    const Vector c = x.array() - x.mean();
    const Index n = x.size();
    for (Index t : {0, 1, 2, 10, 100, 500, 776}) {
      const double direct =
          c.head(n - t).dot(c.tail(n - t)) / static_cast<double>(n);
      CHECK(acov(t) == doctest::Approx(direct).epsilon(1e-10).scale(1e-3));
    }
  }
  SUBCASE("undefined inputs give NaN") {
    const Matrix constant = Matrix::Constant(100, 4, 2.5);
    CHECK(std::isnan(rhat(constant)));
    CHECK(std::isnan(ess_bulk(constant)));
    CHECK(std::isnan(ess_tail(constant)));
    CHECK(std::isnan(ess_basic(constant)));
    CHECK(std::isnan(mcse_mean(constant)));
    CHECK(std::isnan(mcse_sd(constant)));
    Matrix with_nan = iid_normal(100, 4, 1);
    with_nan(3, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK(std::isnan(rhat(with_nan)));
    CHECK(std::isnan(ess_bulk(with_nan)));
    CHECK(std::isnan(ess_tail(with_nan)));
    CHECK(std::isnan(mcse_mean(with_nan)));
    // Too few draws for autocorrelations (posterior needs ≥ 3 per split
    // chain).
    CHECK(std::isnan(ess_basic(iid_normal(5, 4, 2))));
    CHECK(std::isfinite(ess_basic(iid_normal(6, 4, 2))));
    CHECK_THROWS_AS(ess_quantile(iid_normal(10, 2, 2), 1.5),
                    std::invalid_argument);
  }
}

TEST_CASE("mcmc diagnostics: iid normal chains") {
  // 4 chains × 2500 draws (N = 10 000). Over 200 seeds ess_bulk/N had mean
  // 0.99 and sd 0.027 (min 0.88), ess_tail/N mean 0.97 and sd 0.028 (min
  // 0.85): the truncated autocorrelation sum keeps a few lags whose noise
  // is ≈ 1/√N each. ±15 % for the bulk and ±20 % for the tail are ≥ 4.5 sd;
  // R̂ stayed ≤ 1.001.
  const Index n = 2500, m = 4;
  const double total = static_cast<double>(n * m);
  const Matrix x = iid_normal(n, m, 11);
  CHECK(rhat(x) < 1.01);
  CHECK(ess_bulk(x) == relative(total, 0.15));
  CHECK(ess_basic(x) == relative(total, 0.15));
  CHECK(ess_tail(x) == relative(total, 0.2));
  // mcse_sd of iid N(0, σ²): Var(v̂) = 2σ⁴/N, so σ/√(2N) by the delta
  // method. Over the same 200 seeds the ratio of mcse_sd to it had sd 0.02
  // and that of mcse_mean to σ/√N sd 0.014, so ±10 % is ≥ 5 sd.
  const double sd =
      std::sqrt((x.array() - x.mean()).square().sum() / (total - 1.0));
  CHECK(mcse_sd(x) == relative(sd / std::sqrt(2.0 * total), 0.1));
  CHECK(mcse_mean(x) == relative(sd / std::sqrt(total), 0.1));
}

TEST_CASE("mcmc diagnostics: AR(1) chains with rho = 0.9, fast") {
  // τ = (1 + ρ)/(1 − ρ) = 19, so ESS ≈ N/19 ≈ 5263 for N = 100 000 draws.
  // Over 50 seeds the ratio of the estimate to it had mean 0.997 and sd
  // 0.04 (min 0.895), that of mcse_mean to σ√(τ/N) sd 0.024, and R̂ stayed
  // ≤ 1.0032: ±15 % and ±10 % are ≥ 3.7 sd.
  const double rho = 0.9;
  const Index n = 10000, m = 10;
  const double total = static_cast<double>(n * m);
  const Matrix x = ar1_chains(n, m, rho, 7);
  const double expected_ess = total * (1.0 - rho) / (1.0 + rho);

  const auto start = std::chrono::steady_clock::now();
  const double bulk = ess_bulk(x), basic = ess_basic(x);
  const double r = rhat(x), tail = ess_tail(x), se = mcse_mean(x),
               se_sd = mcse_sd(x);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  MESSAGE("six diagnostics of 10 × 10 000 draws took ", seconds, " s");
  // All six diagnostics of one quantity; about 0.1 s in Release.
  CHECK(seconds < 1.0);

  CHECK(basic == relative(expected_ess, 0.15));
  // Rank normalization is nearly the identity for Gaussian chains.
  CHECK(bulk == relative(expected_ess, 0.15));
  CHECK(r < 1.01);
  CHECK(std::isfinite(tail));
  CHECK(tail < 0.5 * total);
  CHECK(se_sd > 0.0);
  // mcse = σ√(τ/N) with σ = 1: error half the relative ESS error.
  CHECK(se == relative(std::sqrt((1.0 + rho) / (1.0 - rho) / total), 0.1));
}

TEST_CASE("mcmc diagnostics: chains with shifted means have a large rhat") {
  // Chain c centred at c/2: the variance of the chain means (≈ 0.42) is
  // large against the within-chain variance 1. Over 100 seeds R̂ was
  // 1.14–1.19.
  Matrix x = iid_normal(1000, 4, 5);
  for (Index c = 0; c < 4; ++c) x.col(c).array() += 0.5 * c;
  CHECK(rhat(x) > 1.1);
  CHECK(rhat_basic(x) > 1.1);
  CHECK(bulk_rhat(x) > 1.1);
}

TEST_CASE(
    "mcmc diagnostics: chains that differ in scale need the folded "
    "rhat") {
  // Same centre, one chain three times wider: the ranks of the draws have
  // the same mean in every chain, so bulk R̂ stays near 1, while the folded
  // |x − median| is much larger in the wide chain. Over 100 seeds bulk R̂
  // was ≤ 1.0007 and R̂ (with the tail) 1.13–1.17.
  Matrix x = iid_normal(2000, 4, 9);
  x.col(3) *= 3.0;
  CHECK(bulk_rhat(x) < 1.01);
  CHECK(rhat_basic(x) < 1.01);
  CHECK(rhat(x) > 1.05);
}

TEST_CASE("mcmc diagnostics: summarize_chains") {
  std::vector<Matrix> chains;
  for (std::uint64_t c = 0; c < 4; ++c) {
    Matrix chain(500, 3);
    chain.col(0) = iid_normal(500, 1, 100 + c);
    chain.col(1) = 2.0 * iid_normal(500, 1, 200 + c).array() + 5.0;
    chain.col(2) = ar1_chains(500, 1, 0.5, 300 + c);
    chains.push_back(chain);
  }
  const auto summaries = summarize_chains(chains);
  REQUIRE(summaries.size() == 3);
  for (Index j = 0; j < 3; ++j) {
    Matrix draws(500, 4);
    for (Index c = 0; c < 4; ++c) draws.col(c) = chains[c].col(j);
    const ParameterSummary& s = summaries[static_cast<size_t>(j)];
    CHECK(s.mean == doctest::Approx(draws.mean()));
    CHECK(s.rhat == rhat(draws));
    CHECK(s.ess_bulk == ess_bulk(draws));
    CHECK(s.ess_tail == ess_tail(draws));
    CHECK(s.mcse_mean == mcse_mean(draws));
    CHECK(s.mcse_sd == mcse_sd(draws));
  }
  CHECK(summaries[1].mean == relative(5.0, 0.05));
  CHECK(summaries[1].sd == relative(2.0, 0.05));

  CHECK_THROWS_AS(summarize_chains({}), std::invalid_argument);
  CHECK_THROWS_AS(summarize_chains({Matrix::Zero(10, 2), Matrix::Zero(9, 2)}),
                  std::invalid_argument);
  CHECK_THROWS_AS(summarize_chains({Matrix::Zero(10, 2), Matrix::Zero(10, 3)}),
                  std::invalid_argument);
}

}  // namespace vibench
