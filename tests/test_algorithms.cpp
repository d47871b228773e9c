// Tests of the first algorithms (svgd, ula, mala, gd, gda, extragradient,
// aid_cg) on tiny tasks with known answers, defined here so that these tests
// do not depend on targets/. Runs are driven by calling step() directly.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "algorithm_helpers.hpp"
#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "algorithms/step_schedule.hpp"
#include "core/error.hpp"
#include "metrics/pairwise.hpp"
#include "simple_targets.hpp"

namespace vibench {
namespace {

// ---------------------------------------------------------------- tasks

using testing::GaussianTarget;

// f(x) = ½(x − x*)ᵀ diag(a) (x − x*).
class DiagonalQuadratic final : public Objective {
 public:
  DiagonalQuadratic(Vector curvature, Vector optimum)
      : a_(std::move(curvature)), x_star_(std::move(optimum)) {}
  Index dim() const override { return a_.size(); }
  Capabilities capabilities() const override { return {}; }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    const Matrix c = x.rowwise() - x_star_.transpose();
    grad = c * a_.asDiagonal();
    f = 0.5 * (c.array() * grad.array()).rowwise().sum();
  }

 private:
  Vector a_, x_star_;
};

// L(x, y) = xᵀAy: F(z) = (A y, −Aᵀ x), z* = 0.
class BilinearGame final : public SaddlePoint {
 public:
  explicit BilinearGame(Matrix a) : a_(std::move(a)) {}
  Index dim_x() const override { return a_.rows(); }
  Index dim_y() const override { return a_.cols(); }
  Capabilities capabilities() const override { return {}; }
  Matrix operator_value(const Matrix& z) const override {
    Matrix out(z.rows(), z.cols());
    out.leftCols(dim_x()) = z.rightCols(dim_y()) * a_.transpose();
    out.rightCols(dim_y()) = -z.leftCols(dim_x()) * a_;
    return out;
  }
  Vector value(const Matrix& z) const override {
    return ((z.leftCols(dim_x()) * a_).array() * z.rightCols(dim_y()).array())
        .rowwise()
        .sum();
  }

 private:
  Matrix a_;
};

// g = ½yᵀAy − yᵀBx, f = ½‖y − y_t‖² + ½μ‖x‖² (PAPERS.md §7.7):
// y*(x) = A⁻¹Bx, ∇F(x) = Bᵀ A⁻¹(A⁻¹Bx − y_t) + μx.
class QuadraticBilevel final : public Bilevel {
 public:
  QuadraticBilevel(Matrix a, Matrix b, Vector target, double mu)
      : a_(std::move(a)), b_(std::move(b)), t_(std::move(target)), mu_(mu) {}
  Index dim_x() const override { return b_.cols(); }
  Index dim_y() const override { return b_.rows(); }
  Capabilities capabilities() const override {
    return {Capability::hessian_vector, Capability::hypergradient,
            Capability::optimum};
  }
  Vector outer_value(const Matrix& x, const Matrix& y) const override {
    return 0.5 * (y.rowwise() - t_.transpose()).rowwise().squaredNorm() +
           0.5 * mu_ * x.rowwise().squaredNorm();
  }
  void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                  Matrix& fy) const override {
    fx = mu_ * x;
    fy = y.rowwise() - t_.transpose();
  }
  Vector inner_value(const Matrix& x, const Matrix& y) const override {
    return 0.5 * ((y * a_).array() * y.array()).rowwise().sum() -
           ((x * b_.transpose()).array() * y.array()).rowwise().sum();
  }
  void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                  Matrix& gy) const override {
    gx = -y * b_;
    gy = y * a_ - x * b_.transpose();
  }
  Matrix inner_hvp_yy(const Matrix&, const Matrix&,
                      const Matrix& v) const override {
    return v * a_;
  }
  Matrix inner_cross(const Matrix&, const Matrix&,
                     const Matrix& v) const override {
    return -v * b_;
  }
  Matrix inner_solution(const Matrix& x) const override {
    return (a_.ldlt().solve(b_ * x.transpose())).transpose();
  }
  Matrix hypergradient(const Matrix& x) const override {
    const auto solver = a_.ldlt();
    Matrix y_star = solver.solve(b_ * x.transpose());  // dim_y × n
    y_star.colwise() -= t_;
    return (b_.transpose() * solver.solve(y_star)).transpose() + mu_ * x;
  }
  Vector optimum() const override {
    const auto solver = a_.ldlt();
    const Matrix ainv_b = solver.solve(b_);
    const Matrix h =
        ainv_b.transpose() * ainv_b + mu_ * Matrix::Identity(dim_x(), dim_x());
    return h.ldlt().solve(ainv_b.transpose() * t_);
  }
  // Lipschitz constant of ∇F.
  double outer_smoothness() const {
    const Matrix ainv_b = a_.ldlt().solve(b_);
    const Matrix h =
        ainv_b.transpose() * ainv_b + mu_ * Matrix::Identity(dim_x(), dim_x());
    return Eigen::SelfAdjointEigenSolver<Matrix>(h).eigenvalues().maxCoeff();
  }

 private:
  Matrix a_, b_;
  Vector t_;
  double mu_;
};

// ---------------------------------------------------------------- helpers

using testing::make_algorithm;
using testing::max_abs;
using testing::points_state;
using testing::sample_covariance;

}  // namespace

// ---------------------------------------------------------------- registry

TEST_CASE("algorithms: the first algorithms are registered with their kind") {
  const std::vector<std::pair<std::string, TaskKind>> expected = {
      {"svgd", TaskKind::distribution},
      {"ula", TaskKind::distribution},
      {"mala", TaskKind::distribution},
      {"gd", TaskKind::objective},
      {"gda", TaskKind::saddle_point},
      {"extragradient", TaskKind::saddle_point},
      {"aid_cg", TaskKind::bilevel}};
  for (const auto& [name, kind] : expected) {
    CAPTURE(name);
    const AlgorithmEntry* entry = AlgorithmRegistry::instance().find(name);
    REQUIRE(entry != nullptr);
    CHECK(entry->kind == kind);
    CHECK(!entry->description.empty());
    for (const auto& spec : entry->params) CHECK(!spec.description.empty());
    // Defaults alone are a valid configuration.
    CHECK(make_algorithm(name, Json::object())->kind() == kind);
  }
  CHECK(make_algorithm("svgd", Json::object())->num_points() == 100);
  CHECK(make_algorithm("ula", {{"n_chains", 7}})->num_points() == 7);
  CHECK(make_algorithm("mala", Json::object())->num_points() == 100);
  CHECK(make_algorithm("gd", Json::object())->num_points() == 1);
  CHECK(make_algorithm("aid_cg", Json::object())
            ->requirements()
            .count(Capability::hessian_vector) == 1);
}

TEST_CASE("algorithms: bad parameters are rejected") {
  for (const std::string name :
       {"svgd", "ula", "mala", "gd", "gda", "extragradient", "aid_cg"}) {
    CAPTURE(name);
    CHECK_THROWS_AS(make_algorithm(name, {{"step_size", -0.1}}), ConfigError);
    CHECK_THROWS_AS(make_algorithm(name, {{"step_size", 0.0}}), ConfigError);
    CHECK_THROWS_AS(make_algorithm(name, {{"step_size", "big"}}), ConfigError);
    CHECK_THROWS_AS(make_algorithm(name, {{"stepsize", 0.1}}), ConfigError);
  }
  CHECK_THROWS_AS(make_algorithm("svgd", {{"n_particles", 0}}), ConfigError);
  CHECK_THROWS_AS(make_algorithm("svgd", {{"schedule", "adamw"}}), ConfigError);
  CHECK_THROWS_AS(make_algorithm("svgd", {{"kernel", "laplace"}}), ConfigError);
  CHECK_THROWS_AS(make_algorithm("svgd", {{"momentum", 1.5}}), ConfigError);
  CHECK_THROWS_AS(make_algorithm("svgd", {{"bandwidth_value", -1.0}}),
                  ConfigError);
  // Inconsistent combinations, rejected by the constructor.
  CHECK_THROWS_AS(make_algorithm("svgd", {{"bandwidth", "fixed"}}),
                  ConfigError);
  CHECK_THROWS_AS(make_algorithm("svgd", {{"bandwidth_value", 2.0}}),
                  ConfigError);
  CHECK_NOTHROW(make_algorithm(
      "svgd", {{"bandwidth", "fixed"}, {"bandwidth_value", 2.0}}));
  CHECK_THROWS_AS(make_algorithm("mala", {{"n_chains", 0}}), ConfigError);
  CHECK_THROWS_AS(make_algorithm("gda", {{"step_size_y", -1.0}}), ConfigError);
  CHECK_THROWS_AS(make_algorithm("aid_cg", {{"cg_iterations", -1}}),
                  ConfigError);
  CHECK_THROWS_AS(make_algorithm("aid_cg", {{"inner_steps", 2.5}}),
                  ConfigError);
}

// ---------------------------------------------------------------- SVGD

TEST_CASE("stein kernel: batched SVGD direction equals the per-pair sum") {
  Rng rng = make_rng(11);
  const Index n = 6, d = 3;
  const Matrix x = rng.normal_matrix(n, d);
  const Matrix s = rng.normal_matrix(n, d);
  for (const bool median : {true, false}) {
    CAPTURE(median);
    RbfKernelConfig config;
    config.rule = median ? BandwidthRule::median : BandwidthRule::fixed;
    config.fixed_bandwidth = 0.7;
    SteinDirection stein(config);
    Matrix phi;
    const double h = stein.compute(x, s, phi);
    if (median) {
      const double med2 = median_off_diagonal(squared_distances(x, x));
      CHECK(h == doctest::Approx(med2 / std::log(double(n))).epsilon(1e-12));
    } else {
      CHECK(h == 0.7);
    }
    Matrix naive = Matrix::Zero(n, d);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < n; ++j) {
        const RowVector diff = x.row(j) - x.row(i);
        const double k = std::exp(-diff.squaredNorm() / h);
        // ∇_{x_j} exp(−‖x_j − x_i‖²/h) = −(2/h)(x_j − x_i) k.
        naive.row(i) += k * s.row(j) - (2.0 / h) * k * diff;
      }
    naive /= double(n);
    CHECK(max_abs(phi - naive) < 1e-12);
  }
  // Degenerate cases of the median rule.
  SelectionScratch buffer;
  CHECK(median_bandwidth(Matrix::Zero(1, 1), buffer) == 1.0);
  CHECK(median_bandwidth(Matrix::Zero(4, 4), buffer) == 1.0);
}

TEST_CASE("step schedule: fixed and adagrad_momentum rules") {
  StepSchedule fixed;
  fixed.step_size = 0.5;
  StepScheduler a(fixed);
  Matrix x = Matrix::Zero(1, 2), dir(1, 2);
  dir << 2.0, -4.0;
  a.advance(x, dir);
  CHECK(x(0, 0) == 1.0);
  CHECK(x(0, 1) == -2.0);

  StepSchedule ada;
  ada.rule = StepRule::adagrad_momentum;
  ada.step_size = 0.1;
  ada.momentum = 0.9;
  ada.fudge = 1e-6;
  StepScheduler b(ada);
  x.setZero();
  b.advance(x, dir);  // G = φ²: step ε φ/(fudge + |φ|)
  CHECK(x(0, 0) == doctest::Approx(0.1 * 2.0 / (1e-6 + 2.0)));
  Matrix dir2(1, 2);
  dir2 << 1.0, 1.0;
  const double g0 = 0.9 * 4.0 + 0.1 * 1.0;
  b.advance(x, dir2);
  CHECK(x(0, 0) == doctest::Approx(0.1 * 2.0 / (1e-6 + 2.0) +
                                   0.1 / (1e-6 + std::sqrt(g0))));
}

TEST_CASE("svgd: one particle is exactly gradient ascent on log p") {
  Vector mean(2);
  mean << 1.0, -2.0;
  Matrix cov(2, 2);
  cov << 2.0, 0.3, 0.3, 0.5;
  const GaussianTarget target(mean, cov);
  Counters counters;
  const DistributionOracle oracle(target, counters);
  const double eps = 0.2;
  const auto svgd = make_algorithm(
      "svgd", {{"n_particles", 1}, {"schedule", "fixed"}, {"step_size", eps}});
  REQUIRE(svgd->num_points() == 1);
  Matrix x(1, 2);
  x << 3.0, 4.0;
  auto run = svgd->start(oracle, points_state(x), make_rng(1));
  for (int t = 0; t < 5; ++t) {
    Vector logp;
    Matrix grad;
    target.log_prob_grad(x, logp, grad);
    x = x + eps * grad;
    run->step();
    CHECK(max_abs(run->state().points - x) == 0.0);
  }
  CHECK(counters.grad_evals == 5);
}

TEST_CASE("svgd: particles on a correlated Gaussian match its moments") {
  const Vector mean = testing::correlated_mean();
  const Matrix cov = testing::correlated_covariance();
  const GaussianTarget target(mean, cov);
  Rng init = make_rng(3);
  SUBCASE("fixed step") {
    Counters counters;
    const DistributionOracle oracle(target, counters);
    const auto svgd = make_algorithm(
        "svgd",
        {{"n_particles", 200}, {"schedule", "fixed"}, {"step_size", 0.1}});
    auto run = svgd->start(oracle, points_state(init.normal_matrix(200, 2)),
                           make_rng(4));
    for (int t = 0; t < 2000; ++t) run->step();
    const Matrix& x = run->state().points;
    CHECK((x.colwise().mean().transpose() - mean).norm() < 0.02);
    const Matrix c = sample_covariance(x);
    CHECK(max_abs(c - cov) < 0.2);
    CHECK(counters.grad_evals == 2000 * 200);
    CHECK(run->diagnostics().at("last_bandwidth").get<double>() > 0.0);
  }
  SUBCASE("default adagrad_momentum schedule") {
    Counters counters;
    const DistributionOracle oracle(target, counters);
    const auto svgd = make_algorithm("svgd", {{"step_size", 0.05}});
    auto run = svgd->start(oracle, points_state(init.normal_matrix(100, 2)),
                           make_rng(4));
    for (int t = 0; t < 2000; ++t) run->step();
    const Matrix& x = run->state().points;
    CHECK((x.colwise().mean().transpose() - mean).norm() < 0.1);
    CHECK(max_abs(sample_covariance(x) - cov) < 0.35);
  }
}

// ---------------------------------------------------------------- ULA, MALA

TEST_CASE("ula: stationary variance on N(0, s2) is s2/(1 - step/(2 s2))") {
  const double s2 = 2.0, gamma = 0.5;
  const GaussianTarget target(Vector::Zero(1), Matrix::Constant(1, 1, s2));
  Counters counters;
  const DistributionOracle oracle(target, counters);
  const Index n = 4000;
  const auto ula =
      make_algorithm("ula", {{"n_chains", n}, {"step_size", gamma}});
  Rng init = make_rng(5);
  auto run =
      ula->start(oracle, points_state(init.normal_matrix(n, 1)), make_rng(6));
  for (int t = 0; t < 100; ++t) run->step();  // contraction 0.75 per step
  double second_moment = 0.0, first_moment = 0.0;
  const int samples = 200;
  for (int t = 0; t < samples; ++t) {
    run->step();
    second_moment += run->state().points.squaredNorm() / double(n);
    first_moment += run->state().points.sum() / double(n);
  }
  second_moment /= samples;
  first_moment /= samples;
  const double expected = s2 / (1.0 - gamma / (2.0 * s2));  // 2.2857
  // Effective sample size ≈ n·samples/3.6, so the relative MC error of the
  // variance is ≈ 0.3%; 2% also excludes the unbiased answer s2 (−12.5%).
  CHECK(second_moment == doctest::Approx(expected).epsilon(0.02));
  CHECK(std::abs(first_moment) < 0.02);
  CHECK(counters.grad_evals == 300 * n);
}

TEST_CASE("ula: runs are deterministic given the seed") {
  const GaussianTarget target(Vector::Zero(2), Matrix::Identity(2, 2));
  Counters counters;
  const DistributionOracle oracle(target, counters);
  const auto ula = make_algorithm("ula", {{"n_chains", 5}});
  const Matrix x0 = make_rng(1).normal_matrix(5, 2);
  auto a = ula->start(oracle, points_state(x0), make_rng(7));
  auto b = ula->start(oracle, points_state(x0), make_rng(7));
  auto c = ula->start(oracle, points_state(x0), make_rng(8));
  for (int t = 0; t < 10; ++t) {
    a->step();
    b->step();
    c->step();
  }
  CHECK(max_abs(a->state().points - b->state().points) == 0.0);
  CHECK(max_abs(a->state().points - c->state().points) > 0.0);
}

TEST_CASE("mala: 2-D Gaussian moments within Monte Carlo error") {
  Vector mean(2);
  mean << 1.0, -1.0;
  Matrix cov(2, 2);
  cov << 1.0, 0.6, 0.6, 2.0;
  const GaussianTarget target(mean, cov);
  Counters counters;
  const DistributionOracle oracle(target, counters);
  const Index n = 2000;
  // A step at which ULA would be visibly biased: MALA's correction removes it.
  const auto mala =
      make_algorithm("mala", {{"n_chains", n}, {"step_size", 0.6}});
  Rng init = make_rng(9);
  auto run =
      mala->start(oracle, points_state(init.normal_matrix(n, 2)), make_rng(10));
  CHECK(counters.grad_evals == n);  // start() evaluates the initial points
  for (int t = 0; t < 200; ++t) run->step();
  Vector m = Vector::Zero(2);
  Matrix c = Matrix::Zero(2, 2);
  const int samples = 300;
  for (int t = 0; t < samples; ++t) {
    run->step();
    const Matrix& x = run->state().points;
    m += x.colwise().mean().transpose();
    const Matrix centred = x.rowwise() - mean.transpose();
    c += centred.transpose() * centred / double(n);
  }
  m /= samples;
  c /= samples;
  CHECK((m - mean).norm() < 0.03);
  CHECK(max_abs(c - cov) < 0.06);
  const double acceptance =
      run->diagnostics().at("acceptance_rate").get<double>();
  CHECK(acceptance > 0.0);
  CHECK(acceptance < 1.0);
  CHECK(acceptance > 0.3);
  CHECK(counters.grad_evals == n * (1 + 200 + samples));
}

// ---------------------------------------------------------------- GD

TEST_CASE("gd: step 1/L contracts |x - x*|^2 by at least 1 - mu/L per step") {
  Vector a(4), x_star(4);
  a << 0.5, 1.0, 2.0, 4.0;
  x_star << 1.0, 2.0, 3.0, 4.0;
  const double mu = 0.5, L = 4.0;
  const DiagonalQuadratic f(a, x_star);
  Counters counters;
  const ObjectiveOracle oracle(f, counters);
  const auto gd = make_algorithm("gd", {{"step_size", 1.0 / L}});
  Matrix x0 = make_rng(2).normal_matrix(3, 4);  // three independent iterates
  auto run = gd->start(oracle, points_state(x0), make_rng(0));
  auto dist2 = [&](const Matrix& x) {
    return Vector((x.rowwise() - x_star.transpose()).rowwise().squaredNorm());
  };
  Vector before = dist2(x0);
  for (int t = 0; t < 100; ++t) {
    run->step();
    const Vector after = dist2(run->state().points);
    for (Index i = 0; i < 3; ++i)
      CHECK(after(i) <= (1.0 - mu / L) * before(i) * (1 + 1e-12));
    before = after;
  }
  // The slowest coordinate contracts exactly by (1 − μ/L) per step in norm.
  CHECK(before.maxCoeff() < 1e-10);
  CHECK(counters.grad_evals == 300);
}

// ---------------------------------------------------------------- saddle

TEST_CASE("gda and extragradient on a bilinear game: exact factors") {
  const Index m = 3;
  const double sigma = 2.0, gamma = 0.2;
  const BilinearGame game(sigma * Matrix::Identity(m, m));
  Counters counters;
  const SaddlePointOracle oracle(game, counters);
  const Matrix z0 = make_rng(12).normal_matrix(2, 2 * m);
  auto distances = [](const Matrix& z) { return Vector(z.rowwise().norm()); };
  const double gs2 = gamma * gamma * sigma * sigma;

  SUBCASE("simultaneous GDA expands by sqrt(1 + g^2 s^2)") {
    auto run = make_algorithm("gda", {{"step_size", gamma}})
                   ->start(oracle, points_state(z0), make_rng(0));
    Vector before = distances(z0);
    for (int t = 0; t < 50; ++t) {
      run->step();
      const Vector after = distances(run->state().points);
      for (Index i = 0; i < 2; ++i)
        CHECK(after(i) / before(i) ==
              doctest::Approx(std::sqrt(1 + gs2)).epsilon(1e-12));
      before = after;
    }
    CHECK((before.array() > 10 * distances(z0).array()).all());
    CHECK(counters.grad_evals == 50 * 2);
  }
  SUBCASE("extragradient contracts by sqrt(1 - g^2 s^2 + g^4 s^4)") {
    auto run = make_algorithm("extragradient", {{"step_size", gamma}})
                   ->start(oracle, points_state(z0), make_rng(0));
    Vector before = distances(z0);
    for (int t = 0; t < 10; ++t) {
      run->step();
      const Vector after = distances(run->state().points);
      for (Index i = 0; i < 2; ++i)
        CHECK(after(i) / before(i) ==
              doctest::Approx(std::sqrt(1 - gs2 + gs2 * gs2)).epsilon(1e-12));
      before = after;
    }
    for (int t = 10; t < 300; ++t) run->step();
    CHECK(distances(run->state().points).maxCoeff() < 1e-6);
    CHECK(counters.grad_evals == 300 * 2 * 2);  // two operator calls a step
  }
  SUBCASE("alternating GDA stays bounded") {
    auto run =
        make_algorithm("gda", {{"step_size", gamma}, {"alternating", true}})
            ->start(oracle, points_state(z0), make_rng(0));
    for (int t = 0; t < 1000; ++t) run->step();
    const Vector d = distances(run->state().points);
    for (Index i = 0; i < 2; ++i) {
      CHECK(d(i) < 2.0 * distances(z0)(i));
      CHECK(d(i) > 0.5 * distances(z0)(i));
    }
    CHECK(counters.grad_evals == 1000 * 2 * 2);
  }
  SUBCASE("two-timescale GDA uses step_size_y on the y block") {
    auto run = make_algorithm("gda", {{"step_size", 0.1}, {"step_size_y", 0.3}})
                   ->start(oracle, points_state(z0), make_rng(0));
    run->step();
    const Matrix x = z0.leftCols(m), y = z0.rightCols(m);
    CHECK(max_abs(run->state().points.leftCols(m) - (x - 0.1 * sigma * y)) <
          1e-13);
    CHECK(max_abs(run->state().points.rightCols(m) - (y + 0.3 * sigma * x)) <
          1e-13);
  }
}

// ---------------------------------------------------------------- bilevel

TEST_CASE("aid_cg: exact hypergradient on a quadratic bilevel, then x*") {
  Rng rng = make_rng(13);
  const Index dx = 3, dy = 4;
  const Matrix q = rng.orthogonal(dy);
  Vector eig(dy);
  eig << 1.0, 1.5, 2.5, 4.0;
  const Matrix a = q * eig.asDiagonal() * q.transpose();
  const Matrix b = rng.normal_matrix(dy, dx);
  const Vector target = rng.normal_vector(dy);
  const QuadraticBilevel problem(a, b, target, 0.1);
  Counters counters;
  const BilevelOracle oracle(problem, counters);
  State initial;
  initial.points = rng.normal_matrix(2, dx);
  initial.inner = rng.normal_matrix(2, dy);

  SUBCASE("hypergradient at the initial x, and after a step") {
    const long long cg = 8;
    const auto aid = make_algorithm("aid_cg", {{"inner_steps", 200},
                                               {"inner_step_size", 0.25},
                                               {"cg_iterations", cg},
                                               {"step_size", 0.5}});
    auto run = aid->start(oracle, initial, make_rng(0));
    const State& s = run->state();
    CHECK(max_abs(s.points - initial.points) == 0.0);
    CHECK(max_abs(s.hypergradient - problem.hypergradient(s.points)) < 1e-8);
    CHECK(max_abs(s.inner - problem.inner_solution(s.points)) < 1e-10);
    const Counters at_start = counters;
    CHECK(at_start.grad_evals == 2 * (200 + 1));
    CHECK(at_start.hvp_evals == 2 * (cg + 1));
    CHECK(at_start.cross_evals == 2);
    // The stored estimate always belongs to the current points.
    run->step();
    CHECK(max_abs(s.points - initial.points) > 1e-3);
    CHECK(max_abs(s.hypergradient - problem.hypergradient(s.points)) < 1e-8);
    CHECK(counters.hvp_evals - at_start.hvp_evals == 2 * (cg + 1));
    CHECK(counters.cross_evals - at_start.cross_evals == 2);
  }
  SUBCASE("cold-started CG from v = 0 skips the residual product") {
    const auto aid = make_algorithm("aid_cg", {{"inner_steps", 200},
                                               {"inner_step_size", 0.25},
                                               {"cg_iterations", 6},
                                               {"warm_start_v", false}});
    auto run = aid->start(oracle, initial, make_rng(0));
    CHECK(max_abs(run->state().hypergradient -
                  problem.hypergradient(initial.points)) < 1e-8);
    CHECK(counters.hvp_evals == 2 * 6);
    CHECK(counters.cross_evals == 2);
  }
  SUBCASE("outer iterations converge to x*") {
    const double lf = problem.outer_smoothness();
    const auto aid = make_algorithm("aid_cg", {{"inner_steps", 10},
                                               {"inner_step_size", 0.25},
                                               {"cg_iterations", 4},
                                               {"step_size", 1.0 / lf}});
    auto run = aid->start(oracle, initial, make_rng(0));
    for (int t = 0; t < 5000; ++t) run->step();
    const Vector x_star = problem.optimum();
    const Matrix& x = run->state().points;
    for (Index i = 0; i < x.rows(); ++i)
      CHECK((x.row(i).transpose() - x_star).norm() < 1e-6);
    CHECK(max_abs(run->state().hypergradient) < 1e-6);
  }
  SUBCASE("a missing inner state is an error") {
    State no_inner;
    no_inner.points = initial.points;
    CHECK_THROWS_AS(make_algorithm("aid_cg", Json::object())
                        ->start(oracle, no_inner, make_rng(0)),
                    std::invalid_argument);
  }
}

}  // namespace vibench
