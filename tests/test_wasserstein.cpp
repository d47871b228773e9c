// The Wasserstein metrics against independent computations: a brute force
// over all matchings for equal sizes, the sorted matching in 1-D, and
// GLPK's simplex on the transport linear program for unequal sizes.
#include <doctest/doctest.h>
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/rng.hpp"
#include "metrics/wasserstein.hpp"

using namespace vibench;

namespace {

// min over permutations σ of (1/n) Σ_i ‖x_i − y_σ(i)‖^p: with equal sizes
// and uniform weights an optimal coupling is a permutation (Birkhoff).
double brute_force(const Matrix& x, const Matrix& y, int p) {
  std::vector<Index> perm(static_cast<size_t>(x.rows()));
  std::iota(perm.begin(), perm.end(), Index{0});
  double best = 1e300;
  do {
    double total = 0;
    for (Index i = 0; i < x.rows(); ++i) {
      const double d = (x.row(i) - y.row(perm[static_cast<size_t>(i)])).norm();
      total += p == 2 ? d * d : d;
    }
    best = std::min(best, total / static_cast<double>(x.rows()));
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

// The transport LP min Σ c_ij π_ij, Σ_j π_ij = 1/n, Σ_i π_ij = 1/m, π ≥ 0,
// by GLPK's simplex.
double transport_lp(const Matrix& x, const Matrix& y, int p) {
  const int n = static_cast<int>(x.rows()), m = static_cast<int>(y.rows());
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  glp_add_rows(lp, n + m);
  for (int i = 0; i < n; ++i) glp_set_row_bnds(lp, i + 1, GLP_FX, 1.0 / n, 0);
  for (int j = 0; j < m; ++j)
    glp_set_row_bnds(lp, n + j + 1, GLP_FX, 1.0 / m, 0);
  glp_add_cols(lp, n * m);
  std::vector<int> rows(1), cols(1);
  std::vector<double> values(1);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      const int col = i * m + j + 1;
      const double d = (x.row(i) - y.row(j)).norm();
      glp_set_col_bnds(lp, col, GLP_LO, 0, 0);
      glp_set_obj_coef(lp, col, p == 2 ? d * d : d);
      rows.push_back(i + 1);
      cols.push_back(col);
      values.push_back(1);
      rows.push_back(n + j + 1);
      cols.push_back(col);
      values.push_back(1);
    }
  glp_load_matrix(lp, static_cast<int>(rows.size()) - 1, rows.data(),
                  cols.data(), values.data());
  glp_smcp params;
  glp_init_smcp(&params);
  params.msg_lev = GLP_MSG_OFF;
  REQUIRE(glp_simplex(lp, &params) == 0);
  const double value = glp_get_obj_val(lp);
  glp_delete_prob(lp);
  return value;
}

}  // namespace

TEST_CASE("wasserstein: exact W1 and W2 against a brute force over matchings") {
  Rng rng = make_rng(3);
  const Matrix x = rng.normal_matrix(6, 2),
               y = rng.normal_matrix(6, 2).array() + 0.7;
  CHECK(wasserstein_exact(x, y, 2) ==
        doctest::Approx(std::sqrt(brute_force(x, y, 2))).epsilon(1e-12));
  CHECK(wasserstein_exact(x, y, 1) ==
        doctest::Approx(brute_force(x, y, 1)).epsilon(1e-12));
  CHECK(wasserstein_exact(x, x, 2) == 0.0);
}

TEST_CASE("wasserstein: unequal sizes against GLPK's transport LP") {
  Rng rng = make_rng(4);
  const Matrix x = rng.normal_matrix(7, 3), y = 1.5 * rng.normal_matrix(11, 3);
  CHECK(wasserstein_exact(x, y, 2) ==
        doctest::Approx(std::sqrt(transport_lp(x, y, 2))).epsilon(1e-9));
  CHECK(wasserstein_exact(x, y, 1) ==
        doctest::Approx(transport_lp(x, y, 1)).epsilon(1e-9));
}

TEST_CASE("wasserstein: 1-D by sorting, and the sliced W2 in 1-D") {
  Rng rng = make_rng(5);
  const Matrix x = rng.normal_matrix(40, 1), y = 2.0 * rng.normal_matrix(40, 1);
  Vector a = x.col(0), b = y.col(0);
  std::sort(a.data(), a.data() + a.size());
  std::sort(b.data(), b.data() + b.size());
  const double sorted = (a - b).squaredNorm() / 40.0;
  CHECK(wasserstein_2_squared_1d(x.col(0), y.col(0)) ==
        doctest::Approx(sorted).epsilon(1e-12));
  CHECK(wasserstein_exact(x, y, 2) ==
        doctest::Approx(std::sqrt(sorted)).epsilon(1e-10));
  // In 1-D every direction is ±1: the sliced W2 is the exact one.
  CHECK(sliced_wasserstein_2(x, y, 7, 1) ==
        doctest::Approx(std::sqrt(sorted)).epsilon(1e-12));
  // Unequal sizes in 1-D against the LP.
  const Matrix z = rng.normal_matrix(9, 1);
  CHECK(wasserstein_2_squared_1d(x.col(0), z.col(0)) ==
        doctest::Approx(transport_lp(x, z, 2)).epsilon(1e-9));
  // The sliced W2 is at most the exact W2 (each projection is 1-Lipschitz).
  const Matrix u = rng.normal_matrix(30, 4), v = rng.normal_matrix(30, 4);
  CHECK(sliced_wasserstein_2(u, v, 200, 2) <= wasserstein_exact(u, v, 2));
}

TEST_CASE("sinkhorn: the 2 × 2 closed form, and W2² as ε → 0") {
  // Two points each: P = [[t, ½ − t], [½ − t, t]] and the first-order
  // condition Δ + 2ε(log t − log(½ − t)) = 0, Δ = c11 + c22 − c12 − c21,
  // give t = ½ r/(1 + r) with r = exp(−Δ/(2ε)).
  Matrix x(2, 1), y(2, 1);
  x << 0.0, 1.0;
  y << 0.2, 1.5;
  const double c11 = 0.04, c12 = 2.25, c21 = 0.64, c22 = 0.25;
  for (double epsilon : {0.2, 1.0, 5.0}) {
    const double r = std::exp(-(c11 + c22 - c12 - c21) / (2 * epsilon));
    const double t = 0.5 * r / (1 + r);
    const double expected = t * (c11 + c22) + (0.5 - t) * (c12 + c21);
    INFO("epsilon " << epsilon);
    CHECK(sinkhorn_cost(x, y, epsilon, 1e-12, 100000) ==
          doctest::Approx(expected).epsilon(1e-9));
  }
  // Larger samples: above W2², decreasing with ε, within 5% of W2² at
  // ε = 0.05 (Sinkhorn slows as ε shrinks: a looser marginal tolerance).
  Rng rng = make_rng(6);
  const Matrix u = rng.normal_matrix(40, 2), v = rng.normal_matrix(30, 2);
  const double w2 = std::pow(wasserstein_exact(u, v, 2), 2);
  const double coarse = sinkhorn_cost(u, v, 0.5, 1e-10, 100000);
  const double fine = sinkhorn_cost(u, v, 0.05, 1e-8, 100000);
  INFO("W2² " << w2 << ", Sinkhorn at ε = 0.5: " << coarse
              << ", 0.05: " << fine);
  CHECK(coarse >= fine);
  CHECK(fine >= w2 * (1 - 1e-6));
  CHECK(fine <= 1.05 * w2);
}
