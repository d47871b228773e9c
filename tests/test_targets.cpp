// Ground truth offered by the targets, checked against independent
// computations: exact draws against the declared moments and the score
// (Stein's identity), log Z against quadrature and importance sampling,
// optima against the oracles, and closed-form instances against formulas
// derived by hand. Generic checks run over every registered task.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "task_cases.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/distribution.hpp"
#include "tasks/objective.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

using testing::TaskCase;

std::shared_ptr<const Task> make_target(const std::string& name,
                                        const Json& given) {
  const TaskEntry* entry = TaskRegistry::instance().find(name);
  REQUIRE_MESSAGE(entry != nullptr, "task '" << name << "' not registered");
  return entry->make(Params(validate_params(given, entry->params, "", name)));
}

template <class Kind>
std::shared_ptr<const Kind> make_as(const std::string& name,
                                    const Json& given) {
  auto task = std::dynamic_pointer_cast<const Kind>(make_target(name, given));
  REQUIRE(task != nullptr);
  return task;
}

// Every registered distribution with its defaults, plus the shared presets.
std::vector<TaskCase> distribution_cases() {
  return testing::cases_of_kind(TaskKind::distribution);
}

// Tracks the worst |estimate − truth| / tolerance of a family of checks and
// reports where it happened.
struct Worst {
  double ratio = 0.0;
  std::string where;
  void add(double error, double tolerance, const std::string& what) {
    const double r = std::isfinite(error) ? error / tolerance : INFINITY;
    if (where.empty() || r > ratio) {
      ratio = r;
      where = what;
    }
  }
};

std::string entry_name(const char* what, Index i, Index j, double estimate,
                       double truth) {
  std::ostringstream s;
  s << what << "(" << i << "," << j << "): estimate " << estimate << ", truth "
    << truth;
  return s.str();
}

double log_sum_exp(const Vector& v) {
  const double m = v.maxCoeff();
  return m + std::log((v.array() - m).exp().sum());
}

constexpr Index kDraws = 20000;
constexpr double kSigmas = 5.0;

}  // namespace

TEST_CASE("targets: exact draws match the declared mean and covariance") {
  for (const auto& c : distribution_cases()) {
    const auto task = make_as<Distribution>(c.name, c.params);
    if (!task->offers(Capability::exact_draws) ||
        !task->offers(Capability::moments))
      continue;
    INFO("task " << c.label());
    const Index d = task->dim();
    Rng rng = make_rng(hash_string("draws " + c.label()));
    const Matrix x = task->sample(kDraws, rng);
    REQUIRE(x.rows() == kDraws);
    REQUIRE(x.cols() == d);
    CHECK(task->domain().contains(x));
    const Vector mean = task->mean();
    const Matrix cov = task->covariance();
    REQUIRE(mean.size() == d);
    REQUIRE(cov.rows() == d);
    REQUIRE(cov.cols() == d);
    Worst worst;
    const Vector sample_mean = x.colwise().mean().transpose();
    for (Index j = 0; j < d; ++j)
      worst.add(std::abs(sample_mean(j) - mean(j)),
                kSigmas * std::sqrt(cov(j, j) / kDraws) + 1e-12,
                entry_name("mean", j, 0, sample_mean(j), mean(j)));
    // Centred at the true mean, (x_j − m_j)(x_k − m_k) has expectation
    // Σ_jk; its standard error comes from the draws themselves.
    const Matrix centered = x.rowwise() - mean.transpose();
    for (Index j = 0; j < d; ++j)
      for (Index k = j; k < d; ++k) {
        const Eigen::ArrayXd prod =
            centered.col(j).array() * centered.col(k).array();
        const double est = prod.mean();
        const double sd = std::sqrt((prod - est).square().sum() / (kDraws - 1));
        worst.add(std::abs(est - cov(j, k)),
                  kSigmas * sd / std::sqrt(double(kDraws)) + 1e-12,
                  entry_name("covariance", j, k, est, cov(j, k)));
      }
    INFO(worst.where);
    CHECK(worst.ratio <= 1.0);
  }
}

TEST_CASE("targets: exact draws satisfy Stein's identity for the score") {
  // For x ~ π on ℝ^d: E[∇log π(x)] = 0 and E[∇log π(x) (x − m)ᵀ] = −I. This
  // ties the sampler to the density without using the declared moments.
  for (const auto& c : distribution_cases()) {
    const auto task = make_as<Distribution>(c.name, c.params);
    if (!task->offers(Capability::exact_draws) ||
        task->domain().name() != "reals")
      continue;
    INFO("task " << c.label());
    const Index d = task->dim();
    Rng rng = make_rng(hash_string("stein " + c.label()));
    const Matrix x = task->sample(kDraws, rng);
    Vector logp;
    Matrix score;
    task->log_prob_grad(x, logp, score);
    const Matrix centered = x.rowwise() - x.colwise().mean();
    Worst worst;
    for (Index j = 0; j < d; ++j) {
      const Eigen::ArrayXd s = score.col(j).array();
      const double est = s.mean();
      const double sd = std::sqrt((s - est).square().sum() / (kDraws - 1));
      worst.add(std::abs(est), kSigmas * sd / std::sqrt(double(kDraws)) + 1e-12,
                entry_name("E score", j, 0, est, 0.0));
      for (Index k = 0; k < d; ++k) {
        const Eigen::ArrayXd prod = s * centered.col(k).array();
        const double p = prod.mean();
        const double psd = std::sqrt((prod - p).square().sum() / (kDraws - 1));
        const double truth = j == k ? -1.0 : 0.0;
        worst.add(std::abs(p - truth),
                  kSigmas * psd / std::sqrt(double(kDraws)) + 1e-12,
                  entry_name("E score·xᵀ", j, k, p, truth));
      }
    }
    INFO(worst.where);
    CHECK(worst.ratio <= 1.0);
  }
}

TEST_CASE("targets: log_z matches grid quadrature for 2-D distributions") {
  int checked = 0;
  for (const auto& c : distribution_cases()) {
    const auto task = make_as<Distribution>(c.name, c.params);
    if (task->dim() != 2 || !task->offers(Capability::log_z) ||
        !task->offers(Capability::moments) || task->domain().name() != "reals")
      continue;
    INFO("task " << c.label());
    // A box of ±7 standard deviations (largest direction) around the mean;
    // the trapezoid rule is spectrally accurate for such smooth integrands.
    const Vector mean = task->mean();
    const double sd =
        std::sqrt(Eigen::SelfAdjointEigenSolver<Matrix>(task->covariance())
                      .eigenvalues()
                      .maxCoeff());
    const Index g = 401;
    const double half = 7.0 * sd, h = 2.0 * half / (g - 1);
    Matrix grid(g * g, 2);
    for (Index i = 0; i < g; ++i)
      for (Index j = 0; j < g; ++j)
        grid.row(i * g + j) << mean(0) - half + i * h, mean(1) - half + j * h;
    const double log_integral =
        log_sum_exp(task->log_prob(grid)) + 2.0 * std::log(h);
    INFO("quadrature " << log_integral << ", log_z " << task->log_z());
    CHECK(std::abs(log_integral - task->log_z()) < 1e-4);
    ++checked;
  }
  CHECK(checked >= 4);  // gaussian, ring8, grid25, random, custom 2-D
}

TEST_CASE("targets: log_z matches importance sampling in other dimensions") {
  int checked = 0;
  for (const auto& c : distribution_cases()) {
    const auto task = make_as<Distribution>(c.name, c.params);
    if (task->dim() == 2 || !task->offers(Capability::log_z) ||
        !task->offers(Capability::moments) || task->domain().name() != "reals")
      continue;
    INFO("task " << c.label());
    // Proposal q = N(m, 2Σ) from the declared moments.
    const Index d = task->dim();
    const Eigen::LLT<Matrix> llt(2.0 * task->covariance());
    REQUIRE(llt.info() == Eigen::Success);
    const Matrix lower = llt.matrixL();
    Rng rng = make_rng(hash_string("importance " + c.label()));
    const Matrix z = rng.normal_matrix(kDraws, d);
    const Matrix x =
        (z * lower.transpose()).rowwise() + task->mean().transpose();
    const Vector log_q = (-0.5 * z.rowwise().squaredNorm().array() -
                          0.5 * d * std::log(2.0 * std::numbers::pi) -
                          lower.diagonal().array().log().sum())
                             .matrix();
    const Vector log_w = task->log_prob(x) - log_q;
    const double shift = log_w.maxCoeff();
    const Eigen::ArrayXd w = (log_w.array() - shift).exp();
    const double mean_w = w.mean();
    const double se =
        std::sqrt((w - mean_w).square().sum() / (kDraws - 1) / kDraws);
    const double z_hat = mean_w * std::exp(shift);
    const double z_true = std::exp(task->log_z());
    CHECK(se / mean_w < 0.05);  // the check below is informative
    CHECK(std::abs(z_hat - z_true) <=
          kSigmas * se * std::exp(shift) + 1e-3 * z_true);
    ++checked;
  }
  CHECK(checked >= 3);
}

TEST_CASE("targets: gaussian covariance spectrum and density at the mean") {
  const auto log_spaced = [](Index d, double top) {
    Vector v(d);
    for (Index i = 0; i < d; ++i) v(i) = std::pow(top, double(i) / (d - 1));
    return v;
  };
  {
    const auto t = make_as<Distribution>("gaussian", {{"dim", 3}});
    CHECK(t->covariance().isApprox(Matrix::Identity(3, 3)));
    CHECK(t->mean().isZero());
  }
  {
    const auto t = make_as<Distribution>(
        "gaussian",
        {{"dim", 4}, {"covariance", "diagonal"}, {"condition_number", 8.0}});
    const Matrix cov = t->covariance();
    CHECK(cov.isApprox(Matrix(log_spaced(4, 8.0).asDiagonal())));
    CHECK(cov(3, 3) == doctest::Approx(8.0));
  }
  const Json correlated = {{"dim", 5},
                           {"covariance", "correlated"},
                           {"condition_number", 100.0},
                           {"mean", {1.0, 2.0, 3.0, 4.0, 5.0}}};
  const auto t = make_as<Distribution>("gaussian", correlated);
  const Matrix cov = t->covariance();
  const Vector eig = Eigen::SelfAdjointEigenSolver<Matrix>(cov).eigenvalues();
  CHECK(eig.isApprox(log_spaced(5, 100.0), 1e-10));
  CHECK(cov.cwiseAbs()
            .triangularView<Eigen::StrictlyUpper>()
            .toDenseMatrix()
            .maxCoeff() > 0.1);  // actually rotated
  const Vector mean = t->mean();
  CHECK(mean == Vector::LinSpaced(5, 1.0, 5.0));
  const double expected =
      -2.5 * std::log(2.0 * std::numbers::pi) - 0.5 * eig.array().log().sum();
  CHECK(t->log_prob(mean.transpose())(0) == doctest::Approx(expected));
  // One standard deviation along the top eigenvector costs exactly ½.
  const Eigen::SelfAdjointEigenSolver<Matrix> es(cov);
  const RowVector shifted =
      (mean + std::sqrt(es.eigenvalues()(4)) * es.eigenvectors().col(4))
          .transpose();
  CHECK(t->log_prob(shifted)(0) == doctest::Approx(expected - 0.5));
  // The instance seed changes the rotation.
  Json other = correlated;
  other["instance"] = 1;
  CHECK(!make_as<Distribution>("gaussian", other)->covariance().isApprox(cov));
}

TEST_CASE("targets: gmm presets have closed-form moments and densities") {
  {
    const auto t = make_as<Distribution>("gmm", {{"preset", "ring8"}});
    REQUIRE(t->dim() == 2);
    CHECK(t->mean().norm() < 1e-12);
    // Means uniform on a circle of radius 4: E[μμᵀ] = (16 / 2) I.
    CHECK(t->covariance().isApprox((8.0 + 0.3) * Matrix::Identity(2, 2)));
    Vector logp;
    Matrix grad;
    t->log_prob_grad(Matrix::Zero(1, 2), logp, grad);
    CHECK(grad.norm() < 1e-12);  // symmetric about the origin
    // At a mode the other seven components are negligible:
    // log p ≈ log(1/8) − log(2π · 0.3).
    const Vector at_mode = t->log_prob(RowVector{{4.0, 0.0}});
    CHECK(at_mode(0) == doctest::Approx(std::log(1.0 / 8.0) -
                                        std::log(2.0 * std::numbers::pi * 0.3))
                            .epsilon(1e-6));
  }
  {
    const auto t = make_as<Distribution>(
        "gmm", {{"preset", "grid25"}, {"component_variance", 0.5}});
    CHECK(t->mean().norm() < 1e-12);
    // Each coordinate is uniform on {−10, −5, 0, 5, 10}: variance 50.
    CHECK(t->covariance().isApprox((50.0 + 0.5) * Matrix::Identity(2, 2)));
  }
  {
    const Json custom = {{"preset", "custom"},
                         {"means", {{0.0, 0.0}, {4.0, 2.0}}},
                         {"weights", {1.0, 3.0}}};
    const auto t = make_as<Distribution>("gmm", custom);
    CHECK(t->mean().isApprox(Vector{{3.0, 1.5}}));
    CHECK(t->covariance().isApprox(Matrix{{4.0, 1.5}, {1.5, 1.75}}));
    const double p = 0.25 / (2.0 * std::numbers::pi) +
                     0.75 / (2.0 * std::numbers::pi) * std::exp(-10.0);
    CHECK(t->log_prob(Matrix::Zero(1, 2))(0) == doctest::Approx(std::log(p)));
  }
  {
    // Different instances give different random mixtures.
    const auto a = make_as<Distribution>("gmm", {{"preset", "random"}});
    const auto b =
        make_as<Distribution>("gmm", {{"preset", "random"}, {"instance", 1}});
    CHECK(!a->mean().isApprox(b->mean()));
  }
}

TEST_CASE("targets: quadratic optimum and Hessian spectrum") {
  for (const bool rotate : {true, false}) {
    INFO("rotate = " << rotate);
    const Json params = {
        {"dim", 6}, {"condition_number", 30.0}, {"rotate", rotate}};
    const auto t = make_as<Objective>("quadratic", params);
    REQUIRE(t->offers(Capability::optimum));
    REQUIRE(t->offers(Capability::optimal_value));
    const Vector xs = t->optimum();
    REQUIRE(xs.size() == 6);
    Vector f;
    Matrix grad;
    t->value_grad(xs.transpose(), f, grad);
    CHECK(grad.norm() < 1e-12);
    CHECK(f(0) == doctest::Approx(t->optimal_value()));
    // Exact for a quadratic: column j of H = ∇f(x* + e_j) − ∇f(x*).
    const Matrix points = Matrix::Identity(6, 6).rowwise() + xs.transpose();
    t->value_grad(points, f, grad);
    const Matrix h = grad;
    CHECK(h.isApprox(h.transpose(), 1e-12));
    Vector expected(6);
    for (Index i = 0; i < 6; ++i) expected(i) = std::pow(30.0, i / 5.0);
    const Vector eig =
        Eigen::SelfAdjointEigenSolver<Matrix>(0.5 * (h + h.transpose()))
            .eigenvalues();
    CHECK(eig.isApprox(expected, 1e-10));
    // f(x* + e_j) = ½ H_jj > f*.
    CHECK(f.isApprox(0.5 * h.diagonal()));
    const double off_diagonal =
        (h - Matrix(h.diagonal().asDiagonal())).cwiseAbs().maxCoeff();
    if (rotate)
      CHECK(off_diagonal > 1e-3);
    else
      CHECK(off_diagonal == 0.0);
  }
  const auto a = make_as<Objective>("quadratic", {{"instance", 0}});
  const auto b = make_as<Objective>("quadratic", {{"instance", 1}});
  CHECK(!a->optimum().isApprox(b->optimum()));
}

TEST_CASE("targets: bilinear solution and singular values") {
  const Json params = {
      {"dim", 4}, {"sigma_min", 0.25}, {"sigma_max", 4.0}, {"instance", 2}};
  const auto t = make_as<SaddlePoint>("bilinear", params);
  REQUIRE(t->offers(Capability::optimum));
  const Index d = 4;
  const Vector zs = t->solution();
  REQUIRE(zs.size() == 2 * d);
  CHECK(t->operator_value(zs.transpose()).norm() < 1e-10);
  // Row j of F((0, e_j)) − F(0) in the x block is (A e_j)ᵀ.
  Matrix probe = Matrix::Zero(d + 1, 2 * d);
  probe.bottomRightCorner(d, d).setIdentity();
  const Matrix f = t->operator_value(probe);
  const Matrix a_transpose =
      f.bottomLeftCorner(d, d).rowwise() - f.topLeftCorner(1, d).row(0);
  const Vector sv =
      Eigen::JacobiSVD<Matrix>(a_transpose).singularValues().reverse();
  Vector expected(d);
  for (Index i = 0; i < d; ++i) expected(i) = 0.25 * std::pow(16.0, i / 3.0);
  CHECK(sv.isApprox(expected, 1e-10));
  // Saddle property of a bilinear L: L(x*, ·) and L(·, y*) are constant.
  Rng rng = make_rng(7);
  Matrix z = zs.transpose().replicate(3, 1);
  const double value = t->value(zs.transpose())(0);
  z.rightCols(d) = rng.normal_matrix(3, d);
  CHECK((t->value(z).array() - value).abs().maxCoeff() < 1e-10);
  z = zs.transpose().replicate(3, 1);
  z.leftCols(d) = rng.normal_matrix(3, d);
  CHECK((t->value(z).array() - value).abs().maxCoeff() < 1e-10);
}

TEST_CASE("targets: bilevel inner solutions and optima are stationary") {
  int checked = 0;
  for (const TaskEntry* entry : TaskRegistry::instance().all()) {
    if (entry->kind != TaskKind::bilevel) continue;
    const auto t = make_as<Bilevel>(entry->name, Json::object());
    if (!t->offers(Capability::hypergradient)) continue;
    INFO("task " << entry->name);
    Rng rng = make_rng(hash_string(entry->name));
    const Matrix x = t->initial_points(3, rng);
    const Matrix ys = t->inner_solution(x);
    Matrix gx, gy, gx0, gy0;
    t->inner_grad(x, ys, gx, gy);
    t->inner_grad(x, Matrix::Zero(3, t->dim_y()), gx0, gy0);
    CHECK(gy.norm() <= 1e-9 * (1.0 + gy0.norm() + ys.norm()));
    if (t->offers(Capability::optimum)) {
      const Vector xs = t->optimum();
      CHECK(t->hypergradient(xs.transpose()).norm() <=
            1e-9 * (1.0 + xs.norm()));
    }
    ++checked;
  }
  CHECK(checked >= 1);
}

TEST_CASE("targets: quadratic_bilevel hypergradient closed form") {
  const std::vector<Json> variants = {
      Json::object(),
      {{"dim_x", 3}, {"dim_y", 2}, {"mu", 0.5}, {"condition_number", 50.0}},
      {{"dim_x", 2}, {"dim_y", 4}, {"mu", 0.0}, {"instance", 3}}};
  for (const auto& params : variants) {
    INFO("params " << params.dump());
    const auto t = make_as<Bilevel>("quadratic_bilevel", params);
    const Index dx = t->dim_x(), dy = t->dim_y();
    Rng rng = make_rng(11);
    const Matrix x = rng.normal_matrix(2, dx);
    const auto big_f = [&](const Matrix& p) -> Vector {
      return t->outer_value(p, t->inner_solution(p));
    };
    const Matrix hg = t->hypergradient(x);
    // Central differences of F(x) = f(x, y*(x)), coordinate by coordinate.
    for (Index j = 0; j < dx; ++j) {
      const double h = 1e-5;
      Matrix xp = x, xm = x;
      xp.col(j).array() += h;
      xm.col(j).array() -= h;
      const Vector fd = (big_f(xp) - big_f(xm)) / (2.0 * h);
      for (Index i = 0; i < 2; ++i)
        CHECK(fd(i) == doctest::Approx(hg(i, j)).epsilon(1e-6).scale(1.0));
    }
    // Implicit function theorem with dense Hessians built from the
    // second-order oracles: ∇F = f_x − ∇²xy g (∇²yy g)⁻¹ f_y.
    for (Index i = 0; i < 2; ++i) {
      const Matrix xi = x.row(i).replicate(dy, 1);
      const Matrix yi = t->inner_solution(x.row(i)).replicate(dy, 1);
      const Matrix eye = Matrix::Identity(dy, dy);
      const Matrix h_yy = t->inner_hvp_yy(xi, yi, eye);    // rows: (H e_j)ᵀ
      const Matrix cross_t = t->inner_cross(xi, yi, eye);  // rows: (C e_j)ᵀ
      Matrix fx, fy;
      t->outer_grad(x.row(i), yi.topRows(1), fx, fy);
      const Vector expected =
          fx.row(0).transpose() -
          cross_t.transpose() *
              h_yy.transpose().llt().solve(fy.row(0).transpose());
      CHECK((expected - hg.row(i).transpose()).norm() <=
            1e-10 * (1.0 + expected.norm()));
    }
    // x* is a minimum of F: small steps in any coordinate increase F.
    const Vector xs = t->optimum();
    CHECK(t->hypergradient(xs.transpose()).norm() < 1e-9);
    Matrix around = xs.transpose().replicate(2 * dx, 1);
    for (Index j = 0; j < dx; ++j) {
      around(2 * j, j) += 1e-3;
      around(2 * j + 1, j) -= 1e-3;
    }
    CHECK((big_f(around).array() > big_f(xs.transpose())(0)).all());
  }
}

TEST_CASE("targets: inconsistent parameters throw ConfigError") {
  struct Bad {
    std::string name;
    Json params;
    std::string message;  // expected in the error text
  };
  const Json eye2 = {{1.0, 0.0}, {0.0, 1.0}};
  const std::vector<Bad> cases = {
      {"gmm", {{"preset", "custom"}, {"means", {{0.0, 0.0}, {1.0}}}}, ""},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0}, {1.0, 1.0}}},
        {"covariances",
         {eye2, {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 1.0}}}}},
       "component 1"},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0}, {1.0, 1.0}}},
        {"covariances", {eye2, {{1.0, 2.0}, {2.0, 1.0}}}}},
       "component 1 is not positive definite"},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0}, {1.0, 1.0}}},
        {"covariances", {{{1.0, 0.5}, {0.0, 1.0}}, eye2}}},
       "component 0 is not symmetric"},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0}, {1.0, 1.0}}},
        {"covariances", {eye2, eye2, eye2}}},
       "3 matrices"},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0}, {1.0, 1.0}}},
        {"weights", {1.0, -1.0}}},
       "weights"},
      {"gmm",
       {{"preset", "custom"},
        {"means", {{0.0, 0.0}, {1.0, 1.0}}},
        {"weights", {1.0, 1.0, 1.0}}},
       "weights"},
      {"gmm", {{"preset", "custom"}}, "needs 'means'"},
      {"gmm",
       {{"preset", "custom"}, {"means", {{0.0, 0.0}, {1.0, 1.0}}}, {"dim", 3}},
       "2 columns"},
      {"gmm", {{"preset", "ring8"}, {"means", {{0.0, 0.0}}}}, "custom"},
      {"gmm", {{"preset", "grid25"}, {"dim", 3}}, "2-dimensional"},
      {"gmm", {{"preset", "ring8"}, {"radius", 0.0}}, "radius"},
      {"gaussian", {{"dim", 2}, {"mean", {1.0, 2.0, 3.0}}}, "mean"},
      {"gaussian", {{"condition_number", 0.5}}, "condition_number"},
      {"bilinear", {{"sigma_min", 3.0}, {"sigma_max", 1.0}}, "sigma_min"},
      {"quadratic_bilevel",
       {{"mu", 0.0}, {"dim_x", 5}, {"dim_y", 3}},
       "mu > 0"},
  };
  for (const auto& bad : cases) {
    INFO("task " << bad.name << " " << bad.params.dump());
    std::string message;
    CHECK_THROWS_AS(
        {
          try {
            make_target(bad.name, bad.params);
          } catch (const ConfigError& e) {
            message = e.what();
            throw;
          }
        },
        ConfigError);
    INFO("message: " << message);
    CHECK(message.find(bad.message) != std::string::npos);
  }
  // The same families accept the consistent versions.
  CHECK_NOTHROW(make_target("gmm", {{"preset", "custom"},
                                    {"means", {{0.0, 0.0}, {1.0, 1.0}}},
                                    {"covariances", {{{2.0, 0.5}, {0.5, 1.0}}}},
                                    {"dim", 2}}));
  CHECK_NOTHROW(make_target("quadratic_bilevel",
                            {{"mu", 0.0}, {"dim_x", 3}, {"dim_y", 3}}));
  CHECK_NOTHROW(make_target("gmm", {{"preset", "ring8"}, {"dim", 2}}));
}

}  // namespace vibench
