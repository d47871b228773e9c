// `matrix_sensing`: over-parameterized low-rank matrix sensing, a smooth
// nonconvex problem with no spurious local minima in the well-posed regime
// (e.g. Li, Ma & Zhang 2018 on implicit regularization; Stöger &
// Soltanolkotabi 2021 on small random initialization):
//   f(U) = (1/(2m)) Σ_i (⟨A_i, UUᵀ⟩ − y_i)²,   y_i = ⟨A_i, X♮⟩,
// U ∈ ℝ^{n×k} stored row-major as a point of dimension n·k, X♮ = U♮U♮ᵀ of
// rank r ≤ k (k > r: over-parameterized), A_i symmetric Gaussian
// ((G + Gᵀ)/2, G with N(0, 1) entries), all from `instance`. f* = 0, reached
// on the whole set {U : UUᵀ = X♮}, so the task offers f* but no single x*.
// The default start is small and random (scale `init_scale`), as in the
// implicit-regularization analyses.
#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class MatrixSensingTask final : public Objective {
 public:
  static constexpr const char* kName = "matrix_sensing";
  static constexpr const char* kDescription =
      "over-parameterized symmetric matrix sensing (1/2m) sum (<A_i, U U'> - "
      "y_i)^2, X_natural of rank r, U of n x k (k >= r); f* = 0";
  static constexpr const char* kDimensionRule = "n * k";

  // One n² row per measurement (the sensing matrices A_i, flattened).
  static MemoryNeed memory_need(const Params& p) {
    const double n = static_cast<double>(p.integer("n"));
    const double m = static_cast<double>(p.integer("measurements"));
    return {dense_bytes(m, n * n), n * n > m ? "n" : "measurements",
            "the measurements × n² sensing matrices"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("n", 10, "the matrices are n × n").at_least(1),
        ParamSpec::integer("rank", 2, "r, the rank of X♮").at_least(1),
        ParamSpec::integer("width", 4, "k ≥ r, the columns of U").at_least(1),
        ParamSpec::integer("measurements", 150, "m").at_least(1),
        ParamSpec::real("init_scale", 1e-3,
                        "standard deviation of the entries of U₀")
            .above(0.0),
        ParamSpec::integer("instance", 0, "seed of the A_i and of U♮")
            .at_least(0),
    };
  }
  explicit MatrixSensingTask(const Params& p)
      : n_(static_cast<Index>(p.integer("n"))),
        k_(static_cast<Index>(p.integer("width"))),
        init_scale_(p.real("init_scale")) {
    const Index r = static_cast<Index>(p.integer("rank"));
    if (k_ < r || r > n_)
      throw ConfigError("width",
                        "matrix_sensing: need rank ≤ width and rank ≤ n");
    const Index m = static_cast<Index>(p.integer("measurements"));
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng a_rng = root.child("matrix_sensing A");
    // Row i of sensing_ is vec(A_i) (n² entries, A_i symmetric).
    sensing_.resize(m, n_ * n_);
    for (Index i = 0; i < m; ++i) {
      const Matrix g = a_rng.normal_matrix(n_, n_);
      const Matrix a = 0.5 * (g + g.transpose());
      sensing_.row(i) = Eigen::Map<const Vector>(a.data(), n_ * n_);
    }
    Rng u_rng = root.child("matrix_sensing U");
    const Matrix u = u_rng.normal_matrix(n_, r) / std::sqrt(double(n_));
    const Matrix x = u * u.transpose();
    y_ = sensing_ * Eigen::Map<const Vector>(x.data(), n_ * n_);
  }
  Index dim() const override { return n_ * k_; }
  Capabilities capabilities() const override {
    return {Capability::optimal_value, Capability::gradient_noise};
  }
  Matrix initial_points(Index count, Rng& rng) const override {
    return init_scale_ * rng.normal_matrix(count, dim());
  }
  // Per point: X = UUᵀ, residuals r = 𝒜(X) − y (one product for all
  // measurements), ∇_U = (2/m) (Σ r_i A_i) U since A_i is symmetric.
  void value_grad(const Matrix& points, Vector& f,
                  Matrix& grad) const override {
    const Index count = points.rows();
    f.resize(count);
    grad.resize(count, dim());
    const double inv_m = 1.0 / static_cast<double>(sensing_.rows());
    for (Index p = 0; p < count; ++p) {
      const Matrix u = unpack(points.row(p));
      const Matrix x = u * u.transpose();
      const Vector residual =
          sensing_ * Eigen::Map<const Vector>(x.data(), n_ * n_) - y_;
      f(p) = 0.5 * inv_m * residual.squaredNorm();
      const Vector weighted = sensing_.transpose() * residual;  // vec Σ r_i A_i
      const Matrix g =
          2.0 * inv_m * Eigen::Map<const Matrix>(weighted.data(), n_, n_) * u;
      for (Index a = 0; a < n_; ++a) grad.row(p).segment(a * k_, k_) = g.row(a);
    }
  }
  double optimal_value() const override { return 0.0; }

 private:
  // The point's n·k coordinates, row-major, as U (n×k).
  Matrix unpack(const Eigen::Ref<const RowVector>& point) const {
    Matrix u(n_, k_);
    for (Index a = 0; a < n_; ++a) u.row(a) = point.segment(a * k_, k_);
    return u;
  }
  Index n_, k_;
  double init_scale_;
  Matrix sensing_;
  Vector y_;
};

}  // namespace

VIBENCH_REGISTER_TASK(MatrixSensingTask);

}  // namespace vibench
