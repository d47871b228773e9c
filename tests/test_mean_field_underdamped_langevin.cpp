// Tests of mean-field underdamped Langevin dynamics (Fu & Wilson 2024):
// the MMD and KSD forces against finite differences of their functionals,
// the frozen-force OU step against the exact free kinetic process, the
// σ = 0 energy decrease, the costs, and both functionals on a Gaussian.
// Thresholds were calibrated with a NumPy replica of the algorithm over 5
// to 60 seeds (the margins are stated at each check).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "algorithm_helpers.hpp"
#include "algorithms/samplers/mean_field_functional.hpp"
#include "metrics/sample_discrepancy.hpp"
#include "runner/cell_runner.hpp"
#include "runner/suite_runner.hpp"
#include "simple_targets.hpp"
#include "tasks/oracles.hpp"

namespace vibench {
namespace {

using testing::make_algorithm;
using testing::points_state;
using testing::sample_covariance;

constexpr const char* kName = "mean_field_underdamped_langevin";

// N(μ, Σ) with exact draws, for the MMD functional's reference sample.
class SampledGaussian final : public Distribution {
 public:
  SampledGaussian(Vector mean, const Matrix& cov)
      : mean_(std::move(mean)), precision_(cov.inverse()) {
    cholesky_ = cov.llt().matrixL();
  }
  Index dim() const override { return mean_.size(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::hessian_vector};
  }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Matrix centred = x.rowwise() - mean_.transpose();
    grad = -centred * precision_;
    logp = 0.5 * (centred.array() * grad.array()).rowwise().sum();
  }
  Matrix log_prob_hessian_vector(const Matrix&,
                                 const Matrix& v) const override {
    return -v * precision_;
  }
  Matrix sample(Index n, Rng& rng) const override {
    return (rng.normal_matrix(n, dim()) * cholesky_.transpose()).rowwise() +
           mean_.transpose();
  }

 private:
  Vector mean_;
  Matrix precision_, cholesky_;
};

// A non-Gaussian density for the KSD force, so that every term of the
// Stein kernel's gradient matters: log p(x) = −Σ x_a⁴/4 − ½ xᵀAx.
class QuarticTarget final : public Distribution {
 public:
  explicit QuarticTarget(Index d) : a_(Matrix::Identity(d, d)) {
    for (Index i = 0; i + 1 < d; ++i) a_(i, i + 1) = a_(i + 1, i) = 0.3;
  }
  Index dim() const override { return a_.rows(); }
  Capabilities capabilities() const override {
    return {Capability::hessian_vector};
  }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    grad = -x.array().cube().matrix() - x * a_;
    logp = (-0.25 * x.array().square().square().rowwise().sum()).matrix() -
           0.5 * (x * a_).cwiseProduct(x).rowwise().sum();
  }
  Matrix log_prob_hessian_vector(const Matrix& x,
                                 const Matrix& v) const override {
    return -(3.0 * x.array().square() * v.array()).matrix() - v * a_;
  }

 private:
  Matrix a_;
};

KernelConfig fixed_kernel(KernelType type, double h) {
  KernelConfig k;
  k.type = type;
  k.rule = BandwidthRule::fixed;
  k.fixed_bandwidth = h;
  return k;
}

// force (n×d) against n times the central differences of F(μ_n).
void check_force_by_differences(MeanFieldFunctional& functional,
                                const Matrix& x) {
  Matrix force, unused;
  functional.evaluate(x, force);
  const double n = static_cast<double>(x.rows());
  const double step = 1e-5;
  for (Index i = 0; i < x.rows(); ++i)
    for (Index a = 0; a < x.cols(); ++a) {
      Matrix plus = x, minus = x;
      plus(i, a) += step;
      minus(i, a) -= step;
      const double fd = n *
                        (functional.evaluate(plus, unused) -
                         functional.evaluate(minus, unused)) /
                        (2.0 * step);
      CHECK(force(i, a) == doctest::Approx(fd).epsilon(1e-6).scale(1.0));
    }
}

// The median of the squared distances over the pairs i < j of rows of y.
double median_pair_distance(const Matrix& y) {
  std::vector<double> d;
  for (Index i = 0; i < y.rows(); ++i)
    for (Index j = i + 1; j < y.rows(); ++j)
      d.push_back((y.row(i) - y.row(j)).squaredNorm());
  std::sort(d.begin(), d.end());
  const size_t k = d.size();
  return k % 2 == 1 ? d[k / 2] : 0.5 * (d[k / 2 - 1] + d[k / 2]);
}

}  // namespace

TEST_CASE("mean-field ULD: the MMD force is n ∇_x MMD², batched") {
  Rng rng = make_rng(3);
  const Matrix x = rng.normal_matrix(6, 3);
  const Matrix y = (rng.normal_matrix(9, 3).array() + 0.5).matrix();
  for (const KernelType type : {KernelType::rbf, KernelType::imq}) {
    CAPTURE(static_cast<int>(type));
    MmdFunctional mmd(fixed_kernel(type, 1.3), y);
    check_force_by_differences(mmd, x);
  }
  // The value is the V-statistic MMD² of the metric, whose kernel
  // exp(−r²/(2b²)) is exp(−r²/h) for b = √(h/2).
  MmdFunctional rbf(fixed_kernel(KernelType::rbf, 1.3), y);
  Matrix force;
  CHECK(rbf.evaluate(x, force) ==
        doctest::Approx(mmd_squared(x, y, std::sqrt(0.65), Statistic::v))
            .epsilon(1e-12));
  // The median rules are applied once, to the reference points.
  KernelConfig median_squared;
  median_squared.rule = BandwidthRule::median_squared;
  CHECK(MmdFunctional(median_squared, y).bandwidth() ==
        doctest::Approx(median_pair_distance(y)).epsilon(1e-14));
  KernelConfig median;
  median.rule = BandwidthRule::median;
  CHECK(
      MmdFunctional(median, y).bandwidth() ==
      doctest::Approx(median_pair_distance(y) / std::log(9.0)).epsilon(1e-14));
}

TEST_CASE("mean-field ULD: the MMD force in blocks equals the whole one") {
  Rng rng = make_rng(13);
  const Index n = 50;
  const Matrix x = rng.normal_matrix(n, 3);
  const Matrix y = (rng.normal_matrix(70, 3).array() + 0.5).matrix();
  for (const KernelType type : {KernelType::rbf, KernelType::imq}) {
    KernelConfig config = fixed_kernel(type, 1.3);
    config.imq_beta = -0.4;
    MmdFunctional whole(config, y);
    Matrix whole_force;
    const double value = whole.evaluate(x, whole_force);
    for (const Index rows : {Index{1}, Index{7}, Index{25}, n - 1}) {
      CAPTURE(static_cast<int>(type));
      CAPTURE(rows);
      MmdFunctional blocks(config, y, rows);
      Matrix force;
      for (int repeat = 0; repeat < 2; ++repeat) {
        CHECK(blocks.evaluate(x, force) ==
              doctest::Approx(value).epsilon(1e-12));
        CHECK(testing::max_abs(force - whole_force) <=
              1e-12 * testing::max_abs(whole_force));
      }
    }
  }
}

TEST_CASE("mean-field ULD: the KSD force is n ∇_x KSD² at random particles") {
  const QuarticTarget target(3);
  Counters counters;
  const DistributionOracle oracle(target, counters);
  Rng rng = make_rng(11);
  const Matrix x = rng.normal_matrix(6, 3);
  for (const KernelType type : {KernelType::rbf, KernelType::imq})
    for (const double h : {0.5, 2.0}) {
      CAPTURE(static_cast<int>(type));
      CAPTURE(h);
      KsdFunctional ksd(oracle, fixed_kernel(type, h));
      check_force_by_differences(ksd, x);
    }
}

TEST_CASE("mean-field ULD: with zero force the step is the exact kinetic OU") {
  // A kernel so narrow (h = 10⁻⁶) that every MMD force underflows to 0
  // between particles spread with std 100 leaves free kinetic OU
  // processes, which the frozen-force step integrates exactly for any h:
  // from stationary velocities N(0, σI), after time t per coordinate
  //   Var(X_t − X_0) = (2σ/γ)(t − (1 − e^{−γt})/γ),
  // and ½ mean‖v‖² stays σd/2. 1000 particles in d = 4 give 4000
  // coordinates: relative standard errors ≈ 2.2%, tolerance 8%. Drawing
  // the position and velocity noises independently (no correlation S_xv)
  // would give 28% less variance here.
  const Index n = 1000, d = 4;
  const SampledGaussian target(Vector::Zero(d), Matrix::Identity(d, d));
  Counters counters;
  const DistributionOracle oracle(target, counters);
  const double sigma = 0.5, gamma = 1.0, h = 0.5;
  const int steps = 8;
  Rng rng = make_rng(5);
  const Matrix x0 = 100.0 * rng.normal_matrix(n, d);
  auto run = make_algorithm(kName, {{"n_particles", n},
                                    {"functional", "mmd"},
                                    {"reference_draws", 1},
                                    {"bandwidth", "fixed"},
                                    {"bandwidth_value", 1e-6},
                                    {"step_size", h},
                                    {"gamma", gamma},
                                    {"temperature", sigma}})
                 ->start(oracle, points_state(x0), make_rng(6));
  for (int t = 0; t < steps; ++t) run->step();
  const Matrix moved = run->state().points - x0;
  const double variance = moved.squaredNorm() / static_cast<double>(n * d);
  const double time = h * steps;
  const double exact =
      (2.0 * sigma / gamma) * (time - (1.0 - std::exp(-gamma * time)) / gamma);
  CAPTURE(variance);
  CAPTURE(exact);
  CHECK(std::abs(variance / exact - 1.0) < 0.08);
  const double kinetic = run->diagnostics()["last_kinetic_energy"];
  CAPTURE(kinetic);
  CHECK(std::abs(kinetic / (sigma * static_cast<double>(d) / 2.0) - 1.0) <
        0.08);
  // With σ = 0 the particles do not move at all.
  auto still = make_algorithm(kName, {{"n_particles", n},
                                      {"functional", "mmd"},
                                      {"reference_draws", 1},
                                      {"bandwidth", "fixed"},
                                      {"bandwidth_value", 1e-6},
                                      {"temperature", 0.0}})
                   ->start(oracle, points_state(x0), make_rng(6));
  still->step();
  CHECK(still->state().points == x0);
}

TEST_CASE("mean-field ULD: MMD with σ = 0 ends as close as n exact draws") {
  // From a cloud shifted by (3, 3) (about 3.5 standard deviations), 50
  // particles under the MMD² to 500 exact draws (wide fixed kernel h = 8,
  // whose force reaches the far start) must end, in V-statistic MMD² (the
  // metric's median kernel) to a fresh independent sample of 1000, no
  // worse than 1.5 times the mean over 20 sets of 50 i.i.d. exact draws.
  // The NumPy replica gave ratios 0.38–1.00 over 60 seeds, and a start at
  // least 47 times above the i.i.d. level.
  const SampledGaussian target(testing::correlated_mean(),
                               testing::correlated_covariance());
  Counters counters;
  const DistributionOracle oracle(target, counters);
  Rng rng = make_rng(21);
  const Matrix x0 =
      (rng.normal_matrix(50, 2).array() + 3.0).matrix().rowwise() +
      testing::correlated_mean().transpose();
  auto run = make_algorithm(kName, {{"n_particles", 50},
                                    {"functional", "mmd"},
                                    {"reference_draws", 500},
                                    {"bandwidth", "fixed"},
                                    {"bandwidth_value", 8.0},
                                    {"step_size", 1.0},
                                    {"gamma", 1.0},
                                    {"temperature", 0.0}})
                 ->start(oracle, points_state(x0), make_rng(22));
  double first = 0.0;
  for (int t = 0; t < 1000; ++t) {
    run->step();
    if (t == 0) first = run->diagnostics()["last_objective"];
  }

  Rng fresh_rng = make_rng(23);
  const Matrix fresh = target.sample(1000, fresh_rng);
  const double b = mmd_median_bandwidth(target.sample(50, fresh_rng), fresh);
  double iid = 0.0;
  for (int r = 0; r < 20; ++r)
    iid += mmd_squared(target.sample(50, fresh_rng), fresh, b, Statistic::v) /
           20.0;
  const double start = mmd_squared(x0, fresh, b, Statistic::v);
  const double end = mmd_squared(run->state().points, fresh, b, Statistic::v);
  CAPTURE(iid);
  CAPTURE(start);
  CAPTURE(end);
  CHECK(start > 20.0 * iid);
  CHECK(end < 1.5 * iid);
  // The functional itself fell from about 1 to near the floor of its
  // V-statistic (the particles' self-terms; replica: 0.2–0.5% of the start).
  const double last = run->diagnostics()["last_objective"];
  CHECK(last < 0.02 * first);
  // No oracle was called: the draws are free and the force needs none.
  CHECK(counters.grad_evals == 0);
  CHECK(counters.value_evals == 0);
  CHECK(counters.hvp_evals == 0);
}

TEST_CASE("mean-field ULD: KSD with σ = 0 and high friction finds the mean") {
  // γ = 5, h = 1 (nearly overdamped), fixed bandwidth h = 2: KSD² fell at
  // every one of 400 steps in the replica (5 seeds; the smallest decrease
  // 5·10⁻⁸ with KSD² ≈ 5·10⁻⁴ at the end), to below 2·10⁻⁴ of its start,
  // with the particles' mean within 2.4·10⁻³ of the target's and their
  // covariance within 0.08 (KSD descent with 50 particles under-spreads).
  const SampledGaussian target(testing::correlated_mean(),
                               testing::correlated_covariance());
  Counters counters;
  const DistributionOracle oracle(target, counters);
  Rng rng = make_rng(7);
  const Matrix x0 = rng.normal_matrix(50, 2);
  auto run = make_algorithm(kName, {{"n_particles", 50},
                                    {"functional", "ksd"},
                                    {"bandwidth", "fixed"},
                                    {"bandwidth_value", 2.0},
                                    {"step_size", 1.0},
                                    {"gamma", 5.0},
                                    {"temperature", 0.0}})
                 ->start(oracle, points_state(x0), make_rng(8));
  double first = 0.0, previous = INFINITY, last = 0.0;
  int increases = 0;
  for (int t = 0; t < 400; ++t) {
    run->step();
    last = run->diagnostics()["last_objective"];
    if (t == 0) first = last;
    if (last > previous) ++increases;
    previous = last;
  }
  CHECK(increases == 0);
  CHECK(last < 1e-3 * first);
  const Matrix& x = run->state().points;
  CHECK((x.colwise().mean().transpose() - testing::correlated_mean()).norm() <
        0.02);
  CHECK(testing::max_abs(sample_covariance(x) -
                         testing::correlated_covariance()) < 0.2);
}

TEST_CASE("mean-field ULD: with σ = 0 and small steps the energy never rises") {
  // F(μ_n) + ½ mean‖v_i‖², both at the start of each step, is dissipated by
  // the damped dynamics; the frozen-force step keeps it non-increasing for
  // h small against γ and the force's stiffness (replica: at every one of
  // 400 steps, 5 seeds each, KSD with h = 0.05 and MMD with h = 0.5),
  // while a KSD step of 0.8 breaks it (increases at about 80 of 200 steps
  // in the replica): the check does see the discretization.
  const SampledGaussian target(testing::correlated_mean(),
                               testing::correlated_covariance());
  const auto energies = [&](const Json& params, const Matrix& x0, int steps) {
    Counters counters;
    const DistributionOracle oracle(target, counters);
    auto run = make_algorithm(kName, params)
                   ->start(oracle, points_state(x0), make_rng(31));
    std::vector<double> out;
    for (int t = 0; t < steps; ++t) {
      run->step();
      const Json diagnostics = run->diagnostics();
      out.push_back(diagnostics["last_objective"].get<double>() +
                    diagnostics["last_kinetic_energy"].get<double>());
    }
    return out;
  };
  const auto rises = [](const std::vector<double>& e) {
    int count = 0;
    for (size_t t = 1; t < e.size(); ++t) count += e[t] > e[t - 1];
    return count;
  };
  Rng rng = make_rng(30);
  const Matrix x0 = rng.normal_matrix(20, 2);
  const Json ksd = {{"n_particles", 20},    {"functional", "ksd"},
                    {"bandwidth", "fixed"}, {"bandwidth_value", 2.0},
                    {"gamma", 1.0},         {"temperature", 0.0}};
  Json small = ksd;
  small["step_size"] = 0.05;
  const std::vector<double> ksd_energy = energies(small, x0, 400);
  CHECK(rises(ksd_energy) == 0);
  CHECK(ksd_energy.back() < 0.01 * ksd_energy.front());
  Json large = ksd;
  large["step_size"] = 0.8;
  CHECK(rises(energies(large, x0, 200)) > 10);

  const Matrix shifted = (x0.array() + 3.0).matrix().rowwise() +
                         testing::correlated_mean().transpose();
  const Json mmd = {{"n_particles", 20},      {"functional", "mmd"},
                    {"reference_draws", 100}, {"bandwidth", "fixed"},
                    {"bandwidth_value", 8.0}, {"gamma", 1.0},
                    {"step_size", 0.5},       {"temperature", 0.0}};
  const std::vector<double> mmd_energy = energies(mmd, shifted, 400);
  CHECK(rises(mmd_energy) == 0);
  CHECK(mmd_energy.back() < 0.1 * mmd_energy.front());
}

TEST_CASE("mean-field ULD: costs per step and the iteration budget") {
  // KSD: exactly n scores (with their values) and n Hessian-vector
  // products per step, nothing at the start.
  const testing::GaussianTarget gaussian(testing::correlated_mean(),
                                         testing::correlated_covariance());
  Counters counters;
  const DistributionOracle oracle(gaussian, counters);
  Rng rng = make_rng(41);
  auto run =
      make_algorithm(kName, {{"n_particles", 10}})
          ->start(oracle, points_state(rng.normal_matrix(10, 2)), make_rng(42));
  CHECK(counters.grad_evals == 0);
  CHECK(counters.hvp_evals == 0);
  for (int t = 1; t <= 7; ++t) {
    run->step();
    CHECK(counters.grad_evals == 10 * t);
    CHECK(counters.value_evals == 10 * t);
    CHECK(counters.hvp_evals == 10 * t);
  }
  // MMD needs exact draws, and is gradient-free: a task without them is
  // refused, and the runner ends its cells by iterations.
  const auto mmd = make_algorithm(kName, {{"functional", "mmd"}});
  CHECK(mmd->gradient_free());
  CHECK_FALSE(make_algorithm(kName, {})->gradient_free());
  CHECK(incompatibility(gaussian, *mmd).find("exact_draws") !=
        std::string::npos);
  Json suite_json = {
      {"seeds", 1},
      {"tasks", {{{"name", "gaussian"}}}},
      {"algorithms",
       {{{"name", kName},
         {"params",
          {{"functional", "mmd"},
           {"n_particles", 20},
           {"reference_draws", 50},
           {"step_size", 0.5}}}}}},
      {"metrics", {"mean_error"}},
      {"budget", {{"max_iterations", 30}}},
      {"timeout_seconds", 60},
  };
  const Suite by_iterations = parse_suite(suite_json, "mfuld.json");
  const Json record = run_cell(by_iterations, expand_cells(by_iterations)[0]);
  CHECK(record["status"] == "ok");
  CHECK(record["stopped_by"] == "max_iterations");
  CHECK(record["final"]["iterations"] == 30);
  CHECK(record["final"]["grad_evals"] == 0);
  suite_json["budget"] = {{"max_grad_evals", 1000}};
  const Suite by_gradients = parse_suite(suite_json, "mfuld.json");
  const Json failed = run_cell(by_gradients, expand_cells(by_gradients)[0]);
  CHECK(failed["status"] == "failed");
  CHECK(failed["message"].get<std::string>().find("max_iterations") !=
        std::string::npos);
}

}  // namespace vibench
