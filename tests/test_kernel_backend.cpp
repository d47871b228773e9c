// The native kernel backend (OpenBLAS products, Highway exp) against the
// portable one (Eigen) and against std::exp; the portable backend against
// the Eigen expressions it replaced, bit for bit; and the VIBENCH_KERNELS
// switch of the real program.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/samplers/stein_kernel.hpp"
#include "command_helpers.hpp"
#include "core/bracketed_keys.hpp"
#include "core/eigen_cache_sizes.hpp"
#include "core/elementwise_exp.hpp"
#include "core/elementwise_imq.hpp"
#include "core/kernel_backend.hpp"
#include "core/order_statistics.hpp"
#include "core/rng.hpp"
#include "core/symmetric_products.hpp"
#include "targets/models/logistic_model.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include <hwy/targets.h>

#include "native/vector_logistic.hpp"
#endif

using namespace vibench;
using namespace vibench::testing;

namespace {

// Distance in units in the last place between two finite doubles of the
// same sign (0 for equal values).
int64_t ulps_apart(double a, double b) {
  int64_t ia, ib;
  std::memcpy(&ia, &a, sizeof a);
  std::memcpy(&ib, &b, sizeof b);
  return ia > ib ? ia - ib : ib - ia;
}

double max_relative_difference(const Matrix& a, const Matrix& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

// Arguments of exp as the kernels make them (≤ 0), from 0 to past the
// underflow of exp at −745, through the subnormal results below −708, then
// the special values.
std::vector<double> exp_arguments() {
  std::vector<double> values;
  Rng rng(5);
  for (int i = 0; i < 3000; ++i) values.push_back(-800.0 * rng.uniform());
  for (int i = 0; i < 1000; ++i) values.push_back(-rng.uniform());
  for (int i = 0; i < 200; ++i) values.push_back(-708.0 - 37.0 * rng.uniform());
  for (double v :
       {0.0, -0.0, -1e-300, -1e-17, -709.78, -744.44, -745.2, -1000.0, -1e300})
    values.push_back(v);
  return values;
}

// fn() computed with the native backend, then with the portable one.
template <class Fn>
auto native_and_portable(Fn&& fn) {
  using Result = decltype(fn());
  std::pair<Result, Result> results;
  {
    const ScopedKernelBackend native(KernelBackend::native);
    results.first = fn();
  }
  {
    const ScopedKernelBackend portable(KernelBackend::portable);
    results.second = fn();
  }
  return results;
}

}  // namespace

TEST_CASE("kernel backend: native exp within 1 ulp of std::exp, NaN kept") {
  if (!native_kernels_built()) return;
  const ScopedKernelBackend native(KernelBackend::native);
  const std::vector<double> arguments = exp_arguments();
  // Every length up to two AVX-512 vectors and more, so that the tails go
  // through the same code as the full vectors.
  for (size_t length : {size_t{0}, size_t{1}, size_t{3}, size_t{7}, size_t{8},
                        size_t{9}, size_t{17}, arguments.size()}) {
    INFO("length " << length);
    std::vector<double> x(arguments.begin(), arguments.begin() + length);
    exp_scaled(x.data(), static_cast<Index>(length), 1.0);
    int64_t worst = 0;
    for (size_t i = 0; i < length; ++i)
      worst = std::max(worst, ulps_apart(x[i], std::exp(arguments[i])));
    CHECK(worst <= 1);
  }
  // exp(scale·x) multiplies first, as the rbf kernel does.
  std::vector<double> u = {0.5, 2.0, 37.0, 1e-3}, expected;
  for (double v : u) expected.push_back(std::exp(v * -0.25));
  exp_scaled(u.data(), 4, -0.25);
  for (size_t i = 0; i < u.size(); ++i)
    CHECK(ulps_apart(u[i], expected[i]) <= 1);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> special = {nan, -inf, 0.0, nan, 1.0, 2.0, nan, -3.0, nan};
  exp_scaled(special.data(), static_cast<Index>(special.size()), -1.0);
  CHECK(std::isnan(special[0]));
  CHECK(std::isinf(special[1]));  // exp(+inf)
  CHECK(special[2] == 1.0);
  CHECK(std::isnan(special[3]));
  CHECK(std::isnan(special[6]));
  CHECK(std::isnan(special[8]));

  // exp(−|z|) for both signs, NaN and infinities.
  std::vector<double> z = {-3.0, 3.0, 0.0, nan, inf, -inf, -0.5, 40.0, -700.0};
  std::vector<double> e(z.size());
  exp_negative_abs(z.data(), e.data(), static_cast<Index>(z.size()));
  for (size_t i = 0; i < z.size(); ++i) {
    INFO("z = " << z[i]);
    if (std::isnan(z[i]))
      CHECK(std::isnan(e[i]));
    else
      CHECK(ulps_apart(e[i], std::exp(-std::abs(z[i]))) <= 1);
  }
}

#ifdef VIBENCH_NATIVE_KERNELS
TEST_CASE("kernel backend: the native logistic step against a scalar one") {
  Rng rng(41);
  // Logits up to |z| = 800 (exp(−|z|) underflows), labels 0 and 1; every
  // length up to past two AVX-512 vectors, and past a run of the product
  // Π(1 + e) on any vector width.
  for (size_t length : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9},
                        size_t{17}, size_t{9001}}) {
    INFO("length " << length);
    std::vector<double> z(length), y(length);
    for (size_t r = 0; r < length; ++r) {
      z[r] = r % 50 == 0 ? 1600.0 * (rng.uniform() - 0.5) : 4.0 * rng.normal();
      y[r] = rng.uniform() < 0.5 ? 1.0 : 0.0;
    }
    long double expected_loglik = 0.0L;
    std::vector<long double> expected_residual(length);
    for (size_t r = 0; r < length; ++r) {
      const long double zr = z[r], e = std::exp(-std::fabs(zr));
      expected_loglik += y[r] * zr - (std::max(zr, 0.0L) + std::log1p(e));
      expected_residual[r] =
          (zr >= 0 ? 1.0L / (1.0L + e) : e / (1.0L + e)) - y[r];
    }
    const double loglik =
        logistic_loglik_and_residual_native(z.data(), y.data(), length);
    CHECK(loglik ==
          doctest::Approx(static_cast<double>(expected_loglik)).epsilon(1e-13));
    double worst = 0.0;
    for (size_t r = 0; r < length; ++r)
      worst = std::max(
          worst, static_cast<double>(std::fabs(z[r] - expected_residual[r])));
    CHECK(worst <= 4e-16);
  }
  // Each factor 1 + e is 2 at z = 0: 10⁵ rows would overflow one product
  // (2^100000), so this needs the runs.
  std::vector<double> zeros(100000, 0.0), labels(100000, 0.0);
  CHECK(logistic_loglik_and_residual_native(zeros.data(), labels.data(),
                                            zeros.size()) ==
        doctest::Approx(-100000.0 * std::log(2.0)).epsilon(1e-14));
  CHECK(zeros[99999] == 0.5);
  // A NaN logit: its residual and the sum are NaN, the others not.
  std::vector<double> z = {1.0, -2.0, std::numeric_limits<double>::quiet_NaN(),
                           0.5, 3.0,  -1.0,
                           2.0, 0.25, -0.75,
                           1.5};
  std::vector<double> y(z.size(), 1.0);
  CHECK(std::isnan(
      logistic_loglik_and_residual_native(z.data(), y.data(), z.size())));
  CHECK(std::isnan(z[2]));
  CHECK(std::isfinite(z[9]));
}
#endif

#ifdef VIBENCH_NATIVE_KERNELS
// Restores Highway's own choice of targets when it goes out of scope, also
// when a failed REQUIRE leaves the test early.
struct HighwayTargetsForTest {
  explicit HighwayTargetsForTest(std::int64_t targets) {
    hwy::SetSupportedTargetsForTest(targets);
  }
  ~HighwayTargetsForTest() { hwy::SetSupportedTargetsForTest(0); }
  HighwayTargetsForTest(const HighwayTargetsForTest&) = delete;
  HighwayTargetsForTest& operator=(const HighwayTargetsForTest&) = delete;
};

TEST_CASE("kernel backend: both backends keep the same bracketed keys") {
  // Values on both sides of the bracket and on its two ends, their
  // neighbours one ulp away, −0, +∞, NaN and subnormals; every length up to
  // past two AVX-512 vectors, and a long one; the bracket [2, 3], and the
  // whole range (PairwiseMedian without a sample keeps every key).
  const double low_value = 2.0, high_value = 3.0;
  const std::vector<double> special = {
      low_value,
      high_value,
      std::nextafter(low_value, 0.0),
      std::nextafter(high_value, 4.0),
      -0.0,
      0.0,
      -2.5,  // its key is 2.5's: inside
      std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::denorm_min()};
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  Rng rng(43);
  for (const auto& [low, width] :
       {std::pair{order_key(low_value),
                  order_key(high_value) - order_key(low_value)},
        std::pair{std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max()}})
    for (size_t length : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9},
                          size_t{17}, size_t{1000}}) {
      INFO("length " << length << ", bracket width " << width);
      std::vector<double> values(length);
      for (size_t v = 0; v < length; ++v)
        values[v] = v % 3 == 0 ? special[(v / 3) % special.size()]
                               : 5.0 * rng.uniform();
      // The definition, written out: keys below, and keys inside in order.
      std::uint64_t expected_below = 7;  // added to, not replaced
      std::vector<std::uint64_t> expected_kept;
      for (double value : values) {
        const std::uint64_t key = order_key(value);
        if (key < low) ++expected_below;
        if (key >= low && key - low <= width) expected_kept.push_back(key);
      }
      const auto check = [&](const std::string& what) {
        INFO(what);
        // Three keys already taken, which stay, and eight slots past the
        // n it may write, which stay too.
        std::vector<std::uint64_t> kept(3 + length + 8, 99);
        std::uint64_t below = 7;
        const std::size_t taken = keep_bracketed_keys(
            values.data(), length, low, width, kept.data(), 3, below);
        CHECK(below == expected_below);
        REQUIRE(taken == 3 + expected_kept.size());
        CHECK(kept[0] == 99);
        CHECK(kept[2] == 99);
        CHECK(std::equal(expected_kept.begin(), expected_kept.end(),
                         kept.begin() + 3));
        CHECK(std::all_of(kept.begin() + 3 + length, kept.end(),
                          [](std::uint64_t k) { return k == 99; }));
      };
      {
        ScopedKernelBackend portable(KernelBackend::portable);
        check("portable");
      }
      // The native kernel on every vector target this CPU runs, not only
      // the one the dispatch picks (AVX-512, AVX2, SSE4, ... as available).
      ScopedKernelBackend native(KernelBackend::native);
      for (const std::int64_t target : targets) {
        HighwayTargetsForTest only(target);
        check(hwy::TargetName(target));
      }
    }
}
#endif

TEST_CASE("kernel backend: Eigen's cache sizes are pinned, not the CPU's") {
  // Its products' summation order follows them (core/eigen_cache_sizes.hpp);
  // the svgd_blr claim test re-runs pima cells bit for bit on any CPU.
  CHECK(Eigen::l1CacheSize() == kEigenL1CacheBytes);
  CHECK(Eigen::l2CacheSize() == kEigenL2CacheBytes);
  CHECK(Eigen::l3CacheSize() == kEigenL3CacheBytes);
}

TEST_CASE("kernel backend: portable exp is Eigen's expression bit for bit") {
  const ScopedKernelBackend portable(KernelBackend::portable);
  Rng rng(9);
  const Matrix u = rng.normal_matrix(37, 37).cwiseAbs() * 20.0;
  // The columns' tails from every offset, as the SVGD kernel visits them
  // (so every alignment of the first element).
  for (Index j = 0; j < u.cols(); ++j) {
    Matrix ours = u, theirs = u;
    exp_scaled(ours.col(j).data() + j, u.rows() - j, -0.7);
    auto column = theirs.col(j).tail(u.rows() - j).array();
    column = (column * -0.7).exp();
    CHECK(ours == theirs);
  }
  Eigen::ArrayXXd z = rng.normal_matrix(101, 3).array() * 5.0;
  Eigen::ArrayXXd e(101, 3);
  exp_negative_abs(z.data(), e.data(), z.size());
  const Eigen::ArrayXXd expected = (-z.abs()).exp();
  CHECK((e == expected).all());
}

TEST_CASE("kernel backend: the IMQ step is the same bits in both backends") {
  if (!native_kernels_built()) return;
  Rng rng(17);
  // Squared distances, 0 among them, at every length up to two AVX-512
  // vectors and beyond (the tails), for β = −½ (vectorized natively) and
  // another β (Eigen's pow in both).
  for (const double beta : {-0.5, -0.3}) {
    for (const Index n : {Index{0}, Index{1}, Index{5}, Index{8}, Index{9},
                          Index{17}, Index{1000}}) {
      Vector u = rng.normal_matrix(n, 1).col(0).cwiseAbs() * 30.0;
      if (n > 2) u(2) = 0.0;
      const auto [native, portable] = native_and_portable([&] {
        std::pair<Vector, Vector> derivative_and_kernel{u, Vector(n)};
        imq_kernel_and_derivative(derivative_and_kernel.first.data(),
                                  derivative_and_kernel.second.data(), n, 0.37,
                                  0.49, beta);
        return derivative_and_kernel;
      });
      INFO("beta " << beta << ", n " << n);
      CHECK(native.first == portable.first);
      CHECK(native.second == portable.second);
      // Against the formula, element by element.
      for (Index i = 0; i < n; ++i) {
        const double base = 0.49 + u(i) * 0.37;
        CHECK(portable.second(i) ==
              doctest::Approx(std::pow(base, beta)).epsilon(1e-15));
        CHECK(
            portable.first(i) ==
            doctest::Approx(beta * std::pow(base, beta - 1.0)).epsilon(1e-15));
      }
    }
  }
}

TEST_CASE("kernel backend: native products agree with Eigen's") {
  if (!native_kernels_built()) return;
  Rng rng(21);
  for (const auto& shape : {std::pair<Index, Index>{1, 1},
                            {5, 3},
                            {300, 2},
                            {513, 51},
                            {40, 120}}) {
    // Named copies: clang 14 cannot capture structured bindings.
    const Index n = shape.first, d = shape.second;
    INFO("n = " << n << ", d = " << d);
    const Matrix x = rng.normal_matrix(n, d), b = rng.normal_matrix(n, d + 1);
    // −2 X Xᵀ's lower triangle over a matrix of 7s, then the symmetric
    // product it stands for.
    const auto [native, portable] = native_and_portable([&] {
      LowerRankUpdate rank_update;
      SymmetricTimes times;
      std::pair<Matrix, Matrix> gram_and_times;
      auto& [gram, product] = gram_and_times;
      gram = Matrix::Constant(n, n, 7.0);
      rank_update(x, -2.0, gram);
      times(gram, b, product);
      return gram_and_times;
    });
    const auto& [native_gram, native_times] = native;
    const auto& [portable_gram, portable_times] = portable;
    // The lower triangles: the products' own rounding apart; the strict
    // upper triangle untouched by both.
    const Matrix native_lower =
        native_gram.triangularView<Eigen::Lower>().toDenseMatrix();
    const Matrix portable_lower =
        portable_gram.triangularView<Eigen::Lower>().toDenseMatrix();
    CHECK(max_relative_difference(native_lower, portable_lower) < 1e-14);
    CHECK(native_gram.triangularView<Eigen::StrictlyUpper>().toDenseMatrix() ==
          portable_gram.triangularView<Eigen::StrictlyUpper>().toDenseMatrix());
    CHECK(max_relative_difference(native_times, portable_times) < 1e-13);
  }
}

TEST_CASE("kernel backend: SVGD directions and logistic gradients agree") {
  if (!native_kernels_built()) return;
  Rng rng(33);
  const Matrix x = rng.normal_matrix(257, 6), score = rng.normal_matrix(257, 6);
  for (KernelType type : {KernelType::rbf, KernelType::imq}) {
    KernelConfig config;
    config.type = type;
    const auto [native, portable] = native_and_portable([&] {
      SteinDirection direction(config);
      std::pair<double, Matrix> h_and_phi;
      h_and_phi.first = direction.compute(x, score, h_and_phi.second);
      return h_and_phi;
    });
    const auto& [native_h, native_phi] = native;
    const auto& [portable_h, portable_phi] = portable;
    INFO("kernel " << to_string(type));
    CHECK(native_h == doctest::Approx(portable_h).epsilon(1e-13));
    CHECK(max_relative_difference(native_phi, portable_phi) < 1e-11);
  }

  // Several blocks of rows, several points and one point (the matrix–
  // vector path, the same product in both backends; the element-wise step
  // is each backend's own).
  const RowMatrix data = rng.normal_matrix(5000, 7);
  Vector labels(5000);
  for (Index r = 0; r < labels.size(); ++r)
    labels(r) = rng.uniform() < 0.5 ? 1.0 : 0.0;
  for (Index points : {Index{1}, Index{4}}) {
    const Matrix w = 0.3 * rng.normal_matrix(points, 7);
    const auto [native, portable] = native_and_portable([&] {
      std::pair<Vector, Matrix> loglik_and_grad;
      logistic::log_likelihood_grad(data, labels, w, loglik_and_grad.first,
                                    loglik_and_grad.second);
      return loglik_and_grad;
    });
    INFO(points << " points");
    CHECK(max_relative_difference(native.first, portable.first) < 1e-12);
    CHECK(max_relative_difference(native.second, portable.second) < 1e-11);
    const Matrix v = rng.normal_matrix(points, 7);
    const auto [native_hv, portable_hv] = native_and_portable(
        [&] { return logistic::log_likelihood_hessian_vector(data, w, v); });
    CHECK(max_relative_difference(native_hv, portable_hv) < 1e-11);
  }
}

TEST_CASE("kernel backend: VIBENCH_KERNELS chooses, a bad value is refused") {
  const auto dir = temp_dir("kernel_backend_switch");
  const auto bad = shell_command(
      "VIBENCH_KERNELS=portabel " + std::string(VIBENCH_EXECUTABLE) + " list",
      dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("VIBENCH_KERNELS") != std::string::npos);
  CHECK(bad.err.find("did you mean 'portable'") != std::string::npos);

  // The backend is recorded in the results' context.
  const std::string suite = (dir / "suite.json").string();
  write_file(suite, R"({"name": "switch", "tasks": [{"name": "gaussian",
    "params": {"dim": 2}}], "algorithms": [{"name": "svgd", "params":
    {"n_particles": 20}}], "seeds": 1, "budget": {"max_iterations": 5},
    "checkpoints": {"log_spaced": 2}, "reference_draws": 100,
    "metrics": ["mean_error"]})");
  for (const char* backend : {"portable", "native"}) {
    if (std::string(backend) == "native" && !native_kernels_built()) continue;
    const std::string out = (dir / (std::string(backend) + ".json")).string();
    const auto run = shell_command(std::string("VIBENCH_KERNELS=") + backend +
                                       " " + VIBENCH_EXECUTABLE + " run " +
                                       suite + " -q -o " + out,
                                   dir);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(read_json(out)["context"]["kernels"]["backend"] == backend);
  }
}
