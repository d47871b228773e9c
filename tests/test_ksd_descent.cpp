// Tests of KSD descent (Korba et al. 2021) and Coin KSDD (Sharrock & Nemeth
// 2023): the batched KSD² and its gradient against an independent pairwise
// computation and finite differences, then both samplers on cases whose
// answer is known.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "algorithm_helpers.hpp"
#include "algorithms/samplers/ksd_gradient.hpp"
#include "core/error.hpp"
#include "core/kernel_backend.hpp"
#include "metrics/sample_discrepancy.hpp"
#include "simple_targets.hpp"

namespace vibench {
namespace {

using testing::make_algorithm;
using testing::points_state;
using testing::sample_covariance;

// A non-Gaussian density for the derivative checks, so that every term of
// ∇_x k_p matters: log p(x) = −Σ x_a⁴/4 − ½ xᵀAx, whose score is −x³ − Ax
// and whose Hessian is −diag(3x²) − A.
struct QuarticTarget {
  Matrix a;
  explicit QuarticTarget(Index d) : a(Matrix::Identity(d, d)) {
    for (Index i = 0; i + 1 < d; ++i) a(i, i + 1) = a(i + 1, i) = 0.3;
  }
  Matrix score(const Matrix& x) const {
    return -x.array().cube().matrix() - x * a;
  }
  Matrix hessian_times(const Matrix& x, const Matrix& v) const {
    return -(3.0 * x.array().square() * v.array()).matrix() - v * a;
  }
};

KernelConfig fixed_kernel(KernelType type, double h) {
  KernelConfig k;
  k.type = type;
  k.rule = BandwidthRule::fixed;
  k.fixed_bandwidth = h;
  return k;
}

// (1/n²) Σ_ij k_p(x_i, x_j) for the rbf kernel exp(−r²/h), pair by pair,
// from its closed form k[sᵀt + (2/h)(s − t)ᵀu + 2d/h − 4r²/h²], u = x − y.
double rbf_ksd_pairwise(const Matrix& x, const Matrix& s, double h) {
  const Index n = x.rows();
  const double d = static_cast<double>(x.cols());
  double total = 0.0;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) {
      const RowVector u = x.row(i) - x.row(j);
      const double r2 = u.squaredNorm();
      const double k = std::exp(-r2 / h);
      total += k * (s.row(i).dot(s.row(j)) +
                    (2.0 / h) * (s.row(i) - s.row(j)).dot(u) + 2.0 * d / h -
                    4.0 * r2 / (h * h));
    }
  return total / static_cast<double>(n * n);
}

// The kernels the blocked gradient is checked with: rbf, imq with the
// vectorized β = −½ and the general power −0.4, each with a median and a
// fixed bandwidth.
std::vector<KernelConfig> block_test_kernels() {
  std::vector<KernelConfig> out;
  for (const auto& [type, beta] :
       {std::pair{KernelType::rbf, -0.5}, std::pair{KernelType::imq, -0.5},
        std::pair{KernelType::imq, -0.4}})
    for (const BandwidthRule rule :
         {BandwidthRule::median_code, BandwidthRule::fixed}) {
      KernelConfig config = fixed_kernel(type, 1.3);
      config.rule = rule;
      config.imq_beta = beta;
      out.push_back(config);
    }
  return out;
}

double ksd_value(KsdGradient& ksd, const QuarticTarget& target,
                 const Matrix& x) {
  Matrix unused;
  return ksd.compute(
      x, target.score(x),
      [&](const Matrix& v) { return target.hessian_times(x, v); }, unused);
}

}  // namespace

TEST_CASE("ksd descent: KSD² matches pairwise sums and the IMQ metric") {
  const QuarticTarget target(3);
  Rng rng = make_rng(5);
  const Matrix x = rng.normal_matrix(7, 3);
  const Matrix s = target.score(x);
  KsdGradient rbf(fixed_kernel(KernelType::rbf, 1.7));
  CHECK(ksd_value(rbf, target, x) ==
        doctest::Approx(rbf_ksd_pairwise(x, s, 1.7)).epsilon(1e-12));
  // With h = 1 the imq kernel (1 + r²)^(−½) is the ksd metric's default.
  KsdGradient imq(fixed_kernel(KernelType::imq, 1.0));
  CHECK(ksd_value(imq, target, x) ==
        doctest::Approx(ksd_squared(x, s)).epsilon(1e-12));
}

TEST_CASE("ksd descent: ∇_X KSD² matches finite differences") {
  const QuarticTarget target(3);
  Rng rng = make_rng(11);
  const Matrix x = rng.normal_matrix(6, 3);
  for (const KernelType type : {KernelType::rbf, KernelType::imq}) {
    for (const double h : {0.5, 2.0}) {
      CAPTURE(static_cast<int>(type));
      CAPTURE(h);
      KsdGradient ksd(fixed_kernel(type, h));
      Matrix grad;
      ksd.compute(
          x, target.score(x),
          [&](const Matrix& v) { return target.hessian_times(x, v); }, grad);
      const double step = 1e-5;
      for (Index i = 0; i < x.rows(); ++i)
        for (Index a = 0; a < x.cols(); ++a) {
          Matrix plus = x, minus = x;
          plus(i, a) += step;
          minus(i, a) -= step;
          const double fd =
              (ksd_value(ksd, target, plus) - ksd_value(ksd, target, minus)) /
              (2.0 * step);
          CHECK(grad(i, a) == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
        }
    }
  }
}

TEST_CASE("ksd descent: the gradient in blocks equals the whole one") {
  // The backends this build has: the blocks' products go through each.
  std::vector<KernelBackend> backends = {KernelBackend::portable};
  if (native_kernels_built()) backends.push_back(KernelBackend::native);
  const QuarticTarget target(3);
  Rng rng = make_rng(19);
  // n = 300: 44 850 pairs, enough for the median's sampled bracket. Block
  // sizes that divide n and that leave a smaller last block, down to one
  // row. n = 1300: the blocks take the columns 1024 at a time, so in two
  // chunks, one smaller.
  for (const Index n : {Index{300}, Index{1300}}) {
    const Matrix x = rng.normal_matrix(n, 3) * 1.5;
    const Matrix s = target.score(x);
    const auto hessian_times = [&](const Matrix& v) {
      return target.hessian_times(x, v);
    };
    const std::vector<Index> block_rows =
        n == 300 ? std::vector<Index>{1, 7, n / 3, n - 1}
                 : std::vector<Index>{128, 1000};
    for (const KernelBackend backend : backends) {
      const ScopedKernelBackend scoped(backend);
      for (const KernelConfig& config : block_test_kernels()) {
        KsdGradient whole(config);
        Matrix whole_grad;
        const double value = whole.compute(x, s, hessian_times, whole_grad);
        for (const Index rows : block_rows) {
          CAPTURE(n);
          CAPTURE(config.imq_beta);
          CAPTURE(to_string(config.type));
          CAPTURE(to_string(config.rule));
          CAPTURE(rows);
          KsdGradient blocks(config, rows);
          REQUIRE(blocks.tile_rows_for(n) == rows);
          Matrix grad;
          // Twice, as in successive steps: the buffers are reused.
          for (int repeat = 0; repeat < 2; ++repeat) {
            CHECK(blocks.compute(x, s, hessian_times, grad) ==
                  doctest::Approx(value).epsilon(1e-12));
            CHECK(blocks.last_bandwidth() ==
                  doctest::Approx(whole.last_bandwidth()).epsilon(1e-14));
            CHECK(testing::max_abs(grad - whole_grad) <=
                  1e-12 * testing::max_abs(whole_grad));
          }
        }
      }
    }
  }
}

TEST_CASE("ksd descent: kernel_tile_rows, its automatic choice and memory") {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  for (const std::string name :
       {"ksd_descent", "coin_ksdd", "ksd_descent_lbfgs"}) {
    CAPTURE(name);
    const auto workspace = [&](long long given, Index n) {
      return make_algorithm(name,
                            {{"n_particles", n}, {"kernel_tile_rows", given}})
          ->workspace_bytes(2);
    };
    // Automatic: whole up to 128 particles (nine n×n matrices), blocks of
    // 128 rows beyond; n = 20 000 in a quarter of a GiB, where the whole
    // matrices would take 29 GB.
    CHECK(workspace(0, 128) == 9.0 * 128 * 128 * 8);
    CHECK(workspace(0, 4096) < 0.05 * workspace(4096, 4096));
    CHECK(workspace(4096, 4096) == 9.0 * 4096 * 4096 * 8);
    CHECK(workspace(20000, 20000) == 9.0 * 20000.0 * 20000.0 * 8);
    CHECK(workspace(0, 20000) < 0.25 * kGiB);
    CHECK(workspace(16, 100) < workspace(100, 100));
    CHECK_THROWS_AS(make_algorithm(name, {{"kernel_tile_rows", -1}}),
                    ConfigError);
  }
  // Runs in blocks follow the runs with the whole matrices, and say which
  // they used.
  const testing::GaussianTarget target(testing::correlated_mean(),
                                       testing::correlated_covariance());
  Rng rng = make_rng(23);
  const Matrix init = rng.normal_matrix(40, 2);
  for (const std::string name :
       {"ksd_descent", "coin_ksdd", "ksd_descent_lbfgs"}) {
    CAPTURE(name);
    Matrix ends[2];
    for (const long long rows : {0LL, 16LL}) {
      Counters counters;
      const DistributionOracle oracle(target, counters);
      auto run = make_algorithm(
                     name, {{"n_particles", 40}, {"kernel_tile_rows", rows}})
                     ->start(oracle, points_state(init), make_rng(1));
      for (int t = 0; t < 20; ++t) run->step();
      CHECK(run->diagnostics().at("kernel_tile_rows") == rows);
      ends[rows == 0 ? 0 : 1] = run->state().points;
    }
    CHECK(testing::max_abs(ends[0] - ends[1]) <=
          1e-10 * testing::max_abs(ends[0]));
  }
}

TEST_CASE("ksd descent: one particle descends to the mode") {
  // n = 1 with an rbf kernel: KSD² = ‖s(x)‖² + 2d/h, so the descent is
  // gradient descent on ‖s‖² and both samplers must reach s = 0, the mean.
  Vector mean(2);
  mean << 1.0, -2.0;
  Matrix cov(2, 2);
  cov << 1.0, 0.3, 0.3, 0.8;
  const testing::GaussianTarget target(mean, cov);
  Matrix x0(1, 2);
  x0 << 3.0, 1.0;
  for (const std::string name : {"ksd_descent", "coin_ksdd"}) {
    CAPTURE(name);
    Counters counters;
    const DistributionOracle oracle(target, counters);
    Json params = {{"n_particles", 1}};
    if (name == "ksd_descent") params["step_size"] = 0.1;
    auto run = make_algorithm(name, params)
                   ->start(oracle, points_state(x0), make_rng(1));
    for (int t = 0; t < 2000; ++t) run->step();
    const double tolerance = name == "ksd_descent" ? 1e-8 : 1e-2;
    CHECK((run->state().points.row(0).transpose() - mean).norm() < tolerance);
    CHECK(counters.grad_evals == 2000);
    CHECK(counters.hvp_evals == 2000);
  }
}

TEST_CASE("ksd descent: KSD² falls monotonically and the Gaussian is found") {
  // With the bandwidth fixed the objective does not change between steps,
  // so small steps of gradient descent decrease it at every step (PAPERS.md
  // §1.7's check). Larger steps then bring the particles to a correlated
  // Gaussian's mean and, roughly, its covariance (KSD descent with 50
  // particles under-spreads them somewhat), and Coin KSDD, with no step
  // size, gets there too. The gradient of the V-statistic scales as 1/n, so
  // useful steps are of order n/10.
  const Vector mean = testing::correlated_mean();
  const Matrix cov = testing::correlated_covariance();
  const testing::GaussianTarget target(mean, cov);
  Rng rng = make_rng(7);
  const Matrix init = rng.normal_matrix(50, 2);
  const Json fixed = {
      {"n_particles", 50}, {"bandwidth", "fixed"}, {"bandwidth_value", 2.0}};
  Counters counters;
  const DistributionOracle oracle(target, counters);
  Json small = fixed;
  small["step_size"] = 0.5;
  auto run = make_algorithm("ksd_descent", small)
                 ->start(oracle, points_state(init), make_rng(1));
  double previous = INFINITY, first = 0.0, last = 0.0;
  bool monotone = true;
  for (int t = 0; t < 500; ++t) {
    run->step();
    last = run->diagnostics()["last_ksd_squared"];
    if (t == 0) first = last;
    monotone = monotone && last <= previous;
    previous = last;
  }
  CHECK(monotone);
  CHECK(last < 0.5 * first);

  Json large = fixed;
  large["step_size"] = 10.0;
  for (const auto& [name, params] : std::vector<std::pair<std::string, Json>>{
           {"ksd_descent", large}, {"coin_ksdd", fixed}}) {
    CAPTURE(name);
    auto descent = make_algorithm(name, params)
                       ->start(oracle, points_state(init), make_rng(1));
    for (int t = 0; t < 3000; ++t) descent->step();
    const Matrix x = descent->state().points;
    CHECK((x.colwise().mean().transpose() - mean).norm() < 0.01);
    CHECK(testing::max_abs(sample_covariance(x) - cov) < 0.3);
  }
}

}  // namespace vibench
