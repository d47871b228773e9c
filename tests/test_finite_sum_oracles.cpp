// Minibatch oracles of finite-sum saddle-point and bilevel problems, on two
// small problems registered only in the test program: the minibatch
// estimates are unbiased, each call reads a fresh batch from the cell's
// stream, and data passes count the rows read over the rows of both levels.
#include <doctest/doctest.h>

#include "core/distinct_sample.hpp"
#include "tasks/oracles.hpp"

using namespace vibench;

namespace {

// Row r's coefficient: deterministic, different per row.
double coefficient(Index r, double base, double spread, Index rows) {
  return base + spread * std::sin(1.7 * static_cast<double>(r + 1)) *
                    static_cast<double>(r) / static_cast<double>(rows);
}

// min_x max_y (1/N) Σ_r ½a_r x² + b_r x y − ½c_r y²: a strongly monotone
// finite-sum game with z* = 0.
class FiniteSumGame final : public SaddlePoint {
 public:
  static constexpr const char* kName = "test_finite_sum_game";
  static constexpr const char* kDescription = "test only";
  static constexpr const char* kDimensionRule = "2";
  static constexpr Index kRows = 50;
  static ParamSpecs params() {
    return {
        ParamSpec::integer("batch_size", 0, "rows per minibatch").at_least(0)};
  }
  explicit FiniteSumGame(const Params& p)
      : batch_(static_cast<Index>(p.integer("batch_size"))) {
    for (Index r = 0; r < kRows; ++r) {
      a_(r) = coefficient(r, 1.0, 0.5, kRows);
      b_(r) = coefficient(r, 2.0, 3.0, kRows);
      c_(r) = coefficient(r, 0.5, 0.4, kRows);
    }
  }
  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 1; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::minibatch};
  }
  Index data_size() const override { return kRows; }
  Index batch_size() const override { return batch_; }
  Vector value(const Matrix& z) const override {
    const auto x = z.col(0).array(), y = z.col(1).array();
    return (0.5 * a_.mean() * x.square() + b_.mean() * x * y -
            0.5 * c_.mean() * y.square())
        .matrix();
  }
  Matrix operator_value(const Matrix& z) const override {
    return field(z, a_.mean(), b_.mean(), c_.mean());
  }
  Index operator_minibatch(const Matrix& z, Rng& rng,
                           Matrix& out) const override {
    double a = 0, b = 0, c = 0;
    for (Index r : sample_distinct(kRows, batch_, rng)) {
      a += a_(r) / batch_;
      b += b_(r) / batch_;
      c += c_(r) / batch_;
    }
    out = field(z, a, b, c);
    return batch_;
  }
  Vector solution() const override { return Vector::Zero(2); }

 private:
  static Matrix field(const Matrix& z, double a, double b, double c) {
    Matrix out(z.rows(), 2);
    out.col(0) = a * z.col(0) + b * z.col(1);
    out.col(1) = c * z.col(1) - b * z.col(0);
    return out;
  }
  Index batch_;
  Vector a_ = Vector(kRows), b_ = Vector(kRows), c_ = Vector(kRows);
};

// Inner g = (1/N_in) Σ ½(y − a_r x)² on 40 training rows, outer
// f = (1/N_out) Σ ½(y − c_r)² on 10 validation rows.
class FiniteSumBilevel final : public Bilevel {
 public:
  static constexpr const char* kName = "test_finite_sum_bilevel";
  static constexpr const char* kDescription = "test only";
  static constexpr const char* kDimensionRule = "1";
  static constexpr Index kInner = 40, kOuter = 10;
  static ParamSpecs params() {
    return {
        ParamSpec::integer("batch_size", 0, "rows per minibatch").at_least(0)};
  }
  explicit FiniteSumBilevel(const Params& p)
      : batch_(static_cast<Index>(p.integer("batch_size"))) {
    for (Index r = 0; r < kInner; ++r) a_(r) = coefficient(r, 1.0, 1.0, kInner);
    for (Index r = 0; r < kOuter; ++r) c_(r) = coefficient(r, 2.0, 1.0, kOuter);
  }
  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 1; }
  Capabilities capabilities() const override {
    return {Capability::minibatch, Capability::hessian_vector};
  }
  Index outer_data_size() const override { return kOuter; }
  Index inner_data_size() const override { return kInner; }
  Index batch_size() const override { return batch_; }
  Vector outer_value(const Matrix&, const Matrix& y) const override {
    Vector out(y.rows());
    for (Index i = 0; i < y.rows(); ++i)
      out(i) = 0.5 * (y(i, 0) - c_.array()).square().mean();
    return out;
  }
  void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                  Matrix& fy) const override {
    fx = Matrix::Zero(x.rows(), 1);
    fy = y.array() - c_.mean();
  }
  Index outer_grad_minibatch(const Matrix& x, const Matrix& y, Rng& rng,
                             Matrix& fx, Matrix& fy) const override {
    double c = 0;
    for (Index r : sample_distinct(kOuter, batch_, rng)) c += c_(r);
    fx = Matrix::Zero(x.rows(), 1);
    fy = y.array() - c / batch_;
    return batch_;
  }
  Vector inner_value(const Matrix& x, const Matrix& y) const override {
    Vector out(x.rows());
    for (Index i = 0; i < x.rows(); ++i)
      out(i) = 0.5 * (y(i, 0) - a_.array() * x(i, 0)).square().mean();
    return out;
  }
  void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                  Matrix& gy) const override {
    inner_grad_from(x, y, a_.mean(), a_.array().square().mean(), gx, gy);
  }
  Index inner_grad_minibatch(const Matrix& x, const Matrix& y, Rng& rng,
                             Matrix& gx, Matrix& gy) const override {
    double a = 0, a2 = 0;
    for (Index r : sample_distinct(kInner, batch_, rng)) {
      a += a_(r) / batch_;
      a2 += a_(r) * a_(r) / batch_;
    }
    inner_grad_from(x, y, a, a2, gx, gy);
    return batch_;
  }
  Matrix inner_hvp_yy(const Matrix&, const Matrix&,
                      const Matrix& v) const override {
    return v;
  }
  Matrix inner_cross(const Matrix&, const Matrix&,
                     const Matrix& v) const override {
    return -a_.mean() * v;
  }
  Index inner_hvp_yy_minibatch(const Matrix&, const Matrix&, const Matrix& v,
                               Rng&, Matrix& out) const override {
    out = v;
    return batch_;
  }
  Index inner_cross_minibatch(const Matrix&, const Matrix&, const Matrix& v,
                              Rng& rng, Matrix& out) const override {
    double a = 0;
    for (Index r : sample_distinct(kInner, batch_, rng)) a += a_(r) / batch_;
    out = -a * v;
    return batch_;
  }

 private:
  // ∂x ½(y − ax)² = −a y + a² x, ∂y = y − a x, averaged over rows.
  static void inner_grad_from(const Matrix& x, const Matrix& y, double a,
                              double a2, Matrix& gx, Matrix& gy) {
    gx = a2 * x - a * y;
    gy = y - a * x;
  }
  Index batch_;
  Vector a_ = Vector(kInner), c_ = Vector(kOuter);
};

}  // namespace

VIBENCH_REGISTER_TASK(FiniteSumGame);
VIBENCH_REGISTER_TASK(FiniteSumBilevel);

namespace {

template <class T>
std::shared_ptr<const T> make(const char* name, long long batch) {
  const TaskEntry* entry = TaskRegistry::instance().find(name);
  REQUIRE(entry != nullptr);
  return std::static_pointer_cast<const T>(entry->make(Params(
      validate_params({{"batch_size", batch}}, entry->params, "", name))));
}

}  // namespace

TEST_CASE("finite-sum oracles: saddle-point minibatches are unbiased") {
  const auto full = make<SaddlePoint>("test_finite_sum_game", 0);
  const auto mini = make<SaddlePoint>("test_finite_sum_game", 5);
  const Matrix z = (Matrix(2, 2) << 1.0, -2.0, 0.5, 3.0).finished();
  const Matrix exact = full->operator_value(z);
  Counters counters;
  const SaddlePointOracle oracle(*mini, counters, /*minibatch_seed=*/4);
  Matrix sum = Matrix::Zero(2, 2), field;
  const int draws = 5000;
  for (int k = 0; k < draws; ++k) sum += field = oracle.operator_value(z);
  CHECK(!field.isApprox(exact, 1e-3));
  CHECK((sum / draws - exact).cwiseAbs().maxCoeff() < 0.03);
  CHECK(counters.data_passes == doctest::Approx(draws * 5.0 / 50));
  CHECK(counters.grad_evals == 2 * draws);
  // The full-data oracle reads every row once per call.
  Counters full_counters;
  const SaddlePointOracle full_oracle(*full, full_counters);
  CHECK(full_oracle.operator_value(z).isApprox(exact));
  CHECK(full_counters.data_passes == 1.0);
}

TEST_CASE("finite-sum oracles: bilevel minibatches, passes over both levels") {
  const auto full = make<Bilevel>("test_finite_sum_bilevel", 0);
  const auto mini = make<Bilevel>("test_finite_sum_bilevel", 5);
  const Matrix x = Matrix::Constant(1, 1, 0.7), y = Matrix::Constant(1, 1, -1);
  Matrix fx, fy, gx, gy, efx, efy, egx, egy;
  full->outer_grad(x, y, efx, efy);
  full->inner_grad(x, y, egx, egy);
  Counters counters;
  const BilevelOracle oracle(*mini, counters, /*minibatch_seed=*/6);
  double sum_fy = 0, sum_gx = 0, sum_gy = 0;
  const int draws = 5000;
  for (int k = 0; k < draws; ++k) {
    oracle.outer_grad(x, y, fx, fy);
    oracle.inner_grad(x, y, gx, gy);
    sum_fy += fy(0, 0);
    sum_gx += gx(0, 0);
    sum_gy += gy(0, 0);
  }
  CHECK(sum_fy / draws == doctest::Approx(efy(0, 0)).epsilon(0.02));
  CHECK(sum_gx / draws == doctest::Approx(egx(0, 0)).epsilon(0.02));
  CHECK(sum_gy / draws == doctest::Approx(egy(0, 0)).epsilon(0.02));
  // 2 calls of 5 rows per draw, over 50 rows in all; each row read is one
  // oracle call.
  CHECK(counters.data_passes == doctest::Approx(draws * 10.0 / 50));
  CHECK(counters.oracle_calls == draws * 10);
  CHECK(counters.outer_grad_evals == draws);
  CHECK(counters.inner_grad_evals == draws);
  CHECK(counters.grad_evals == 2 * draws);
  // Minibatch cross products are unbiased too, and counted apart from
  // Hessian-vector products.
  double sum_cross = 0;
  for (int k = 0; k < draws; ++k)
    sum_cross += oracle.inner_cross(x, y, Matrix::Constant(1, 1, 1.0))(0, 0);
  CHECK(sum_cross / draws ==
        doctest::Approx(
            full->inner_cross(x, y, Matrix::Constant(1, 1, 1.0))(0, 0))
            .epsilon(0.02));
  CHECK(counters.cross_evals == draws);
  CHECK(counters.hvp_evals == 0);
  CHECK(counters.oracle_calls == draws * 15);
  // Full data: the outer level reads 10 of 50 rows, the inner one 40, a
  // Hessian-vector product the inner rows again.
  Counters full_counters;
  const BilevelOracle full_oracle(*full, full_counters);
  full_oracle.outer_grad(x, y, fx, fy);
  CHECK(full_counters.data_passes == doctest::Approx(0.2));
  full_oracle.inner_grad(x, y, gx, gy);
  CHECK(full_counters.data_passes == doctest::Approx(1.0));
  full_oracle.inner_hvp_yy(x, y, y);
  CHECK(full_counters.data_passes == doctest::Approx(1.8));
  // A full-batch call costs one oracle call per row it reads.
  CHECK(full_counters.oracle_calls == 10 + 40 + 40);
  CHECK(full_counters.hvp_evals == 1);
  CHECK(full_counters.to_json().at("oracle_calls") == 90);
  CHECK(!Counters{}.to_json().contains("oracle_calls"));
}
