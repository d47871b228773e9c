// Metrics: each is checked against a closed form or an independent
// computation (naive loops over pairs written here, sorted-sum identities,
// hand-computed values on small hand-made tasks).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metric.hpp"
#include "metrics/pairwise.hpp"
#include "metrics/sample_discrepancy.hpp"
#include "task_cases.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/distribution.hpp"
#include "tasks/objective.hpp"
#include "tasks/saddle_point.hpp"

using namespace vibench;

namespace {

// ---------------------------------------------------------------- helpers

const MetricEntry& metric(const std::string& name) {
  const MetricEntry* entry = MetricRegistry::instance().find(name);
  REQUIRE_MESSAGE(entry != nullptr, "metric '" << name << "' not registered");
  return *entry;
}

double compute(const std::string& name, const Task& task, const State& state,
               const Matrix& reference = Matrix(),
               const Json& settings = Json::object()) {
  const MetricEntry& entry = metric(name);
  const Params params(validate_params(settings, entry.settings, "", name));
  return entry.compute(MetricContext{task, state, reference, params});
}

State points_state(const Matrix& points) {
  State state;
  state.points = points;
  return state;
}

Matrix rows(std::initializer_list<std::initializer_list<double>> values) {
  Matrix m(values.size(), values.begin()->size());
  Index i = 0;
  for (const auto& row : values) {
    Index j = 0;
    for (double v : row) m(i, j++) = v;
    ++i;
  }
  return m;
}

// ---------------------------------------------------- hand-made test tasks

// N(μ, Σ): score −Σ⁻¹(x − μ), exact draws and moments.
class TestGaussian : public Distribution {
 public:
  TestGaussian(Vector mean, Matrix cov)
      : mean_(std::move(mean)), cov_(std::move(cov)), llt_(cov_) {}
  explicit TestGaussian(Index d)
      : TestGaussian(Vector::Zero(d), Matrix::Identity(d, d)) {}
  Index dim() const override { return mean_.size(); }
  Capabilities capabilities() const override {
    return {Capability::exact_draws, Capability::moments};
  }
  void log_prob_grad(const Matrix& x, Vector& logp,
                     Matrix& grad) const override {
    const Matrix centered = x.rowwise() - mean_.transpose();
    grad = -llt_.solve(centered.transpose()).transpose();
    logp = 0.5 * (centered.cwiseProduct(grad)).rowwise().sum();
  }
  Matrix sample(Index n, Rng& rng) const override {
    Matrix z = rng.normal_matrix(n, dim()) * Matrix(llt_.matrixU());
    return z.rowwise() + mean_.transpose();
  }
  Vector mean() const override { return mean_; }
  Matrix covariance() const override { return cov_; }

 private:
  Vector mean_;
  Matrix cov_;
  Eigen::LLT<Matrix> llt_;
};

// f(x) = ½(x − c)ᵀ diag(1, 4)(x − c) + 2, c = (1, −1): f* = 2, x* = c.
class TestQuadratic : public Objective {
 public:
  Index dim() const override { return 2; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value};
  }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    const Matrix centered = x.rowwise() - center().transpose();
    grad = centered * Vector(Eigen::Vector2d(1.0, 4.0)).asDiagonal();
    f = (0.5 * centered.cwiseProduct(grad).rowwise().sum()).array() + 2.0;
  }
  double optimal_value() const override { return 2.0; }
  Vector optimum() const override { return center(); }
  static Vector center() { return Eigen::Vector2d(1.0, -1.0); }
};

// L(x, y) = (x − a)ᵀM(y − b), M = [[1, 2], [0, 3]], a = (1, 0), b = (0, −1):
// F(z) = (M(y − b), −Mᵀ(x − a)), z* = (a, b).
class TestBilinear : public SaddlePoint {
 public:
  Index dim_x() const override { return 2; }
  Index dim_y() const override { return 2; }
  Capabilities capabilities() const override { return {Capability::optimum}; }
  Matrix operator_value(const Matrix& z) const override {
    const Matrix dx = z.leftCols(2).rowwise() - a().transpose();
    const Matrix dy = z.rightCols(2).rowwise() - b().transpose();
    Matrix out(z.rows(), 4);
    out.leftCols(2) = dy * m().transpose();
    out.rightCols(2) = -dx * m();
    return out;
  }
  Vector value(const Matrix& z) const override {
    const Matrix dx = z.leftCols(2).rowwise() - a().transpose();
    const Matrix dy = z.rightCols(2).rowwise() - b().transpose();
    return (dx * m()).cwiseProduct(dy).rowwise().sum();
  }
  Vector solution() const override {
    Vector z(4);
    z << a(), b();
    return z;
  }

 private:
  static Matrix m() { return rows({{1, 2}, {0, 3}}); }
  static Vector a() { return Eigen::Vector2d(1.0, 0.0); }
  static Vector b() { return Eigen::Vector2d(0.0, -1.0); }
};

// The §7.7 quadratic toy with dim_x = 1, dim_y = 2: g = ½yᵀAy − yᵀBx,
// f = ½‖y − y_t‖² + ½μx², A = diag(2, 4), B = (2, 4)ᵀ, y_t = (1, 2),
// μ = 0.5. Then y*(x) = (x, x), ∇F(x) = 2.5x − 3 and x* = 1.2.
class TestBilevel : public Bilevel {
 public:
  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 2; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::hypergradient,
            Capability::error_rates};
  }
  // A stand-in classifier: row i errs on a quarter of the validation rows
  // when y_i0 > 0 and on three quarters otherwise; twice that on test rows
  // is capped at 1.
  Vector error_rate(const Matrix&, const Matrix& y,
                    Split split) const override {
    Vector out(y.rows());
    for (Index i = 0; i < y.rows(); ++i)
      out(i) = (y(i, 0) > 0 ? 0.25 : 0.75) * (split == Split::test ? 2 : 1);
    return out.cwiseMin(1.0);
  }
  Vector outer_value(const Matrix& x, const Matrix& y) const override {
    return 0.5 * (y.rowwise() - yt()).rowwise().squaredNorm() +
           0.25 * x.rowwise().squaredNorm();
  }
  void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                  Matrix& fy) const override {
    fx = 0.5 * x;
    fy = y.rowwise() - yt();
  }
  Vector inner_value(const Matrix& x, const Matrix& y) const override {
    return 0.5 * (y * a()).cwiseProduct(y).rowwise().sum() -
           (y * b()).cwiseProduct(x).rowwise().sum();
  }
  void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                  Matrix& gy) const override {
    gx = -y * b();
    gy = y * a() - x * b().transpose();
  }
  // y* = A⁻¹Bx, computed by a solve (not from the closed form above).
  Matrix inner_solution(const Matrix& x) const override {
    return a().ldlt().solve(b() * x.transpose()).transpose();
  }
  // ∇F = BᵀA⁻¹(y* − y_t) + μx.
  Matrix hypergradient(const Matrix& x) const override {
    const Matrix residual =
        (inner_solution(x).rowwise() - yt()).transpose();  // 2×n
    return (b().transpose() * a().ldlt().solve(residual)).transpose() + 0.5 * x;
  }
  Vector optimum() const override { return Vector::Constant(1, 1.2); }

 private:
  static Matrix a() { return rows({{2, 0}, {0, 4}}); }
  static Matrix b() { return rows({{2}, {4}}); }
  static RowVector yt() { return Eigen::RowVector2d(1.0, 2.0); }
};

// ------------------------------------------------ naive reference formulas

double naive_mean_distance(const Matrix& x, const Matrix& y, bool skip_diag) {
  double sum = 0.0;
  long count = 0;
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < y.rows(); ++j) {
      if (skip_diag && i == j) continue;
      sum += (x.row(i) - y.row(j)).norm();
      ++count;
    }
  return sum / static_cast<double>(count);
}

double naive_energy(const Matrix& x, const Matrix& y, bool u) {
  return 2.0 * naive_mean_distance(x, y, false) - naive_mean_distance(x, x, u) -
         naive_mean_distance(y, y, u);
}

double naive_mean_rbf(const Matrix& x, const Matrix& y, double h,
                      bool skip_diag) {
  double sum = 0.0;
  long count = 0;
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < y.rows(); ++j) {
      if (skip_diag && i == j) continue;
      sum += std::exp(-(x.row(i) - y.row(j)).squaredNorm() / (2.0 * h * h));
      ++count;
    }
  return sum / static_cast<double>(count);
}

double naive_mmd2(const Matrix& x, const Matrix& y, double h, bool u) {
  return naive_mean_rbf(x, x, h, u) + naive_mean_rbf(y, y, h, u) -
         2.0 * naive_mean_rbf(x, y, h, false);
}

// The IMQ Stein kernel, term by term from its definition.
double naive_ksd2(const Matrix& x, const Matrix& s, double c, double beta,
                  bool u) {
  const Index n = x.rows();
  const double d = static_cast<double>(x.cols());
  double sum = 0.0;
  long count = 0;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) {
      if (u && i == j) continue;
      const Vector diff = (x.row(i) - x.row(j)).transpose();
      const double r2 = diff.squaredNorm();
      const double base = c * c + r2;
      const double k = std::pow(base, beta);
      const Vector grad_x = 2.0 * beta * diff * std::pow(base, beta - 1.0);
      const Vector grad_y = -grad_x;
      const double trace =
          -2.0 * beta * d * std::pow(base, beta - 1.0) -
          4.0 * beta * (beta - 1.0) * r2 * std::pow(base, beta - 2.0);
      const Vector si = s.row(i).transpose(), sj = s.row(j).transpose();
      sum += si.dot(sj) * k + si.dot(grad_y) + sj.dot(grad_x) + trace;
      ++count;
    }
  return sum / static_cast<double>(count);
}

// Σ_{i<j} |z_i − z_j| in 1-D by the sorted-sum identity Σ_k (2k − n − 1) z_(k).
double sorted_pair_sum(const Vector& z) {
  std::vector<double> v(z.data(), z.data() + z.size());
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  double sum = 0.0;
  for (size_t k = 1; k <= v.size(); ++k)
    sum += (2.0 * static_cast<double>(k) - n - 1.0) * v[k - 1];
  return sum;
}

// Median of ‖z_i − z_j‖² over i < j, by sorting a list built from loops.
double naive_median_sq_distance(const Matrix& z) {
  std::vector<double> v;
  for (Index i = 0; i < z.rows(); ++i)
    for (Index j = i + 1; j < z.rows(); ++j)
      v.push_back((z.row(i) - z.row(j)).squaredNorm());
  std::sort(v.begin(), v.end());
  const size_t m = v.size();
  return m % 2 == 1 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

}  // namespace

// ------------------------------------------------------------------ tests

TEST_CASE("metrics: pairwise self distances match a naive loop") {
  Rng rng = make_rng(11);
  const Matrix x = (rng.normal_matrix(9, 4).array() + 3.0).matrix();
  const Matrix d = squared_distances(x);
  const Matrix cross = squared_distances(x, x);
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < x.rows(); ++j) {
      const double expected = (x.row(i) - x.row(j)).squaredNorm();
      CHECK(d(i, j) == doctest::Approx(expected).epsilon(1e-12));
      CHECK(cross(i, j) == doctest::Approx(expected).epsilon(1e-10));
      CHECK(d(i, j) == d(j, i));
    }
  CHECK(d.diagonal().cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("metrics: energy distance equals a naive double loop") {
  Rng rng = make_rng(1);
  const Matrix x = rng.normal_matrix(7, 3);
  const Matrix y = (rng.normal_matrix(5, 3).array() + 0.8).matrix();
  CHECK(energy_distance(x, y, Statistic::v) ==
        doctest::Approx(naive_energy(x, y, false)).epsilon(1e-12));
  CHECK(energy_distance(x, y, Statistic::u) ==
        doctest::Approx(naive_energy(x, y, true)).epsilon(1e-12));
  // The two statistics differ on small sets, so the test tells them apart.
  CHECK(std::abs(naive_energy(x, y, false) - naive_energy(x, y, true)) > 1e-3);

  // The registered metric: particles = state.points, y = reference draws.
  const TestGaussian task(3);
  const State state = points_state(x);
  CHECK(compute("energy_distance", task, state, y) ==
        doctest::Approx(naive_energy(x, y, false)).epsilon(1e-12));
  CHECK(compute("energy_distance", task, state, y, {{"statistic", "u"}}) ==
        doctest::Approx(naive_energy(x, y, true)).epsilon(1e-12));
  CHECK_THROWS_AS(energy_distance(x.topRows(1), y, Statistic::u),
                  std::invalid_argument);
  CHECK_THROWS_AS(energy_distance(x, y.leftCols(2)), std::invalid_argument);
}

TEST_CASE("metrics: energy distance in 1-D matches the sorted-sum identity") {
  Rng rng = make_rng(2);
  const Index n = 40, m = 25;
  const Vector x = rng.normal_vector(n);
  const Vector y = (rng.normal_vector(m).array() * 1.5 + 0.3).matrix();
  Vector pooled(n + m);
  pooled << x, y;
  // Σ_{i<j} over the pooled set = within-x + within-y + all cross pairs.
  const double sxx = sorted_pair_sum(x), syy = sorted_pair_sum(y);
  const double sxy = sorted_pair_sum(pooled) - sxx - syy;
  const double nn = static_cast<double>(n), mm = static_cast<double>(m);
  const double v_stat =
      2.0 * sxy / (nn * mm) - 2.0 * sxx / (nn * nn) - 2.0 * syy / (mm * mm);
  const double u_stat = 2.0 * sxy / (nn * mm) - 2.0 * sxx / (nn * (nn - 1)) -
                        2.0 * syy / (mm * (mm - 1));
  CHECK(energy_distance(x, y, Statistic::v) ==
        doctest::Approx(v_stat).epsilon(1e-11));
  CHECK(energy_distance(x, y, Statistic::u) ==
        doctest::Approx(u_stat).epsilon(1e-11));
}

TEST_CASE("metrics: energy distance of a set with itself is 0 (V-statistic)") {
  Rng rng = make_rng(3);
  const Matrix x = (rng.normal_matrix(30, 4).array() + 5.0).matrix();
  CHECK(std::abs(energy_distance(x, x, Statistic::v)) < 1e-9);
  // The U-statistic of identical sets is not 0: it drops the diagonals.
  CHECK(energy_distance(x, x, Statistic::u) < -1e-3);
  // A shifted copy is far from 0.
  CHECK(energy_distance(x, (x.array() + 1.0).matrix()) > 0.1);
}

TEST_CASE("metrics: MMD equals a naive loop with a fixed bandwidth") {
  Rng rng = make_rng(4);
  const Matrix x = rng.normal_matrix(8, 2);
  const Matrix y = (rng.normal_matrix(6, 2).array() + 0.5).matrix();
  const double h = 0.7;
  CHECK(mmd_squared(x, y, h, Statistic::u) ==
        doctest::Approx(naive_mmd2(x, y, h, true)).epsilon(1e-12));
  CHECK(mmd_squared(x, y, h, Statistic::v) ==
        doctest::Approx(naive_mmd2(x, y, h, false)).epsilon(1e-12));
  CHECK(std::abs(naive_mmd2(x, y, h, true) - naive_mmd2(x, y, h, false)) >
        1e-3);

  const TestGaussian task(2);
  const State state = points_state(x);
  CHECK(compute("mmd2", task, state, y, {{"bandwidth", h}}) ==
        doctest::Approx(naive_mmd2(x, y, h, true)).epsilon(1e-12));
  CHECK(
      compute("mmd2", task, state, y, {{"bandwidth", h}, {"statistic", "v"}}) ==
      doctest::Approx(naive_mmd2(x, y, h, false)).epsilon(1e-12));
  CHECK_THROWS_AS(mmd_squared(x, y, 0.0), std::invalid_argument);
}

TEST_CASE("metrics: MMD median bandwidth is h² = median pooled r² / 2") {
  Rng rng = make_rng(5);
  const TestGaussian task(3);
  // 9 pooled points: 36 pairs (even count); 7 pooled points: 21 (odd).
  for (const auto& sizes :
       std::vector<std::pair<Index, Index>>{{5, 4}, {4, 3}}) {
    const Index n = sizes.first, m = sizes.second;
    CAPTURE(n);
    const Matrix x = rng.normal_matrix(n, 3);
    const Matrix y = (rng.normal_matrix(m, 3).array() * 2.0).matrix();
    Matrix pooled(n + m, 3);
    pooled << x, y;
    const double h = std::sqrt(naive_median_sq_distance(pooled) / 2.0);
    CHECK(mmd_median_bandwidth(x, y) == doctest::Approx(h).epsilon(1e-12));
    // The registered metric uses it when no bandwidth is given.
    CHECK(compute("mmd2", task, points_state(x), y) ==
          doctest::Approx(naive_mmd2(x, y, h, true)).epsilon(1e-11));
  }
}

TEST_CASE("metrics: KSD of one point under N(0, I) is sqrt(‖x‖² + d)") {
  // n = 1, V-statistic, c = 1, β = −1/2: k(x, x) = 1, the gradient terms
  // vanish and the trace term is −2βd = d, while s = −x gives s·s = ‖x‖².
  const Vector x = Eigen::Vector3d(0.5, -1.0, 2.0);
  const Matrix points = x.transpose();
  CHECK(ksd_squared(points, -points) ==
        doctest::Approx(x.squaredNorm() + 3.0).epsilon(1e-14));
  const TestGaussian task(3);
  CHECK(compute("ksd", task, points_state(points)) ==
        doctest::Approx(std::sqrt(x.squaredNorm() + 3.0)).epsilon(1e-14));
}

TEST_CASE("metrics: KSD equals a naive loop over the Stein kernel") {
  Rng rng = make_rng(6);
  const Matrix x = rng.normal_matrix(6, 3);
  const Matrix s = rng.normal_matrix(6, 3);  // arbitrary scores
  for (const auto& kernel : std::vector<std::pair<double, double>>{
           {1.0, -0.5}, {1.3, -0.7}, {0.5, -1.5}}) {
    const double c = kernel.first, beta = kernel.second;
    CAPTURE(c);
    CAPTURE(beta);
    CHECK(ksd_squared(x, s, c, beta, Statistic::v) ==
          doctest::Approx(naive_ksd2(x, s, c, beta, false)).epsilon(1e-11));
    CHECK(ksd_squared(x, s, c, beta, Statistic::u) ==
          doctest::Approx(naive_ksd2(x, s, c, beta, true)).epsilon(1e-11));
  }

  // Through the registry, the score comes from the task.
  Matrix cov(3, 3);
  cov << 2.0, 0.3, 0.0, 0.3, 1.0, -0.2, 0.0, -0.2, 0.5;
  const TestGaussian task(Eigen::Vector3d(0.5, -0.5, 1.0), cov);
  Vector logp;
  Matrix score;
  task.log_prob_grad(x, logp, score);
  const State state = points_state(x);
  CHECK(compute("ksd", task, state) ==
        doctest::Approx(std::sqrt(naive_ksd2(x, score, 1.0, -0.5, false)))
            .epsilon(1e-11));
  CHECK(compute("ksd", task, state, Matrix(),
                {{"c", 1.3}, {"beta", -0.7}, {"statistic", "u"}}) ==
        doctest::Approx(
            std::sqrt(std::max(naive_ksd2(x, score, 1.3, -0.7, true), 0.0)))
            .epsilon(1e-11));
  CHECK_THROWS(compute("ksd", task, state, Matrix(), {{"beta", 0.0}}));
}

TEST_CASE("metrics: KSD is small for exact draws and large for shifted ones") {
  Rng rng = make_rng(7);
  const TestGaussian task(2);
  const Matrix exact = task.sample(400, rng);
  const Matrix shifted = (exact.array() + 1.0).matrix();
  const double ksd_exact = compute("ksd", task, points_state(exact));
  const double ksd_shifted = compute("ksd", task, points_state(shifted));
  MESSAGE("KSD exact " << ksd_exact << ", shifted " << ksd_shifted);
  CHECK(ksd_exact < 0.15);
  CHECK(ksd_shifted > 0.5);
  // The U-statistic of exact draws is centred at 0.
  Vector logp;
  Matrix score;
  task.log_prob_grad(exact, logp, score);
  CHECK(std::abs(ksd_squared(exact, score, 1.0, -0.5, Statistic::u)) < 0.01);
}

TEST_CASE("metrics: mean and covariance error against hand-computed values") {
  Matrix cov(2, 2);
  cov << 2.0, 0.5, 0.5, 1.0;
  const TestGaussian task(Eigen::Vector2d(1.0, -1.0), cov);
  // Sample mean (1.5, 1); centred rows (−1.5,−1), (0.5,−1), (−0.5,2), (1.5,0)
  // give Σ̂ = [[5/3, 0], [0, 2]] with the 1/(n − 1) divisor.
  const State state = points_state(rows({{0, 0}, {2, 0}, {1, 3}, {3, 1}}));
  CHECK(compute("mean_error", task, state) ==
        doctest::Approx(std::sqrt(0.25 + 4.0)).epsilon(1e-14));
  // Σ̂ − Σ = [[−1/3, −1/2], [−1/2, 1]]; ‖Σ‖²_F = 4 + 1/4 + 1/4 + 1.
  CHECK(
      compute("covariance_error", task, state) ==
      doctest::Approx(std::sqrt((1.0 / 9.0 + 0.5 + 1.0) / 5.5)).epsilon(1e-14));
  CHECK_THROWS_AS(
      compute("covariance_error", task, points_state(rows({{1, 2}}))),
      std::runtime_error);
}

TEST_CASE("metrics: objective metrics on a hand-made quadratic") {
  const TestQuadratic task;
  // Rows x* + (3, 4) and x* + (0, 0.5): f − f* = ½(9 + 4·16) = 36.5 and
  // ½·4·0.25 = 0.5; ∇f = (3, 16) and (0, 2); ‖x − x*‖ = 5 and 0.5.
  const State state = points_state(rows({{4, 3}, {1, -0.5}}));
  CHECK(compute("suboptimality", task, state) ==
        doctest::Approx((36.5 + 0.5) / 2).epsilon(1e-14));
  CHECK(compute("grad_norm", task, state) ==
        doctest::Approx((std::sqrt(265.0) + 2.0) / 2).epsilon(1e-14));
  CHECK(compute("distance_to_optimum", task, state) ==
        doctest::Approx((5.0 + 0.5) / 2).epsilon(1e-14));
  // At the optimum all three vanish.
  const State at_opt = points_state(rows({{1, -1}}));
  CHECK(compute("suboptimality", task, at_opt) == doctest::Approx(0.0));
  CHECK(compute("grad_norm", task, at_opt) == doctest::Approx(0.0));
  CHECK(compute("distance_to_optimum", task, at_opt) == doctest::Approx(0.0));
}

TEST_CASE("metrics: saddle metrics on a hand-made bilinear game") {
  const TestBilinear task;
  // z1: x − a = (1, 0), y − b = 0: F = (0, 0, −1, −2), ‖z − z*‖ = 1.
  // z2: x − a = 0, y − b = (1, 2): F = (5, 6, 0, 0), ‖z − z*‖ = √5.
  const State state = points_state(rows({{2, 0, 0, -1}, {1, 0, 1, 1}}));
  CHECK(compute("operator_norm", task, state) ==
        doctest::Approx((std::sqrt(5.0) + std::sqrt(61.0)) / 2).epsilon(1e-14));
  CHECK(compute("distance_to_solution", task, state) ==
        doctest::Approx((1.0 + std::sqrt(5.0)) / 2).epsilon(1e-14));
}

TEST_CASE("metrics: bilevel metrics on the quadratic toy") {
  const TestBilevel task;
  // x = 2: ∇F = 2, y* = (2, 2); x = 0: ∇F = −3, y* = (0, 0); x* = 1.2.
  State state = points_state(rows({{2}, {0}}));
  state.inner = rows({{2, 5}, {0.3, -0.4}});  // gaps 3 and 0.5
  state.hypergradient = rows({{2.5}, {-3}});  // errors 0.5 and 0
  CHECK(compute("hypergradient_error", task, state) ==
        doctest::Approx(0.25).epsilon(1e-14));
  CHECK(compute("hypergradient_norm", task, state) ==
        doctest::Approx(2.5).epsilon(1e-14));
  CHECK(compute("inner_gap", task, state) ==
        doctest::Approx(1.75).epsilon(1e-14));
  CHECK(compute("distance_to_optimum", task, state) ==
        doctest::Approx((0.8 + 1.2) / 2).epsilon(1e-14));
  // ‖∇F‖² = 4 and 9; F(x) = f(x, y*(x)) = ½‖(1, 0)‖² + ¼·4 = 1.5 at x = 2
  // and ½‖(1, 2)‖² = 2.5 at x = 0, whatever the state's own y.
  CHECK(compute("hypergradient_norm_squared", task, state) ==
        doctest::Approx(6.5).epsilon(1e-14));
  CHECK(compute("outer_objective", task, state) ==
        doctest::Approx(2.0).epsilon(1e-14));
  // y_0 = 2 > 0 and 0.3 > 0: a quarter on validation rows, half on test.
  CHECK(compute("validation_error_rate", task, state) == 0.25);
  CHECK(compute("test_error_rate", task, state) == 0.5);

  State no_estimate = points_state(rows({{2}}));
  // No estimate (an external algorithm before its first step): undefined,
  // NaN, which the runner records as null; a wrong-sized one is an error.
  CHECK(std::isnan(compute("hypergradient_error", task, no_estimate)));
  CHECK(metric("hypergradient_error").nan_when_undefined);
  State wrong_estimate = no_estimate;
  wrong_estimate.inner = rows({{0.0}});
  wrong_estimate.hypergradient = rows({{1.0, 2.0, 3.0}});
  CHECK_THROWS_AS(compute("hypergradient_error", task, wrong_estimate),
                  std::runtime_error);
  // A NaN estimate is a failure, +inf (diverged), not an undefined value.
  State nan_estimate = no_estimate;
  nan_estimate.inner = rows({{0.0}});
  nan_estimate.hypergradient =
      rows({{std::numeric_limits<double>::quiet_NaN()}});
  CHECK(std::isinf(compute("hypergradient_error", task, nan_estimate)));
  CHECK_THROWS_AS(compute("inner_gap", task, no_estimate), std::runtime_error);
}

TEST_CASE("metrics: registry entries declare kinds, needs and settings") {
  const auto kinds_of = [](const char* name) { return metric(name).kinds; };
  using K = TaskKind;
  for (const char* name :
       {"energy_distance", "mmd2", "ksd", "mean_error", "covariance_error"})
    CHECK(kinds_of(name) == std::set<K>{K::distribution});
  for (const char* name : {"suboptimality", "grad_norm"})
    CHECK(kinds_of(name) == std::set<K>{K::objective});
  CHECK(kinds_of("distance_to_optimum") ==
        std::set<K>{K::objective, K::bilevel});
  for (const char* name : {"distance_to_solution", "operator_norm"})
    CHECK(kinds_of(name) == std::set<K>{K::saddle_point});
  for (const char* name :
       {"hypergradient_error", "hypergradient_norm", "inner_gap",
        "hypergradient_norm_squared", "outer_objective"}) {
    CHECK(kinds_of(name) == std::set<K>{K::bilevel});
    CHECK(metric(name).requirements.count(Capability::hypergradient) == 1);
  }
  CHECK(metric("energy_distance").needs_reference_draws);
  CHECK(metric("mmd2").needs_reference_draws);
  CHECK_FALSE(metric("ksd").needs_reference_draws);
  CHECK(metric("mean_error").requirements == Capabilities{Capability::moments});

  const auto defaults = [](const char* name) {
    return validate_params(Json::object(), metric(name).settings, "", name);
  };
  CHECK(defaults("energy_distance") == Json{{"statistic", "v"}});
  CHECK(defaults("mmd2") == Json{{"statistic", "u"}, {"bandwidth", nullptr}});
  CHECK(defaults("ksd") ==
        Json{{"c", 1.0}, {"beta", -0.5}, {"statistic", "v"}});
  CHECK_THROWS(validate_params(Json{{"statistic", "w"}},
                               metric("mmd2").settings, "", "mmd2"));
  CHECK_THROWS(
      validate_params(Json{{"beta", 0.5}}, metric("ksd").settings, "", "ksd"));
}

TEST_CASE("metrics: sharpness is the largest Hessian eigenvalue") {
  // quadratic: eigenvalues log-spaced in [1, κ], so λ_max = κ exactly;
  // quadratic_deep declares L = its largest eigenvalue; for Σx⁴,
  // ∇²f = 12 diag(x²), so λ_max = 12 max x².
  for (const double kappa : {10.0, 1000.0}) {
    const auto task = testing::make_task(
        {"quadratic", {{"dim", 12}, {"condition_number", kappa}}});
    Rng rng = make_rng(2);
    const State state = points_state(rng.normal_matrix(2, 12));
    CHECK(compute("sharpness", *task, state) ==
          doctest::Approx(kappa).epsilon(1e-6));
  }
  const auto deep = testing::make_task({"quadratic_deep", {{"dim", 30}}});
  CHECK(compute("sharpness", *deep, points_state(Matrix::Ones(1, 30)), Matrix(),
                {{"lanczos_steps", 30}}) ==
        doctest::Approx(static_cast<const Objective&>(*deep).smoothness())
            .epsilon(1e-6));
  const auto quartic = testing::make_task({"quartic", {{"dim", 4}}});
  const Matrix x = rows({{0.5, -2.0, 1.0, 0.1}});
  CHECK(compute("sharpness", *quartic, points_state(x)) ==
        doctest::Approx(12 * 4.0).epsilon(1e-6));
}

TEST_CASE("evidence metrics: exact at q = π, and the KL in closed form") {
  const auto task = testing::make_task(
      {"gaussian",
       {{"dim", 3}, {"covariance", "correlated"}, {"condition_number", 10.0}}});
  const auto& target = static_cast<const Distribution&>(*task);
  const Vector mean = target.mean();
  const Matrix cov = target.covariance();
  Rng rng = make_rng(21);
  // q = π: log π − log q ≡ log Z = 0 at every draw, so every estimate is
  // exact whatever the draws.
  State exact;
  exact.gaussian_mean = mean;
  exact.gaussian_covariance = cov;
  exact.points = target.sample(50, rng);
  const Matrix reference = target.sample(50, rng);
  CHECK(std::abs(compute("elbo", *task, exact)) < 1e-12);
  CHECK(std::abs(compute("iw_elbo", *task, exact)) < 1e-12);
  CHECK(std::abs(compute("eubo", *task, exact, reference)) < 1e-12);
  CHECK(std::abs(compute("elbo_gap", *task, exact)) < 1e-12);
  // q = N(m + δ, Σ/2): KL(q‖π) = ½[tr(Σ⁻¹Σ_q) + δᵀΣ⁻¹δ − d + ln(det Σ/det Σ_q)]
  // = ½[3/2 + δᵀΣ⁻¹δ − 3 + 3 ln 2]; the ELBO gap estimates it within 4
  // standard errors over 20 000 draws.
  Vector delta(3);
  delta << 0.3, -0.2, 0.5;
  const Matrix cov_q = 0.5 * cov;
  const double mahalanobis = delta.dot(cov.llt().solve(delta));
  const double kl = 0.5 * (1.5 + mahalanobis - 3.0 + 3.0 * std::log(2.0));
  State shifted;
  shifted.gaussian_mean = mean + delta;
  shifted.gaussian_covariance = cov_q;
  const Index n = 20000;
  const Matrix l = cov_q.llt().matrixL();
  shifted.points = (rng.normal_matrix(n, 3) * l.transpose()).rowwise() +
                   shifted.gaussian_mean.transpose();
  const double gap = compute("elbo_gap", *task, shifted);
  // The per-draw spread of log π − log q, for the standard error.
  const Vector logp = target.log_prob(shifted.points);
  const Matrix z = cov_q.llt().matrixL().solve(
      (shifted.points.rowwise() - shifted.gaussian_mean.transpose())
          .transpose());
  const Vector logq =
      (-0.5 * z.colwise().squaredNorm().array() -
       0.5 * (3 * std::log(2 * M_PI) + std::log(cov_q.determinant())))
          .matrix()
          .transpose();
  const Vector w = logp - logq;
  const double se = std::sqrt((w.array() - w.mean()).square().mean() /
                              static_cast<double>(n));
  INFO("KL " << kl << ", gap " << gap << ", se " << se);
  CHECK(std::abs(gap - kl) < 4 * se);
  CHECK(gap == doctest::Approx(-w.mean()).epsilon(1e-10));
  const double elbo = compute("elbo", *task, shifted);
  CHECK(compute("iw_elbo", *task, shifted) >= elbo);
  CHECK(compute("iw_elbo", *task, shifted) <= 0.05);
  CHECK(compute("eubo", *task, shifted, target.sample(20000, rng)) > 0);
  // Particles are no variational family: undefined.
  CHECK(std::isnan(compute("elbo", *task, points_state(exact.points))));
  CHECK(metric("elbo").nan_when_undefined);
}
