// The benchmark densities (banana, funnel, many_well, donut, squiggle,
// student_t and the gmm presets ncsn_1to4 and gmm40), checked against
// published constants and computations made here independently of the
// targets: adaptive Simpson quadrature, closed-form moments derived by hand,
// tail probabilities, importance sampling with bounded weights, and the KSD
// metric. The generic checks of tests/test_task_gradients.cpp and
// tests/test_targets.cpp cover the defaults; here non-default parameters get
// finite-difference gradients and Stein's identity too.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "metrics/metric.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

constexpr double kPi = std::numbers::pi;

std::shared_ptr<const Distribution> make_dist(const std::string& name,
                                              const Json& given = {}) {
  const TaskEntry* entry = TaskRegistry::instance().find(name);
  REQUIRE_MESSAGE(entry != nullptr, "task '" << name << "' not registered");
  auto task = std::dynamic_pointer_cast<const Distribution>(
      entry->make(Params(validate_params(given, entry->params, "", name))));
  REQUIRE(task != nullptr);
  return task;
}

// Adaptive Simpson quadrature of f on [a, b] to absolute tolerance tol,
// started on 64 panels so that no feature is missed by the first samples.
double simpson_step(const std::function<double(double)>& f, double a, double b,
                    double fa, double fm, double fb, double whole, double tol,
                    int depth) {
  const double m = 0.5 * (a + b), lm = 0.5 * (a + m), rm = 0.5 * (m + b);
  const double flm = f(lm), frm = f(rm);
  const double left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
  const double right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
  if (depth <= 0 || std::abs(left + right - whole) <= 15.0 * tol)
    return left + right + (left + right - whole) / 15.0;
  return simpson_step(f, a, m, fa, flm, fm, left, 0.5 * tol, depth - 1) +
         simpson_step(f, m, b, fm, frm, fb, right, 0.5 * tol, depth - 1);
}
double simpson(const std::function<double(double)>& f, double a, double b,
               double tol) {
  constexpr int kPanels = 64;
  double total = 0.0;
  for (int i = 0; i < kPanels; ++i) {
    const double lo = a + (b - a) * i / kPanels;
    const double hi = a + (b - a) * (i + 1) / kPanels;
    const double flo = f(lo), fhi = f(hi), fm = f(0.5 * (lo + hi));
    total +=
        simpson_step(f, lo, hi, flo, fm, fhi,
                     (hi - lo) / 6.0 * (flo + 4 * fm + fhi), tol / kPanels, 40);
  }
  return total;
}

// |estimate − truth| within k standard errors of a mean of `values`.
void check_mean(const std::string& what, const Eigen::ArrayXd& values,
                double truth, double k = 5.0) {
  const double n = static_cast<double>(values.size());
  const double est = values.mean();
  const double se = std::sqrt((values - est).square().sum() / (n - 1) / n);
  INFO(what << ": estimate " << est << " ± " << se << ", truth " << truth);
  CHECK(std::abs(est - truth) <= k * se + 1e-12);
}

// Draws against a mean and covariance: each entry within 5 standard errors.
void check_moments(const std::string& what, const Matrix& x, const Vector& mean,
                   const Matrix& cov) {
  for (Index j = 0; j < x.cols(); ++j) {
    check_mean(what + " mean " + std::to_string(j), x.col(j).array(), mean(j));
    for (Index k = j; k < x.cols(); ++k)
      check_mean(what + " cov " + std::to_string(j) + std::to_string(k),
                 (x.col(j).array() - mean(j)) * (x.col(k).array() - mean(k)),
                 cov(j, k));
  }
}

double ksd(const Distribution& task, const Matrix& points) {
  const MetricEntry* entry = MetricRegistry::instance().find("ksd");
  REQUIRE(entry != nullptr);
  const Params settings(validate_params({}, entry->settings, "", "ksd"));
  State state;
  state.points = points;
  return entry->compute(MetricContext{task, state, Matrix(), settings});
}

// Central differences of log π along every coordinate at the rows of x.
void check_gradient(const Distribution& task, const Matrix& x) {
  Vector logp;
  Matrix grad;
  task.log_prob_grad(x, logp, grad);
  REQUIRE(grad.rows() == x.rows());
  REQUIRE(grad.cols() == x.cols());
  CHECK(logp.allFinite());
  CHECK(grad.allFinite());
  CHECK((task.log_prob(x) - logp).cwiseAbs().maxCoeff() <= 1e-12);
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < x.cols(); ++j) {
      const double h = 1e-5 * std::max(1.0, x.row(i).cwiseAbs().maxCoeff());
      Matrix plus = x.row(i), minus = x.row(i);
      plus(0, j) += h;
      minus(0, j) -= h;
      const double fd =
          (task.log_prob(plus)(0) - task.log_prob(minus)(0)) / (2.0 * h);
      INFO("row " << i << " coordinate " << j << ": analytic " << grad(i, j)
                  << ", finite difference " << fd);
      CHECK(std::abs(fd - grad(i, j)) <=
            1e-5 * (1.0 + grad.row(i).norm()) + 1e-9 * std::abs(logp(i)));
    }
}

// Stein's identity for exact draws: E[s] = 0 and E[s (x − x̄)ᵀ] = −I.
void check_stein(const Distribution& task, const Matrix& x) {
  Vector logp;
  Matrix s;
  task.log_prob_grad(x, logp, s);
  const Matrix centered = x.rowwise() - x.colwise().mean();
  for (Index j = 0; j < x.cols(); ++j) {
    check_mean("E s_" + std::to_string(j), s.col(j).array(), 0.0);
    for (Index k = 0; k < x.cols(); ++k)
      check_mean("E s_" + std::to_string(j) + " x_" + std::to_string(k),
                 s.col(j).array() * centered.col(k).array(),
                 j == k ? -1.0 : 0.0);
  }
}

// The double-well factor of many_well and its moments, by adaptive Simpson.
double well(double x) { return std::exp(-x * x * x * x + 6 * x * x + 0.5 * x); }

}  // namespace

TEST_CASE("benchmark densities: many_well log Z, moments and well masses") {
  const double integral = simpson(well, -8.0, 8.0, 1e-9);
  CHECK(integral == doctest::Approx(11784.50927).epsilon(1e-9));
  const auto t = make_dist("many_well");
  REQUIRE(t->dim() == 32);
  REQUIRE(t->offers(Capability::log_z));
  REQUIRE(t->offers(Capability::exact_draws));
  // PAPERS §4.2: log Z = 16 (log 11784.50927 + ½ log 2π) ≈ 164.6957.
  CHECK(std::abs(t->log_z() - 164.6957) < 1e-3);
  CHECK(t->log_z() ==
        doctest::Approx(16.0 * (std::log(integral) + 0.5 * std::log(2 * kPi)))
            .epsilon(1e-12));
  CHECK(make_dist("many_well", {{"dim", 4}})->log_z() ==
        doctest::Approx(t->log_z() / 8.0).epsilon(1e-13));

  // The unnormalized density at the origin is 1 and factorizes by pairs.
  CHECK(t->log_prob(Matrix::Zero(1, 32))(0) == 0.0);
  Matrix x = Matrix::Zero(1, 32);
  x(0, 4) = 1.5;
  x(0, 5) = -2.0;
  CHECK(t->log_prob(x)(0) == doctest::Approx(std::log(well(1.5)) - 2.0));

  const double left = simpson(well, -8.0, 0.0, 1e-9) / integral;
  const double m1 =
      simpson([](double v) { return v * well(v); }, -8.0, 8.0, 1e-9) / integral;
  const double m2 =
      simpson([](double v) { return v * v * well(v); }, -8.0, 8.0, 1e-9) /
      integral;
  CHECK(std::abs(left - 0.1557) < 5e-5);  // PAPERS §4.2: 15.57%
  CHECK(t->mean()(0) == doctest::Approx(m1).epsilon(1e-9));
  CHECK(t->mean()(1) == 0.0);
  CHECK(t->covariance()(0, 0) == doctest::Approx(m2 - m1 * m1).epsilon(1e-9));
  CHECK(t->covariance()(1, 1) == 1.0);

  Rng rng = make_rng(101);
  const Matrix draws = t->sample(20000, rng);
  REQUIRE(draws.rows() == 20000);
  REQUIRE(draws.allFinite());
  // 16 double-well coordinates per draw: 320000 values of x₁.
  Eigen::ArrayXd x1(20000 * 16), x2(20000 * 16);
  for (Index k = 0; k < 16; ++k) {
    x1.segment(k * 20000, 20000) = draws.col(2 * k).array();
    x2.segment(k * 20000, 20000) = draws.col(2 * k + 1).array();
  }
  check_mean("left-well mass", (x1 < 0.0).cast<double>(), left);
  check_mean("left-well mass vs 15.57%", (x1 < 0.0).cast<double>(), 0.1557);
  check_mean("x1 mean", x1, m1);
  check_mean("x1 second moment", x1.square(), m2);
  check_mean("x1 fourth moment", x1.square().square(),
             simpson([](double v) { return std::pow(v, 4) * well(v); }, -8.0,
                     8.0, 1e-9) /
                 integral);
  check_mean("x2 mean", x2, 0.0);
  check_mean("x2 second moment", x2.square(), 1.0);
  // Mass within ±0.2 of each well's centre, a finer check of the shape.
  for (const double c : {-1.7, 1.7}) {
    const double p = simpson(well, c - 0.2, c + 0.2, 1e-9) / integral;
    check_mean("mass near " + std::to_string(c),
               ((x1 - c).abs() < 0.2).cast<double>(), p);
  }
  CHECK_THROWS_AS(make_dist("many_well", {{"dim", 5}}), ConfigError);
}

TEST_CASE("benchmark densities: funnel marginals, density and log Z") {
  const auto t = make_dist("funnel");
  REQUIRE(t->dim() == 10);
  // At the origin: log N(0; 0, 9) + 9 log N(0; 0, 1).
  CHECK(t->log_prob(Matrix::Zero(1, 10))(0) ==
        doctest::Approx(-0.5 * std::log(2 * kPi * 9.0) -
                        4.5 * std::log(2 * kPi)));
  Rng rng = make_rng(202);
  const Matrix x = t->sample(20000, rng);
  const Eigen::ArrayXd x0 = x.col(0).array();
  check_mean("x0 mean", x0, 0.0);
  check_mean("x0 variance", x0.square(), 9.0);
  check_mean("x0 fourth moment", x0.square().square(), 3.0 * 81.0);
  // Given x₀, x_i e^{−x₀/2} is standard normal and independent of x₀.
  const Eigen::ArrayXd scale = (-0.5 * x0).exp();
  for (Index i = 1; i < 10; ++i) {
    const Eigen::ArrayXd z = x.col(i).array() * scale;
    check_mean("z mean", z, 0.0);
    check_mean("z variance", z.square(), 1.0);
    check_mean("z² x0", z.square() * x0, 0.0);
  }
  // The declared (not capability-listed) moments: mean 0, Var x_i = e^{σ²/2}.
  CHECK(t->mean().isZero());
  CHECK(t->covariance()(0, 0) == 9.0);
  CHECK(t->covariance()(3, 3) == doctest::Approx(std::exp(4.5)));

  // log Z = 0 by importance sampling from x₀ ~ N(0, 1.5σ²), x_i | x₀ ~
  // N(0, 2e^{x₀}): the weights are bounded (by √1.5 · 2^{(d−1)/2}).
  for (const Json& params :
       {Json::object(), Json{{"dim", 3}, {"sigma", 1.0}}}) {
    const auto f = make_dist("funnel", params);
    const Index d = f->dim();
    const double s = params.value("sigma", 3.0) * std::sqrt(1.5);
    Rng prng = make_rng(203);
    Matrix q = prng.normal_matrix(40000, d);
    Eigen::ArrayXd log_q = -0.5 * q.rowwise().squaredNorm().array() -
                           0.5 * d * std::log(2 * kPi) - std::log(s) -
                           0.5 * (d - 1) * std::log(2.0);
    q.col(0) *= s;
    log_q -= 0.5 * (d - 1) * q.col(0).array();
    const Eigen::ArrayXd sd = (0.5 * q.col(0).array()).exp() * std::sqrt(2.0);
    q.rightCols(d - 1).array().colwise() *= sd;
    const Eigen::ArrayXd w = (f->log_prob(q).array() - log_q).exp();
    INFO("funnel " << params.dump());
    check_mean("importance weights", w, 1.0);
    CHECK(w.maxCoeff() <= std::sqrt(1.5) * std::pow(2.0, 0.5 * (d - 1)) + 1e-9);
  }
}

TEST_CASE("benchmark densities: donut radius, angle and normalization") {
  for (const Json& params :
       {Json::object(), Json{{"radius", 1.0}, {"sigma", 1.0}},
        Json{{"radius", 0.0}, {"sigma", 0.7}},
        Json{{"radius", 6.0}, {"sigma", 0.2}}}) {
    INFO("donut " << params.dump());
    const auto t = make_dist("donut", params);
    const double r = params.value("radius", 2.5),
                 s = params.value("sigma", 0.5);
    const auto radial = [&](int power) {
      return simpson(
          [&](double rho) {
            return std::pow(rho, power) *
                   std::exp(-(rho - r) * (rho - r) / (2 * s * s));
          },
          0.0, r + 12.0 * s, 1e-12);
    };
    const double z = 2 * kPi * radial(1);
    // Normalized: log π at a point on the ring is −log Z.
    CHECK(t->log_prob(RowVector{{0.0, r}})(0) ==
          doctest::Approx(-std::log(z)).epsilon(1e-9));
    CHECK(t->log_z() == 0.0);
    const double e_r = radial(2) / radial(1), e_r2 = radial(3) / radial(1);
    CHECK(t->covariance().isApprox(0.5 * e_r2 * Matrix::Identity(2, 2), 1e-9));
    Rng rng = make_rng(303);
    const Matrix x = t->sample(20000, rng);
    const Eigen::ArrayXd rho = x.rowwise().norm().array();
    check_mean("E r", rho, e_r);
    check_mean("E r²", rho.square(), e_r2);
    check_mean("P(r < R)", (rho < r).cast<double>(),
               simpson(
                   [&](double v) {
                     return v * std::exp(-(v - r) * (v - r) / (2 * s * s));
                   },
                   0.0, r, 1e-12) /
                   radial(1));
    const Eigen::ArrayXd angle = x.col(1).array().binaryExpr(
        x.col(0).array(), [](double b, double a) { return std::atan2(b, a); });
    check_mean("E cos φ", angle.cos(), 0.0);
    check_mean("E sin φ", angle.sin(), 0.0);
    check_mean("E cos 2φ", (2.0 * angle).cos(), 0.0);
    check_mean("P(φ > 0)", (angle > 0.0).cast<double>(), 0.5);
    // The gradient is defined as 0 at the cone point.
    Vector logp;
    Matrix grad;
    t->log_prob_grad(Matrix::Zero(1, 2), logp, grad);
    CHECK(grad.isZero());
    CHECK(std::isfinite(logp(0)));
  }
  // Rayleigh case: with R = 0, r²/(2σ²) ~ Exp(1).
  const auto rayleigh = make_dist("donut", {{"radius", 0.0}, {"sigma", 0.7}});
  Rng rng = make_rng(304);
  const Matrix x = rayleigh->sample(20000, rng);
  const Eigen::ArrayXd e = x.rowwise().squaredNorm().array() / (2 * 0.49);
  check_mean("P(E > 1)", (e > 1.0).cast<double>(), std::exp(-1.0));
}

TEST_CASE("benchmark densities: banana and squiggle draws match closed forms") {
  SUBCASE("banana, Coin defaults") {
    const auto t = make_dist("banana");
    // θ₁ = −y₁, θ₂ = −y₂ − (y₁² + 1) with y ~ N((0,1), [[1,.5],[.5,1]]).
    const Vector mean{{0.0, -3.0}};
    const Matrix cov{{1.0, 0.5}, {0.5, 3.0}};
    CHECK(t->mean().isApprox(mean));
    CHECK(t->covariance().isApprox(cov));
    Rng rng = make_rng(401);
    const Matrix x = t->sample(40000, rng);
    check_moments("banana", x, mean, cov);
    // Inverting the map gives back y.
    Matrix y(x.rows(), 2);
    y.col(0) = -x.col(0);
    y.col(1) = -x.col(1).array() - x.col(0).array().square() - 1.0;
    check_moments("banana y", y, Vector{{0.0, 1.0}},
                  Matrix{{1.0, 0.5}, {0.5, 1.0}});
    // Normalized: trapezoid rule over a box that holds the curved tails.
    const double h1 = 0.04, h2 = 0.04;
    double total = 0.0;
    for (double a = -8.0; a <= 8.0 + 1e-9; a += h1) {
      Matrix column(2501, 2);
      for (Index j = 0; j < 2501; ++j) column.row(j) << a, -90.0 + h2 * j;
      total += t->log_prob(column).array().exp().sum();
    }
    CHECK(total * h1 * h2 == doctest::Approx(1.0).epsilon(1e-6));
  }
  SUBCASE("banana, a = 2, b = 0.5") {
    const auto t = make_dist("banana", {{"a", 2.0}, {"b", 0.5}});
    // θ₁ = 2y₁, θ₂ = y₂/2 − 0.5(4y₁² + 4) = y₂/2 − 2y₁² − 2.
    const Vector mean{{0.0, 0.5 - 4.0}};
    const Matrix cov{{4.0, 0.5}, {0.5, 0.25 + 8.0}};
    CHECK(t->mean().isApprox(mean));
    CHECK(t->covariance().isApprox(cov));
    Rng rng = make_rng(402);
    check_moments("banana(2, .5)", t->sample(40000, rng), mean, cov);
  }
  SUBCASE("squiggle") {
    const auto t = make_dist("squiggle");
    // y₁ ~ N(1, 2): E sin 2y₁ = sin 2·e⁻⁴, Cov(y₁, sin 2y₁) = 4cos 2·e⁻⁴,
    // Cov(y₂, sin 2y₁) = ½cos 2·e⁻⁴, Var sin 2y₁ = ½(1 − cos 4·e⁻¹⁶)
    // − sin²2·e⁻⁸.
    const double e4 = std::exp(-4.0);
    const Vector mean{{1.0, 1.0 - std::sin(2.0) * e4}};
    const double var_sin = 0.5 * (1.0 - std::cos(4.0) * std::exp(-16.0)) -
                           std::pow(std::sin(2.0) * e4, 2);
    const Matrix cov{
        {2.0, 0.25 - 4.0 * std::cos(2.0) * e4},
        {0.25 - 4.0 * std::cos(2.0) * e4, 0.5 + var_sin - std::cos(2.0) * e4}};
    CHECK(t->mean().isApprox(mean, 1e-12));
    CHECK(t->covariance().isApprox(cov, 1e-12));
    Rng rng = make_rng(403);
    const Matrix x = t->sample(40000, rng);
    check_moments("squiggle", x, mean, cov);
    Matrix y = x;
    y.col(1) += (2.0 * x.col(0).array()).sin().matrix();
    check_moments("squiggle y", y, Vector{{1.0, 1.0}},
                  Matrix{{2.0, 0.25}, {0.25, 0.5}});
    // Density at the Gaussian's centre: θ = (1, 1 − sin 2).
    const double log_det = std::log(2.0 * 0.5 - 0.0625);
    CHECK(t->log_prob(RowVector{{1.0, 1.0 - std::sin(2.0)}})(0) ==
          doctest::Approx(-std::log(2 * kPi) - 0.5 * log_det));
  }
  CHECK_THROWS_AS(make_dist("banana", {{"a", 0.0}}), ConfigError);
}

TEST_CASE("benchmark densities: student_t covariance, tails and capabilities") {
  {
    const auto t = make_dist("student_t", {{"dim", 3}, {"dof", 6.0}});
    REQUIRE(t->offers(Capability::moments));
    CHECK(t->covariance().isApprox(1.5 * Matrix::Identity(3, 3)));
    Rng rng = make_rng(501);
    check_moments("t6", t->sample(100000, rng), Vector::Zero(3),
                  1.5 * Matrix::Identity(3, 3));
  }
  CHECK_FALSE(
      make_dist("student_t", {{"dof", 2.0}})->offers(Capability::moments));
  CHECK_FALSE(
      make_dist("student_t", {{"dof", 1.0}})->offers(Capability::moments));
  CHECK(make_dist("student_t", {{"dof", 2.5}})->offers(Capability::moments));
  // In 2-D, π(0) = 1/(2π) whatever ν, and P(‖x‖² > c) = (1 + c/ν)^{−ν/2}.
  for (const double nu : {0.5, 1.0, 3.0, 5.0}) {
    INFO("dof " << nu);
    const auto t = make_dist("student_t", {{"dim", 2}, {"dof", nu}});
    CHECK(t->log_prob(Matrix::Zero(1, 2))(0) ==
          doctest::Approx(-std::log(2 * kPi)));
    Rng rng = make_rng(502);
    const Eigen::ArrayXd sq =
        t->sample(40000, rng).rowwise().squaredNorm().array();
    for (const double c : {0.3 * nu, nu, 5.0 * nu, 30.0 * nu})
      check_mean("tail P(‖x‖² > " + std::to_string(c) + ")",
                 (sq > c).cast<double>(), std::pow(1.0 + c / nu, -0.5 * nu));
  }
  // 1-D: the Cauchy density 1/(π(1 + x²)) and t₃ at x = 1.
  CHECK(make_dist("student_t", {{"dim", 1}, {"dof", 1.0}})
            ->log_prob(RowVector{{2.0}})(0) ==
        doctest::Approx(-std::log(kPi * 5.0)));
  CHECK(make_dist("student_t", {{"dim", 1}, {"dof", 3.0}})
            ->log_prob(RowVector{{1.0}})(0) ==
        doctest::Approx(
            std::log(1.0 / (std::sqrt(3.0 * kPi) * 0.5 * std::sqrt(kPi)) *
                     std::pow(4.0 / 3.0, -2.0))));
}

TEST_CASE("benchmark densities: gmm presets ncsn_1to4 and gmm40") {
  {
    const auto t = make_dist("gmm", {{"preset", "ncsn_1to4"}});
    REQUIRE(t->dim() == 2);
    CHECK(t->mean().isApprox(Vector{{3.0, 3.0}}));
    // Mode weights 1/5 and 4/5 from exact draws.
    Rng rng = make_rng(601);
    const Matrix x = t->sample(20000, rng);
    const Eigen::ArrayXd side = x.rowwise().sum().array();
    check_mean("weight of the (5,5) mode", (side > 0.0).cast<double>(), 0.8);
    check_mean("weight of the (−5,−5) mode", (side < 0.0).cast<double>(), 0.2);
    // At a mode the other component is negligible (e^{−100}).
    CHECK(t->log_prob(RowVector{{5.0, 5.0}})(0) ==
          doctest::Approx(std::log(0.8 / (2 * kPi))));
    CHECK(t->log_prob(RowVector{{-5.0, -5.0}})(0) ==
          doctest::Approx(std::log(0.2 / (2 * kPi))));
    CHECK_THROWS_AS(make_dist("gmm", {{"preset", "ncsn_1to4"}, {"dim", 3}}),
                    ConfigError);
  }
  {
    const auto t = make_dist("gmm", {{"preset", "gmm40"}});
    REQUIRE(t->dim() == 50);
    // Each coordinate of a mean is uniform on [−40, 40]: the covariance is I
    // plus the spread of 40 such means (variance 1600/3 on average).
    const Matrix cov = t->covariance();
    const Vector spread = cov.diagonal().array() - 1.0;
    CHECK(spread.maxCoeff() <= 1600.0);
    CHECK(spread.mean() == doctest::Approx(1600.0 / 3.0).epsilon(0.15));
    CHECK(t->mean().cwiseAbs().maxCoeff() < 40.0);
    const auto other = make_dist("gmm", {{"preset", "gmm40"}, {"instance", 1}});
    CHECK(!other->mean().isApprox(t->mean()));
    // Deterministic given the parameters.
    CHECK(make_dist("gmm", {{"preset", "gmm40"}})->mean() == t->mean());
    // mean_range 0 collapses every mode onto N(0, I).
    const auto collapsed = make_dist(
        "gmm", {{"preset", "gmm40"}, {"dim", 3}, {"mean_range", 0.0}});
    const RowVector p{{0.3, -1.0, 2.0}};
    CHECK(collapsed->log_prob(p)(0) ==
          doctest::Approx(-1.5 * std::log(2 * kPi) - 0.5 * p.squaredNorm()));
    CHECK(collapsed->covariance().isApprox(Matrix::Identity(3, 3)));
    // Draws against the declared moments in a small instance.
    const auto small = make_dist(
        "gmm", {{"preset", "gmm40"}, {"dim", 3}, {"mean_range", 4.0}});
    Rng rng = make_rng(602);
    check_moments("gmm40 dim 3", small->sample(40000, rng), small->mean(),
                  small->covariance());
  }
}

TEST_CASE("benchmark densities: KSD separates exact draws from shifted ones") {
  const std::vector<std::pair<std::string, Json>> cases = {
      {"banana", {}},
      {"squiggle", {}},
      {"donut", {}},
      {"funnel", {{"dim", 2}, {"sigma", 1.0}}},
      {"many_well", {{"dim", 2}}},
      {"student_t", {{"dim", 2}}},
      {"gmm", {{"preset", "ncsn_1to4"}}},
  };
  for (const auto& c : cases) {
    const std::string& name = c.first;
    const Json& params = c.second;
    INFO(name << " " << params.dump());
    const auto t = make_dist(name, params);
    Rng rng = make_rng(hash_string("ksd " + name));
    const Matrix exact = t->sample(400, rng);
    const Matrix shifted = (exact.array() + 1.0).matrix();
    const double k_exact = ksd(*t, exact), k_shifted = ksd(*t, shifted);
    // The V-statistic of exact draws is O(n^{-1/2}): 4 times as many draws
    // roughly halve it, while a wrong sample stays away from 0.
    const double k_more = ksd(*t, t->sample(1600, rng));
    MESSAGE(name << ": KSD exact " << k_exact << " (n = 400), " << k_more
                 << " (n = 1600), shifted " << k_shifted);
    CHECK(k_exact < 0.3);
    CHECK(k_more < 0.7 * k_exact);
    CHECK(k_shifted > 5.0 * k_exact);
  }
}

TEST_CASE(
    "benchmark densities: non-default parameters pass the generic "
    "checks") {
  const std::vector<std::pair<std::string, Json>> cases = {
      {"banana", {{"a", 2.0}, {"b", 0.5}}},
      {"banana", {{"a", -0.5}, {"b", -2.0}}},
      {"funnel", {{"dim", 2}, {"sigma", 1.0}}},
      {"funnel", {{"dim", 5}, {"sigma", 2.0}}},
      {"many_well", {{"dim", 4}}},
      {"donut", {{"radius", 0.0}, {"sigma", 0.7}}},
      {"donut", {{"radius", 4.0}, {"sigma", 1.5}}},
      {"student_t", {{"dim", 1}, {"dof", 1.0}}},
      {"student_t", {{"dim", 4}, {"dof", 3.0}}},
      {"gmm", {{"preset", "ncsn_1to4"}}},
      {"gmm", {{"preset", "gmm40"}, {"dim", 3}, {"mean_range", 3.0}}},
  };
  for (const auto& c : cases) {
    const std::string& name = c.first;
    const Json& params = c.second;
    INFO(name << " " << params.dump());
    const auto t = make_dist(name, params);
    Rng rng = make_rng(hash_string("generic " + name + params.dump()));
    Matrix points = t->initial_points(3, rng);
    points.conservativeResize(5, Eigen::NoChange);
    points.bottomRows(2) = t->sample(2, rng);
    check_gradient(*t, points);
    // Batched evaluation equals row-by-row evaluation.
    Vector logp;
    Matrix grad;
    t->log_prob_grad(points, logp, grad);
    for (Index i = 0; i < points.rows(); ++i) {
      Vector l;
      Matrix g;
      t->log_prob_grad(points.row(i), l, g);
      CHECK(std::abs(l(0) - logp(i)) <= 1e-12 * (1.0 + std::abs(logp(i))));
      CHECK((g.row(0) - grad.row(i)).norm() <= 1e-12 * (1.0 + grad.norm()));
    }
    check_stein(*t, t->sample(20000, rng));
  }
}

}  // namespace vibench
