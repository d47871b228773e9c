// `noisy_rosenbrock`: DeepOBS's stochastic 2-D Rosenbrock (`two_d_rosenbrock`,
// read in its TensorFlow code; PAPERS.md §9.2): per data point
//   ℓ_i(u, v) = (1 − u)² + 100(v − u²)² + u·x_i + v·y_i,
// (x_i, y_i) ~ N(0, σ²I) (σ = 1, `n_data` points from `instance`), started
// at (−0.5, 1.5). The training loss is the mean, f = Rosenbrock + u·x̄ + v·ȳ,
// whose minimizer is near but not at (1, 1): x* and f* are computed by
// Newton's method from (1, 1) to ‖∇f‖∞ ≤ 1e-12 at construction. Minibatches
// of `batch_size` points give unbiased gradients (DeepOBS's batch 128).
// vibench draws the data from its own seeded stream (DeepOBS's fixed NumPy
// draw is not reproduced).
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class NoisyRosenbrockTask final : public Objective {
 public:
  static constexpr const char* kName = "noisy_rosenbrock";
  static constexpr const char* kDescription =
      "DeepOBS stochastic 2-D Rosenbrock: mean of (1-u)^2 + 100(v-u^2)^2 + "
      "u x_i + v y_i, (x_i, y_i) ~ N(0, I), from (-0.5, 1.5); minibatch; x*, "
      "f* by Newton's method";
  static constexpr const char* kDimensionRule = "2 (fixed)";
  static ParamSpecs params() {
    return {
        ParamSpec::integer("n_data", 10000, "data points (x_i, y_i)")
            .at_least(1),
        ParamSpec::real("noise_level", 1.0, "σ of the data points")
            .at_least(0.0),
        ParamSpec::integer("batch_size", 128,
                           "points per minibatch gradient (without "
                           "replacement, every call); 0 or ≥ n_data: full "
                           "gradients")
            .at_least(0),
        ParamSpec::integer("instance", 0, "seed of the data").at_least(0),
    };
  }
  explicit NoisyRosenbrockTask(const Params& p) {
    const Index n = static_cast<Index>(p.integer("n_data"));
    const Index b = static_cast<Index>(p.integer("batch_size"));
    batch_size_ = b >= n ? 0 : b;
    Rng rng = make_rng(static_cast<std::uint64_t>(p.integer("instance")))
                  .child("noisy_rosenbrock data");
    data_ = p.real("noise_level") * rng.normal_matrix(n, 2);
    mean_ = data_.colwise().mean();
    solve_by_newton();
  }
  Index dim() const override { return 2; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::minibatch};
  }
  Index data_size() const override { return data_.rows(); }
  Index batch_size() const override { return batch_size_; }
  Matrix initial_points(Index n, Rng&) const override {
    Matrix x(n, 2);
    x.col(0).setConstant(-0.5);
    x.col(1).setConstant(1.5);
    return x;
  }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    loss_grad(x, mean_, f, grad);
  }
  Index value_grad_minibatch(const Matrix& x, Rng& rng, Vector& f,
                             Matrix& grad) const override {
    const std::vector<Index> rows =
        sample_distinct(data_.rows(), batch_size_, rng);
    RowVector mean = RowVector::Zero(2);
    for (Index r : rows) mean += data_.row(r);
    loss_grad(x, mean / static_cast<double>(rows.size()), f, grad);
    return static_cast<Index>(rows.size());
  }
  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_; }

 private:
  // Rosenbrock plus the linear noise term ⟨(u, v), m⟩ of a data mean m.
  static void loss_grad(const Matrix& x, const RowVector& m, Vector& f,
                        Matrix& grad) {
    const auto u = x.col(0).array(), v = x.col(1).array();
    const auto gap = v - u.square();
    f = ((1 - u).square() + 100 * gap.square() + m(0) * u + m(1) * v).matrix();
    grad.resize(x.rows(), 2);
    grad.col(0) = (-2 * (1 - u) - 400 * u * gap + m(0)).matrix();
    grad.col(1) = (200 * gap + m(1)).matrix();
  }
  void solve_by_newton() {
    Vector z(2);
    z << 1.0, 1.0;
    for (int k = 0; k < 100; ++k) {
      Vector f;
      Matrix g;
      loss_grad(z.transpose(), mean_, f, g);
      if (g.cwiseAbs().maxCoeff() <= 1e-12) {
        optimum_ = z;
        optimal_value_ = f(0);
        return;
      }
      const double u = z(0), v = z(1);
      Eigen::Matrix2d h;
      h << 2 - 400 * (v - u * u) + 800 * u * u, -400 * u, -400 * u, 200;
      z -= h.inverse() * g.row(0).transpose();
    }
    throw ConfigError("noise_level",
                      "noisy_rosenbrock: Newton's method from (1, 1) did not "
                      "converge; the data mean moves the minimizer too far");
  }
  Index batch_size_ = 0;
  Matrix data_;
  RowVector mean_;
  Vector optimum_;
  double optimal_value_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(NoisyRosenbrockTask);

}  // namespace vibench
