// Bilevel problems beyond the generic checks of test_task_gradients (which
// test every oracle and the exact hypergradient against finite
// differences): minibatch oracles against the full sums, the spectra the
// parameters promise, x* against the hypergradient, bad parameters.
#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/counters.hpp"
#include "tasks/oracles.hpp"
#include "tasks/task.hpp"

namespace vibench {
namespace {

std::shared_ptr<const Bilevel> make_bilevel(const char* name,
                                            const Json& params) {
  const TaskEntry* entry = TaskRegistry::instance().find(name);
  REQUIRE(entry != nullptr);
  return std::static_pointer_cast<const Bilevel>(
      entry->make(Params(validate_params(params, entry->params, "", name))));
}

// Dense ∇²_yy g and ∇²_xy g at one point, from the product oracles.
Matrix dense_hessian_yy(const Bilevel& t, const Matrix& x, const Matrix& y) {
  const Index dy = t.dim_y();
  return t.inner_hvp_yy(x.replicate(dy, 1), y.replicate(dy, 1),
                        Matrix::Identity(dy, dy));
}

}  // namespace

TEST_CASE("finite_sum_quadratic: minibatches are unbiased; all rows = full") {
  const Json base = {{"dim_x", 3},
                     {"dim_y", 4},
                     {"n_inner", 30},
                     {"n_outer", 20},
                     {"instance", 5}};
  Json all_rows = base, small = base;
  all_rows["batch_size"] = 20;
  small["batch_size"] = 4;
  const auto full = make_bilevel("finite_sum_quadratic", base);
  Rng rng = make_rng(3);
  const Matrix x = rng.normal_matrix(2, 3), y = rng.normal_matrix(2, 4),
               v = rng.normal_matrix(2, 4);
  Matrix fx, fy, gx, gy, efx, efy, egx, egy;
  full->outer_grad(x, y, efx, efy);
  full->inner_grad(x, y, egx, egy);
  const Matrix ehvp = full->inner_hvp_yy(x, y, v);
  const Matrix ecross = full->inner_cross(x, y, v);

  SUBCASE("a batch of every outer row is the full outer sum") {
    const auto t = make_bilevel("finite_sum_quadratic", all_rows);
    CHECK(t->outer_grad_minibatch(x, y, rng, fx, fy) == 20);
    CHECK((fx - efx).cwiseAbs().maxCoeff() < 1e-12);
    CHECK((fy - efy).cwiseAbs().maxCoeff() < 1e-12);
  }
  SUBCASE("small batches average to the full sums") {
    const auto t = make_bilevel("finite_sum_quadratic", small);
    REQUIRE(t->offers(Capability::minibatch));
    Counters counters;
    const BilevelOracle oracle(*t, counters, /*minibatch_seed=*/9);
    Matrix sfx = Matrix::Zero(2, 3), sfy = Matrix::Zero(2, 4),
           sgx = Matrix::Zero(2, 3), sgy = Matrix::Zero(2, 4),
           shvp = Matrix::Zero(2, 4), scross = Matrix::Zero(2, 3);
    const int draws = 20000;
    for (int k = 0; k < draws; ++k) {
      oracle.outer_grad(x, y, fx, fy);
      oracle.inner_grad(x, y, gx, gy);
      sfx += fx;
      sfy += fy;
      sgx += gx;
      sgy += gy;
      shvp += oracle.inner_hvp_yy(x, y, v);
      scross += oracle.inner_cross(x, y, v);
    }
    // Relative to the size of the full value; the batch noise averages to
    // about 1% over 20000 draws.
    const auto close = [&](const Matrix& sum, const Matrix& exact) {
      return (sum / draws - exact).norm() <= 0.03 * (1.0 + exact.norm());
    };
    CHECK(close(sfx, efx));
    CHECK(close(sfy, efy));
    CHECK(close(sgx, egx));
    CHECK(close(sgy, egy));
    CHECK(close(shvp, ehvp));
    CHECK(close(scross, ecross));
    CHECK(!fy.isApprox(efy, 1e-3));  // a single batch is not the full sum
    // Four calls per draw, each reading 4 rows for each of the 2 points.
    CHECK(counters.oracle_calls == draws * 4LL * 4 * 2);
  }
}

TEST_CASE("finite_sum_quadratic: spectra, x* and the anchor's sizes") {
  const auto t = make_bilevel("finite_sum_quadratic", Json::object());
  CHECK(t->dim_x() == 100);
  CHECK(t->dim_y() == 100);
  CHECK(t->inner_data_size() == 1024);
  CHECK(t->outer_data_size() == 1024);
  // The mean of 1024 rank-one Hessians in dimension 100: its spectrum
  // spreads around [μ, L] = [0.1, 1] by the sampling (Marchenko–Pastur,
  // n/d ≈ 10), but stays positive and of that size.
  Rng rng = make_rng(1);
  const Matrix x = rng.normal_matrix(1, 100), y = rng.normal_matrix(1, 100);
  const Vector eig =
      Eigen::SelfAdjointEigenSolver<Matrix>(dense_hessian_yy(*t, x, y))
          .eigenvalues();
  CHECK(eig.minCoeff() > 0.02);
  CHECK(eig.minCoeff() < 0.1);
  CHECK(eig.maxCoeff() > 1.0);
  CHECK(eig.maxCoeff() < 3.0);
  const Vector xs = t->optimum();
  CHECK(t->hypergradient(xs.transpose()).norm() < 1e-9);
  // F is strongly convex: x* beats nearby points.
  const Matrix around =
      xs.transpose().replicate(4, 1) + 1e-2 * rng.normal_matrix(4, 100);
  const auto big_f = [&](const Matrix& p) {
    return t->outer_value(p, t->inner_solution(p));
  };
  CHECK((big_f(around).array() > big_f(xs.transpose())(0)).all());
}

TEST_CASE("ridge_hyperparameters: the hypergradient's closed form") {
  const auto t = make_bilevel(
      "ridge_hyperparameters",
      {{"dim", 5}, {"n_train", 30}, {"n_validation", 20}, {"informative", 2}});
  Rng rng = make_rng(4);
  const Matrix x = rng.normal_matrix(3, 5);
  const Matrix w = t->inner_solution(x);
  // w* zeroes the inner gradient.
  Matrix gx, gy;
  t->inner_grad(x, w, gx, gy);
  CHECK(gy.cwiseAbs().maxCoeff() < 1e-12);
  // ∇F = −e^x ⊙ w* ⊙ H⁻¹∇_w f with H from the Hessian-vector oracle.
  const Matrix hg = t->hypergradient(x);
  for (Index i = 0; i < 3; ++i) {
    const Matrix h = dense_hessian_yy(*t, x.row(i), w.row(i));
    Matrix fx, fy;
    t->outer_grad(x.row(i), w.row(i), fx, fy);
    const Vector v = h.llt().solve(fy.row(0).transpose());
    const Vector expected = -(x.row(i).array().exp().transpose() *
                              w.row(i).array().transpose() * v.array())
                                 .matrix();
    CHECK((expected - hg.row(i).transpose()).norm() <
          1e-12 * (1 + expected.norm()));
  }
}

TEST_CASE("data_hypercleaning: error rates, corruption and full batches") {
  const Json small = {{"validation_fraction", 0.45}, {"test_fraction", 0.45}};
  const auto t = make_bilevel("data_hypercleaning", small);
  REQUIRE(t->offers(Capability::error_rates));
  const Index n = t->dim_x();
  CHECK(n == t->inner_data_size());
  CHECK(t->dim_y() % 10 == 0);
  Rng rng = make_rng(2);
  // W = 0 predicts class 0 everywhere: wrong on the ≈ 90% of other rows.
  const Matrix zero_w = Matrix::Zero(1, t->dim_y());
  const double at_zero =
      t->error_rate(Matrix::Zero(1, n), zero_w, Bilevel::Split::test)(0);
  CHECK(at_zero > 0.85);
  CHECK(at_zero < 0.95);
  // Trusting every training label (σ(x) ≈ 1): clean labels give a good
  // classifier, 90% random ones a much worse one.
  const Matrix trust = Matrix::Constant(1, n, 8.0);
  Json clean = small, noisy = small;
  clean["corruption"] = 0.0;
  noisy["corruption"] = 0.9;
  const auto t_clean = make_bilevel("data_hypercleaning", clean);
  const auto t_noisy = make_bilevel("data_hypercleaning", noisy);
  const double clean_error = t_clean->error_rate(
      trust, t_clean->inner_solution(trust), Bilevel::Split::test)(0);
  const double noisy_error = t_noisy->error_rate(
      trust, t_noisy->inner_solution(trust), Bilevel::Split::test)(0);
  INFO("test error, clean " << clean_error << ", noisy " << noisy_error);
  CHECK(clean_error < 0.12);
  CHECK(noisy_error > clean_error + 0.1);
  // Down-weighting training rows cannot change W*'s stationarity: the
  // inner gradient vanishes at W*(x) for any x.
  const Matrix x = rng.normal_matrix(1, n);
  Matrix gx, gy;
  t->inner_grad(x, t->inner_solution(x), gx, gy);
  CHECK(gy.norm() <= 1e-10);

  // A minibatch of every training row is the full sum (in another order).
  Json all_rows = small;
  all_rows["batch_size"] = n;
  const auto t_all = make_bilevel("data_hypercleaning", all_rows);
  const Matrix w = 0.1 * rng.normal_matrix(2, t->dim_y()),
               v = rng.normal_matrix(2, t->dim_y()),
               xs = rng.normal_matrix(2, n);
  Matrix egx, egy, out;
  t->inner_grad(xs, w, egx, egy);
  CHECK(t_all->inner_grad_minibatch(xs, w, rng, gx, gy) == n);
  CHECK((gx - egx).cwiseAbs().maxCoeff() < 1e-14);
  CHECK((gy - egy).cwiseAbs().maxCoeff() < 1e-13);
  t_all->inner_hvp_yy_minibatch(xs, w, v, rng, out);
  CHECK((out - t->inner_hvp_yy(xs, w, v)).cwiseAbs().maxCoeff() < 1e-13);
  t_all->inner_cross_minibatch(xs, w, v, rng, out);
  CHECK((out - t->inner_cross(xs, w, v)).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("logistic_hyperparameters: splits, error rates, minibatches") {
  const auto t = make_bilevel("logistic_hyperparameters", {{"data", "pima"}});
  // pima: 768 rows, 8 features + intercept; 192 test, 192 validation rows.
  CHECK(t->dim_x() == 9);
  CHECK(t->outer_data_size() == 192);
  CHECK(t->inner_data_size() == 768 - 2 * 192);
  // w = 0 predicts class 0 (σ(0) = ½ is not > ½): wrong on every row of
  // class 1, about a third of pima's.
  const Matrix zero = Matrix::Zero(1, 9);
  const double at_zero = t->error_rate(zero, zero, Bilevel::Split::test)(0);
  CHECK(at_zero > 0.25);
  CHECK(at_zero < 0.45);
  // w*(0): a fitted classifier, about 75% accurate on pima.
  const double fitted =
      t->error_rate(zero, t->inner_solution(zero), Bilevel::Split::test)(0);
  CHECK(fitted < 0.3);
  CHECK(fitted < at_zero);
  // Minibatch gradients and Hessian-vector products average to the full
  // ones; the cross product reads no data.
  const auto mini = make_bilevel("logistic_hyperparameters",
                                 {{"data", "pima"}, {"batch_size", 32}});
  REQUIRE(mini->offers(Capability::minibatch));
  Rng rng = make_rng(6);
  const Matrix x = 0.3 * rng.normal_matrix(1, 9),
               w = 0.3 * rng.normal_matrix(1, 9), v = rng.normal_matrix(1, 9);
  Matrix gx, gy, egx, egy, out, sum_gy = Matrix::Zero(1, 9),
                                sum_hvp = Matrix::Zero(1, 9);
  t->inner_grad(x, w, egx, egy);
  const int draws = 20000;
  for (int k = 0; k < draws; ++k) {
    CHECK(mini->inner_grad_minibatch(x, w, rng, gx, gy) == 32);
    sum_gy += gy;
    mini->inner_hvp_yy_minibatch(x, w, v, rng, out);
    sum_hvp += out;
  }
  CHECK((sum_gy / draws - egy).norm() < 0.02 * (1 + egy.norm()));
  const Matrix ehvp = t->inner_hvp_yy(x, w, v);
  CHECK((sum_hvp / draws - ehvp).norm() < 0.02 * (1 + ehvp.norm()));
  CHECK(mini->inner_cross_minibatch(x, w, v, rng, out) == 0);
  CHECK((out - t->inner_cross(x, w, v)).norm() == 0.0);
  CHECK_THROWS_WITH_AS(
      make_bilevel("logistic_hyperparameters",
                   {{"data", "pima"}, {"validation_fraction", 0.8}}),
      doctest::Contains("leaves no validation or no training rows"),
      ConfigError);
}

TEST_CASE("bilevel problems: contradictory parameters are refused") {
  CHECK_THROWS_WITH_AS(
      make_bilevel("data_hypercleaning",
                   {{"validation_fraction", 0.5}, {"test_fraction", 0.5}}),
      doctest::Contains("leaves no training rows"), ConfigError);
  CHECK_THROWS_AS(make_bilevel("data_hypercleaning", {{"corruption", 1.0}}),
                  ConfigError);
  const std::string bad_labels =
      (std::filesystem::temp_directory_path() / "vibench_labels_12.csv")
          .string();
  std::ofstream(bad_labels) << "a,b,label\n1,2,3\n4,5,12\n";
  CHECK_THROWS_WITH_AS(
      make_bilevel("data_hypercleaning", {{"data", bad_labels}}),
      doctest::Contains("label '12' is not an integer in 0 … 9"), ConfigError);
  std::filesystem::remove(bad_labels);
  CHECK_THROWS_WITH_AS(make_bilevel("finite_sum_quadratic", {{"mu", 2.0}}),
                       doctest::Contains("L_inner = 1 is below mu = 2"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(
      make_bilevel("finite_sum_quadratic",
                   {{"n_inner", 10}, {"n_outer", 10}, {"batch_size", 11}}),
      doctest::Contains("batch_size = 11 exceeds"), ConfigError);
  CHECK_THROWS_WITH_AS(
      make_bilevel("finite_sum_quadratic",
                   {{"dim_y", 20}, {"dim_x", 2}, {"n_inner", 5}}),
      doctest::Contains("raise n_inner"), ConfigError);
  CHECK_THROWS_WITH_AS(
      make_bilevel("ridge_hyperparameters", {{"dim", 3}, {"informative", 4}}),
      doctest::Contains("informative = 4 exceeds dim = 3"), ConfigError);
}

TEST_CASE("bilevel problems: declared error-bound constants hold") {
  // μ(x) ≤ λ_min and L(x) ≥ λ_max of the dense ∇²_yy g at random points,
  // and ‖∇f(x, y₁) − ∇f(x, y₂)‖ ≤ L_f‖y₁ − y₂‖ for random pairs.
  struct Case {
    const char* name;
    Json params;
  };
  const Case cases[] = {
      {"quadratic_bilevel", {{"dim_x", 3}, {"dim_y", 5}}},
      {"finite_sum_quadratic",
       {{"dim_x", 3}, {"dim_y", 4}, {"n_inner", 30}, {"n_outer", 20}}},
      {"ridge_hyperparameters", {{"dim", 6}, {"n_train", 30}}},
      {"logistic_hyperparameters", {{"data", "pima"}}},
      {"data_hypercleaning",
       {{"validation_fraction", 0.45}, {"test_fraction", 0.45}}},
      {"softmax_hyperparameters",
       {{"regularizers", "per_class"},
        {"validation_fraction", 0.45},
        {"test_fraction", 0.45}}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const auto t = make_bilevel(c.name, c.params);
    REQUIRE(t->offers(Capability::error_bounds));
    Rng rng = make_rng(31);
    const double l_f = t->outer_smoothness();
    CHECK(l_f > 0);
    double largest_ratio = 0;
    for (int trial = 0; trial < 3; ++trial) {
      const Matrix x = rng.normal_matrix(1, t->dim_x());
      const Matrix y = rng.normal_matrix(1, t->dim_y());
      const Vector spectrum =
          Eigen::SelfAdjointEigenSolver<Matrix>(dense_hessian_yy(*t, x, y),
                                                Eigen::EigenvaluesOnly)
              .eigenvalues();
      const double mu = t->inner_strong_convexity(x)(0);
      const double l = t->inner_smoothness_at(x)(0);
      CHECK(mu > 0);
      CHECK(mu <= spectrum.minCoeff() * (1 + 1e-10));
      CHECK(l >= spectrum.maxCoeff() * (1 - 1e-10));
      const Matrix y2 = y + rng.normal_matrix(1, t->dim_y());
      Matrix fx1, fy1, fx2, fy2;
      t->outer_grad(x, y, fx1, fy1);
      t->outer_grad(x, y2, fx2, fy2);
      const double change =
          std::sqrt((fx1 - fx2).squaredNorm() + (fy1 - fy2).squaredNorm());
      const double ratio = change / (y - y2).norm();
      CHECK(ratio <= l_f * (1 + 1e-10));
      largest_ratio = std::max(largest_ratio, ratio);
    }
    // quadratic_bilevel's f is ½‖y − y_t‖² in y: the bound is attained.
    if (std::string(c.name) == "quadratic_bilevel")
      CHECK(largest_ratio == doctest::Approx(l_f).epsilon(1e-12));
  }
}

TEST_CASE("softmax_hyperparameters: regularizer layouts, ∇F, error rates") {
  const Json base = {{"validation_fraction", 0.3}, {"test_fraction", 0.3}};
  Json per_class = base, per_feature = base;
  per_class["regularizers"] = "per_class";
  per_feature["regularizers"] = "per_feature";
  const auto weights = make_bilevel("softmax_hyperparameters", base);
  const auto classes = make_bilevel("softmax_hyperparameters", per_class);
  const auto features = make_bilevel("softmax_hyperparameters", per_feature);
  const Index dy = weights->dim_y();
  REQUIRE(dy % 10 == 0);
  CHECK(weights->dim_x() == dy);
  CHECK(classes->dim_x() == 10);
  CHECK(features->dim_x() == dy / 10);
  CHECK(classes->dim_y() == dy);
  // The same x spread over the layouts gives the same lower level: x_c for
  // every weight of class c.
  Rng rng = make_rng(8);
  const Matrix xc = 0.5 * rng.normal_matrix(1, 10);
  Matrix xw(1, dy);
  for (Index k = 0; k < dy; ++k) xw(0, k) = xc(0, k % 10);
  const Matrix w = 0.1 * rng.normal_matrix(1, dy);
  CHECK((classes->inner_value(xc, w) - weights->inner_value(xw, w)).norm() <
        1e-12);
  CHECK((classes->inner_solution(xc) - weights->inner_solution(xw)).norm() <
        1e-9);
  // ∇F against central differences of F(x) = f(x, W*(x)), per class.
  const Matrix grad = classes->hypergradient(xc);
  auto big_f = [&](const Matrix& x) {
    return classes->outer_value(x, classes->inner_solution(x))(0);
  };
  const double h = 1e-5;
  for (Index c = 0; c < 10; ++c) {
    Matrix up = xc, down = xc;
    up(0, c) += h;
    down(0, c) -= h;
    const double fd = (big_f(up) - big_f(down)) / (2 * h);
    CHECK(grad(0, c) == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
  }
  // W*(x) classifies digits on held-out rows, better under a weaker
  // regularizer (e^{-4} against e^0); W = 0 picks class 0.
  const Matrix zero_x = Matrix::Zero(1, 10);
  const Matrix weak_x = Matrix::Constant(1, 10, -4.0);
  const double strong = classes->error_rate(
      zero_x, classes->inner_solution(zero_x), Bilevel::Split::test)(0);
  const double weak = classes->error_rate(
      weak_x, classes->inner_solution(weak_x), Bilevel::Split::test)(0);
  INFO("test error " << strong << " at e^0, " << weak << " at e^-4");
  CHECK(strong < 0.2);
  CHECK(weak < strong);
  CHECK(classes->error_rate(zero_x, Matrix::Zero(1, dy),
                            Bilevel::Split::test)(0) > 0.85);
}

TEST_CASE(
    "ridge_hyperparameters: a minibatch of every row is the full oracle") {
  const Json params = {
      {"dim", 5}, {"n_train", 40}, {"n_validation", 40}, {"batch_size", 40}};
  const auto t = make_bilevel("ridge_hyperparameters", params);
  REQUIRE(t->offers(Capability::minibatch));
  Rng rng = make_rng(4), batches = make_rng(5);
  const Matrix x = rng.normal_matrix(2, 5), w = rng.normal_matrix(2, 5),
               v = rng.normal_matrix(2, 5);
  Matrix fx, fy, bfx, bfy, gx, gy, bgx, bgy, hvp;
  t->outer_grad(x, w, fx, fy);
  t->inner_grad(x, w, gx, gy);
  CHECK(t->outer_grad_minibatch(x, w, batches, bfx, bfy) == 40);
  CHECK(t->inner_grad_minibatch(x, w, batches, bgx, bgy) == 40);
  CHECK(t->inner_hvp_yy_minibatch(x, w, v, batches, hvp) == 40);
  CHECK((bfy - fy).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((bgy - gy).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((bgx - gx).cwiseAbs().maxCoeff() == 0.0);
  CHECK((hvp - t->inner_hvp_yy(x, w, v)).cwiseAbs().maxCoeff() < 1e-12);
  // A batch larger than a level is refused.
  Json too_big = params;
  too_big["batch_size"] = 41;
  CHECK_THROWS_AS(make_bilevel("ridge_hyperparameters", too_big), ConfigError);
}

}  // namespace vibench
