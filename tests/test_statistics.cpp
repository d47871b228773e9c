// Statistics of the reports: quantiles, the Mann–Whitney U test against
// hand-computed exact and normal-approximation values, Holm's correction.
#include <doctest/doctest.h>

#include <cmath>

#include "report/statistics.hpp"

using namespace vibench;

TEST_CASE("statistics: quantiles interpolate linearly (type 7)") {
  CHECK(median({3, 1, 2}) == 2);
  CHECK(median({4, 1, 3, 2}) == doctest::Approx(2.5));
  CHECK(quantile({1, 2, 3, 4}, 0.25) == doctest::Approx(1.75));
  CHECK(quantile({1, 2, 3, 4}, 0.75) == doctest::Approx(3.25));
  CHECK(quantile({5}, 0.25) == 5);
  CHECK(std::isnan(median({})));
}

TEST_CASE("statistics: Mann-Whitney U, exact distribution without ties") {
  // Fully separated samples of 5 and 5: only 1 of the C(10, 5) = 252
  // arrangements has U = 0, so p = 2 / 252.
  const auto separated = mann_whitney_u({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  CHECK(separated.exact);
  CHECK(separated.u == 0);
  CHECK(separated.p == doctest::Approx(2.0 / 252).epsilon(1e-12));
  const auto reversed = mann_whitney_u({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  CHECK(reversed.u == 25);
  CHECK(reversed.p == doctest::Approx(2.0 / 252).epsilon(1e-12));

  // One inversion, 4 and 4: U = 1; #(U ≤ 1) = 1 + 1 of 70, p = 4/70.
  const auto one = mann_whitney_u({1, 2, 3, 5}, {4, 6, 7, 8});
  CHECK(one.u == 1);
  CHECK(one.p == doctest::Approx(4.0 / 70).epsilon(1e-12));

  // 3 and 3, U = 3: the counts of U = 0..9 are 1 1 2 3 3 3 3 2 1 1 (of 20),
  // P(U ≤ 3) = 7/20, p = 0.7.
  const auto middle = mann_whitney_u({1.1, 2.2, 3.3}, {0.5, 4.4, 5.5});
  CHECK(middle.u == 3);
  CHECK(middle.p == doctest::Approx(0.7).epsilon(1e-12));

  // 6 and 7, U = 3: counts of U = 0..3 are 1 1 2 3 of C(13, 6) = 1716.
  const auto unequal =
      mann_whitney_u({3, 1, 4, 1.5, 9, 2.6}, {5, 8, 7, 10, 11, 12, 13});
  CHECK(unequal.u == 3);
  CHECK(unequal.p == doctest::Approx(14.0 / 1716).epsilon(1e-12));

  // The smallest possible p of 3 against 3 is 2/20: never significant.
  CHECK(mann_whitney_u({1, 2, 3}, {4, 5, 6}).p == doctest::Approx(0.1));
  // Identical samples in distribution: p = 1.
  CHECK(mann_whitney_u({1, 4}, {2, 3}).p == doctest::Approx(1.0));
}

TEST_CASE("statistics: Mann-Whitney U, normal approximation with ties") {
  // x = {1, 2, 2}, y = {2, 3, 3}. Pooled ranks: 1 → 1, the three 2s → 3,
  // the two 3s → 5.5; R_x = 7, U = 7 − 6 = 1, mean 4.5. Tie groups of 3 and
  // 2: Σ(t³ − t) = 30, variance = 9/12 · (7 − 30/30) = 4.5. With the
  // continuity correction z = (3.5 − 0.5)/√4.5 = √2, so p = erfc(1) =
  // 0.157299 (scipy.stats.mannwhitneyu gives the same).
  const auto r = mann_whitney_u({1, 2, 2}, {2, 3, 3});
  CHECK_FALSE(r.exact);
  CHECK(r.u == 1);
  CHECK(r.p == doctest::Approx(std::erfc(1.0)).epsilon(1e-12));
  CHECK(r.p == doctest::Approx(0.1572992070502851).epsilon(1e-12));

  // Every value equal: no evidence of a difference.
  CHECK(mann_whitney_u({1, 1, 1}, {1, 1}).p == 1);
  // An empty sample: p = 1.
  CHECK(mann_whitney_u({}, {1, 2}).p == 1);

  // Beyond 20 values per sample, the normal approximation even without
  // ties: 25 against 25 fully separated, U = 0, mean 312.5, variance
  // 625 · 51 / 12 = 2656.25, z = 312 / √2656.25.
  std::vector<double> low, high;
  for (int i = 0; i < 25; ++i) {
    low.push_back(i);
    high.push_back(100 + i);
  }
  const auto large = mann_whitney_u(low, high);
  CHECK_FALSE(large.exact);
  CHECK(large.u == 0);
  CHECK(large.p ==
        doctest::Approx(std::erfc(312 / std::sqrt(2656.25) / std::sqrt(2.0)))
            .epsilon(1e-12));
  CHECK(large.p < 1e-8);
}

TEST_CASE("statistics: exact and approximate Mann-Whitney agree for 20 vs 20") {
  // x = 0..19, y = x + 3.5: x_i > y_j iff i − j ≥ 4, so U = 16 + 15 + … + 1
  // = 136. Exact p = 0.0859140 (from the counts of the C(40, 20)
  // arrangements, computed independently); the normal approximation,
  // z = (|136 − 200| − 0.5)/√(400·41/12), gives 0.0858549.
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(i);
    y.push_back(i + 3.5);
  }
  const auto exact = mann_whitney_u(x, y);
  REQUIRE(exact.exact);
  CHECK(exact.u == 136);
  CHECK(exact.p == doctest::Approx(0.08591401998569383).epsilon(1e-9));
  const double z = (64 - 0.5) / std::sqrt(400.0 * 41 / 12);
  CHECK(exact.p ==
        doctest::Approx(std::erfc(z / std::sqrt(2.0))).epsilon(1e-3));
}

TEST_CASE("statistics: Holm's step-down correction") {
  // p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005·4 = 0.02,
  // 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max(0.06, 0.04) = 0.06.
  const auto adjusted = holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == doctest::Approx(0.03));
  CHECK(adjusted[1] == doctest::Approx(0.06));
  CHECK(adjusted[2] == doctest::Approx(0.06));
  CHECK(adjusted[3] == doctest::Approx(0.02));
  // At α = 0.05 Holm rejects 0.005 and 0.01, then stops at 0.03 > 0.05/2.
  // Adjusted p-values are capped at 1 and never decrease along the order.
  CHECK(holm_adjust({0.5, 0.6}) == std::vector<double>{1.0, 1.0});
  CHECK(holm_adjust({0.02}) == std::vector<double>{0.02});
  CHECK(holm_adjust({}).empty());
}
