// The targets on constrained domains (dirichlet, truncated_gaussian,
// uniform_box, simplex_quadratic) against independent computations: log Z
// by quadrature and importance sampling, moments by quadrature (also far in
// a Gaussian tail), the dual-space score of Shi, Liu & Mackey (2022) in
// closed form, behaviour at and beyond the faces, the Gamma sampler, the
// NUTS reference in dual coordinates against quadrature, and the parameter
// errors. The generic tests (test_targets, test_task_gradients) cover
// gradients, batching and exact draws against the declared moments.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "reference/reference_posterior.hpp"
#include "task_cases.hpp"
#include "tasks/distribution.hpp"
#include "test_helpers.hpp"

namespace vibench {
namespace {

std::shared_ptr<const Distribution> make_distribution(const std::string& name,
                                                      const Json& params) {
  auto task = std::dynamic_pointer_cast<const Distribution>(
      testing::make_task({name, params}));
  REQUIRE(task != nullptr);
  return task;
}

double log_sum_exp(const Vector& v) {
  const double m = v.maxCoeff();
  return m + std::log((v.array() - m).exp().sum());
}

// Midpoint rule on the 2-D simplex {θ > 0, θ₁ + θ₂ < 1} through
// θ = (u, (1 − u)v), (u, v) ∈ (0, 1)², Jacobian 1 − u: log ∫ e^{log π} and
// the mean of θ under π.
struct SimplexQuadrature {
  double log_integral;
  Vector mean;
  Vector sd;
};
SimplexQuadrature simplex_quadrature(const Distribution& task, Index g) {
  Matrix theta(g * g, 2);
  Vector log_jacobian(g * g);
  for (Index i = 0; i < g; ++i)
    for (Index j = 0; j < g; ++j) {
      const double u = (i + 0.5) / g, v = (j + 0.5) / g;
      theta.row(i * g + j) << u, (1.0 - u) * v;
      log_jacobian(i * g + j) = std::log(1.0 - u);
    }
  const Vector log_w = task.log_prob(theta) + log_jacobian;
  const double lse = log_sum_exp(log_w);
  const Vector w = (log_w.array() - lse).exp().matrix();
  const Vector mean = theta.transpose() * w;
  const Vector second = theta.array().square().matrix().transpose() * w;
  return {lse - 2.0 * std::log(static_cast<double>(g)), mean,
          (second.array() - mean.array().square()).sqrt().matrix()};
}

constexpr double kSigmas = 5.0;

}  // namespace

TEST_CASE("constrained targets: Gamma variates have mean and variance α") {
  for (const double shape : {0.1, 0.5, 1.0, 2.5, 90.1}) {
    INFO("shape " << shape);
    Rng rng = make_rng(hash_string("gamma") + static_cast<int>(10 * shape));
    const Index n = 40000;
    Eigen::ArrayXd g(n);
    for (Index i = 0; i < n; ++i)
      g(i) = std::exp(log_gamma_variate(rng, shape));
    const double mean = g.mean();
    const double var = (g - mean).square().sum() / (n - 1);
    // sd of the mean √(α/n); of the variance √((μ₄ − σ⁴)/n), μ₄ = 3α² + 6α.
    CHECK(std::abs(mean - shape) < kSigmas * std::sqrt(shape / n));
    CHECK(std::abs(var - shape) <
          kSigmas * std::sqrt((2.0 * shape * shape + 6.0 * shape) / n));
  }
  Rng rng = make_rng(1);
  CHECK_THROWS_AS(log_gamma_variate(rng, 0.0), std::invalid_argument);
  // Shapes far below 1 stay finite on the log scale; Dirichlet draws then
  // have exact zeros rather than NaN.
  for (int i = 0; i < 1000; ++i)
    CHECK(std::isfinite(log_gamma_variate(rng, 1e-3)));
  const Matrix d = dirichlet_draws(rng, 200, Vector::Constant(5, 1e-3));
  CHECK(d.allFinite());
  CHECK((d.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
}

TEST_CASE("constrained targets: dirichlet log Z, moments and dual score") {
  const auto task =
      make_distribution("dirichlet", {{"alpha", {2.0, 3.0, 2.0}}});
  REQUIRE(task->dim() == 2);
  CHECK(task->domain().name() == "simplex");
  const SimplexQuadrature q = simplex_quadrature(*task, 1500);
  CHECK(q.log_integral == doctest::Approx(task->log_z()).epsilon(1e-5));
  CHECK((q.mean - task->mean()).cwiseAbs().maxCoeff() < 1e-5);
  // Shi et al. §4.3: in dual coordinates the score is α_{1:D−1} − (Σα)θ.
  Rng rng = make_rng(2);
  const Matrix x = task->initial_points(10, rng);
  CHECK(task->domain().contains(x));
  Vector logp;
  Matrix grad;
  task->log_prob_grad(x, logp, grad);
  task->domain().to_dual_density(x, logp, grad);
  const Matrix expected =
      (RowVector{{2.0, 3.0}}.replicate(10, 1).array() - 7.0 * x.array())
          .matrix();
  CHECK((grad - expected).cwiseAbs().maxCoeff() < 1e-12);
  // The task's closed-form dual score agrees, and stays finite at a face.
  CHECK((task->dual_score(x) - expected).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(task->dual_score(Matrix{{0.0, 1.0}}).allFinite());
}

TEST_CASE("constrained targets: sparse_dirichlet_20 preset") {
  const auto task =
      make_distribution("dirichlet", {{"preset", "sparse_dirichlet_20"}});
  REQUIRE(task->dim() == 19);
  const double total = 0.1 * 20 + 100.0;
  CHECK(task->mean()(0) == doctest::Approx(90.1 / total));
  CHECK(task->mean()(1) == doctest::Approx(5.1 / total));
  CHECK(task->mean()(3) == doctest::Approx(0.1 / total));
  CHECK(task->log_z() ==
        doctest::Approx(std::lgamma(90.1) + 2 * std::lgamma(5.1) +
                        17 * std::lgamma(0.1) - std::lgamma(total)));
  Rng rng = make_rng(3);
  // Exact draws sit on or next to faces (many coordinates below 1e-30):
  // the log density and score stay finite there, and at a face itself.
  const Matrix draws = task->sample(500, rng);
  CHECK(draws.allFinite());
  CHECK((draws.array() >= 0).all());
  Vector logp;
  Matrix grad;
  task->log_prob_grad(draws, logp, grad);
  CHECK(logp.allFinite());
  CHECK(grad.allFinite());
  Matrix face = task->initial_points(1, rng);
  face(0, 5) = 0.0;
  task->log_prob_grad(face, logp, grad);
  CHECK(std::isfinite(logp(0)));
  CHECK(grad.allFinite());
  CHECK(grad(0, 5) < -1e300);  // α = 0.1 < 1: pushed back inside, hard
  // Outside the closed simplex: −∞, and the score is undefined.
  face(0, 5) = -1e-3;
  task->log_prob_grad(face, logp, grad);
  CHECK(logp(0) == -std::numeric_limits<double>::infinity());
  CHECK_FALSE(grad.allFinite());
}

TEST_CASE("constrained targets: truncated_gaussian log Z and moments") {
  // A box in 2-D, checked by the midpoint rule.
  const auto box =
      make_distribution("truncated_gaussian", {{"domain", "box"},
                                               {"mean", {0.3, -2.0}},
                                               {"scale", {0.5, 1.0}},
                                               {"lower", {-1.0, 0.0}},
                                               {"upper", {1.0, 3.0}}});
  CHECK(box->domain().name() == "box");
  const Index g = 1000;
  const double h0 = 2.0 / g, h1 = 3.0 / g;
  Matrix grid(g * g, 2);
  for (Index i = 0; i < g; ++i)
    for (Index j = 0; j < g; ++j)
      grid.row(i * g + j) << -1.0 + (i + 0.5) * h0, (j + 0.5) * h1;
  const Vector lp = box->log_prob(grid);
  const double lse = log_sum_exp(lp);
  CHECK(lse + std::log(h0 * h1) == doctest::Approx(box->log_z()).epsilon(1e-5));
  const Vector w = (lp.array() - lse).exp().matrix();
  const Vector mean = grid.transpose() * w;
  CHECK((mean - box->mean()).cwiseAbs().maxCoeff() < 1e-5);
  const Vector second = grid.array().square().matrix().transpose() * w;
  const Vector var = second.array() - mean.array().square();
  CHECK((var - box->covariance().diagonal()).cwiseAbs().maxCoeff() < 1e-5);
  // Outside the box: −∞.
  CHECK(box->log_prob(Matrix{{0.0, -0.1}})(0) ==
        -std::numeric_limits<double>::infinity());

  // 40 standard deviations into the tail, where Φ underflows: the orthant
  // with mean −40 is ≈ Exp(40), and [40, 41] with mean 0 is ≈ 40 + Exp(40).
  const auto tail =
      make_distribution("truncated_gaussian", {{"dim", 1}, {"mean", -40.0}});
  CHECK(std::isfinite(tail->log_z()));
  // log Q(40) = −800 − log(40√(2π)) + log(1 − 1/40² + 3/40⁴ − ...).
  const double log_q40 = -800.0 -
                         std::log(40.0 * std::sqrt(2 * std::numbers::pi)) +
                         std::log1p(-1.0 / 1600 + 3.0 / (1600.0 * 1600.0));
  CHECK(tail->log_z() - 0.5 * std::log(2 * std::numbers::pi) ==
        doctest::Approx(log_q40).epsilon(1e-10));
  // Mean of the standard normal beyond z: the inverse Mills ratio ≈
  // z(1 + 1/z² − 2/z⁴ + ...), minus z.
  const double mills = 40.0 * (1.0 + 1.0 / 1600 - 2.0 / (1600.0 * 1600.0));
  CHECK(tail->mean()(0) == doctest::Approx(mills - 40.0).epsilon(1e-5));
  Rng rng = make_rng(4);
  const Matrix draws = tail->sample(20000, rng);
  CHECK(tail->domain().contains(draws));
  const double sd = std::sqrt(tail->covariance()(0, 0));
  CHECK(std::abs(draws.mean() - tail->mean()(0)) <
        kSigmas * sd / std::sqrt(20000.0));
  const auto far_box = make_distribution(
      "truncated_gaussian",
      {{"dim", 1}, {"domain", "box"}, {"lower", 40.0}, {"upper", 41.0}});
  const Matrix far = far_box->sample(20000, rng);
  CHECK(far_box->domain().contains(far));
  CHECK(std::abs(far.mean() - far_box->mean()(0)) <
        kSigmas * std::sqrt(far_box->covariance()(0, 0) / 20000.0));
  CHECK(far_box->mean()(0) == doctest::Approx(mills).epsilon(1e-6));
}

TEST_CASE("constrained targets: uniform_box") {
  const auto task = make_distribution(
      "uniform_box",
      {{"dim", 3}, {"lower", {-1.0, 0.0, 5.0}}, {"upper", {1.0, 1e-3, 6.0}}});
  CHECK(task->log_z() == doctest::Approx(std::log(2.0 * 1e-3)));
  Rng rng = make_rng(5);
  const Matrix x = task->initial_points(50, rng);
  CHECK(task->domain().contains(x));
  Vector logp;
  Matrix grad;
  task->log_prob_grad(x, logp, grad);
  CHECK(logp.isZero());
  CHECK(grad.isZero());  // the score is zero inside
  CHECK(task->log_prob(Matrix{{0.0, 2e-3, 5.5}})(0) ==
        -std::numeric_limits<double>::infinity());
  // In dual coordinates the score is the log-det term, −x on [−1, 1]^d.
  const auto cube = make_distribution("uniform_box", {{"dim", 2}});
  const Matrix y = cube->initial_points(5, rng);
  cube->log_prob_grad(y, logp, grad);
  cube->domain().to_dual_density(y, logp, grad);
  CHECK((grad + y).cwiseAbs().maxCoeff() < 1e-15);
}

TEST_CASE("constrained targets: simplex_quadratic matrix and density") {
  const auto task = make_distribution("simplex_quadratic", Json::object());
  REQUIRE(task->dim() == 19);
  CHECK(task->domain().name() == "simplex");
  CHECK(task->capabilities() == Capabilities{Capability::reference});
  // At the vertex e_i, log π = −A_ii/(2σ²); A = BBᵀ/max|BBᵀ| has its
  // largest entry on the diagonal (Cauchy–Schwarz), so max_i A_ii = 1.
  const Matrix vertices = Matrix::Identity(19, 19);
  const Vector at_vertices = task->log_prob(vertices);
  CHECK(at_vertices.maxCoeff() < 0.0);
  CHECK(at_vertices.minCoeff() == doctest::Approx(-1.0 / (2 * 1e-4)));
  // A is positive semi-definite: log π ≤ 0 everywhere.
  Rng rng = make_rng(6);
  const Matrix x = task->initial_points(100, rng);
  CHECK(task->domain().contains(x));
  CHECK(task->log_prob(x).maxCoeff() <= 0.0);
  // Another instance is another matrix.
  const auto other = make_distribution("simplex_quadratic", {{"instance", 1}});
  CHECK(other->log_prob(x) != task->log_prob(x));
}

TEST_CASE(
    "constrained targets: NUTS in dual coordinates matches quadrature on "
    "the 2-D simplex") {
  const std::filesystem::path cache = testing::temp_dir("constrained-ref");
  const testing::TaskCase c{"simplex_quadratic",
                            {{"components", 3}, {"sigma2", 0.05}}};
  const auto task = make_distribution(c.name, c.params);
  const Json params = validate_params(
      c.params, TaskRegistry::instance().find(c.name)->params, "", c.name);
  const ReferencePosterior ref =
      reference_posterior(c.name, params, *task, cache);
  std::filesystem::remove_all(cache);
  CHECK(task->domain().contains(ref.draws));
  CHECK(ref.provenance.at("space").get<std::string>().find("dual") !=
        std::string::npos);
  const SimplexQuadrature q = simplex_quadrature(*task, 1500);
  const Json& coords = ref.provenance.at("diagnostics").at("coordinates");
  for (Index j = 0; j < 2; ++j) {
    const double mean = coords[j].at("mean"), sd = coords[j].at("sd");
    const double mcse_mean = coords[j].at("mcse_mean");
    const double mcse_sd = coords[j].at("mcse_sd");
    INFO("coordinate " << j << ": NUTS mean " << mean << " ± " << mcse_mean
                       << ", quadrature " << q.mean(j) << "; sd " << sd << " ± "
                       << mcse_sd << ", quadrature " << q.sd(j));
    CHECK(std::abs(mean - q.mean(j)) < 4.0 * mcse_mean);
    CHECK(std::abs(sd - q.sd(j)) < 4.0 * mcse_sd);
  }
}

TEST_CASE(
    "constrained targets: the paper's simplex_quadratic reference passes its "
    "checks") {
  // D = 20, σ² = 1e-4: very concentrated, with some coordinates pressed
  // against faces; in dual coordinates NUTS must still reach R-hat < 1.01
  // and ESS ≥ 400 for every primal coordinate without divergences.
  const std::filesystem::path cache = testing::temp_dir("constrained-ref20");
  const testing::TaskCase c{"simplex_quadratic", Json::object()};
  const auto task = make_distribution(c.name, c.params);
  const Json params = validate_params(
      c.params, TaskRegistry::instance().find(c.name)->params, "", c.name);
  ReferencePosterior ref;
  std::string failure;
  try {
    ref = reference_posterior(c.name, params, *task, cache);
  } catch (const ReferenceCheckFailed& e) {
    failure = e.what();
  }
  std::filesystem::remove_all(cache);
  INFO(failure);
  REQUIRE(failure.empty());
  CHECK(task->domain().contains(ref.draws));
  MESSAGE("simplex_quadratic reference: "
          << ref.provenance.at("diagnostics").at("chains").dump());
}

TEST_CASE("constrained targets: inconsistent parameters throw ConfigError") {
  struct Bad {
    std::string name;
    Json params;
    std::string path;  // the JSON path the error names
  };
  const std::vector<Bad> cases = {
      {"dirichlet", {{"alpha", {1.0, 2.0, 3.0}}, {"components", 4}}, "/alpha"},
      {"dirichlet", {{"alpha", {1.0}}}, "/alpha"},
      {"dirichlet",
       {{"preset", "sparse_dirichlet_20"}, {"alpha", 2.0}},
       "/preset"},
      {"truncated_gaussian", {{"dim", 2}, {"mean", {1.0, 2.0, 3.0}}}, "/mean"},
      {"truncated_gaussian", {{"lower", 0.5}}, "/lower"},
      {"truncated_gaussian",
       {{"domain", "box"}, {"lower", 1.0}, {"upper", 1.0}},
       "/lower"},
      {"truncated_gaussian",
       {{"domain", "box"}, {"dim", 2}, {"upper", {1.0, 2.0, 3.0}}},
       "/upper"},
      {"uniform_box", {{"lower", 2.0}}, "/lower"},
      {"uniform_box", {{"dim", 3}, {"upper", {1.0, 2.0}}}, "/upper"},
  };
  for (const auto& bad : cases) {
    INFO("task " << bad.name << " " << bad.params.dump());
    std::string where = "(no error)";
    try {
      testing::make_task({bad.name, bad.params});
    } catch (const ConfigError& e) {
      where = e.where();
    }
    CHECK(where == bad.path);
  }
  // α ≤ 0 is rejected by the declared range.
  CHECK_THROWS_AS(testing::make_task({"dirichlet", {{"alpha", 0.0}}}),
                  ConfigError);
}

}  // namespace vibench
