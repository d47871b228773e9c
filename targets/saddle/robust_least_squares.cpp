// `robust_least_squares`: min_x max_y ‖Ax − y‖² − λ‖y − y₀‖² (PAPERS.md
// §9.2, λ = 3 as in gamesopt): the adversary moves the targets y away from
// the observed y₀ at a price λ. Convex in x, and strongly concave in y for
// λ > 1, so the operator F(z) = Mz + q,
//   M = [[2AᵀA, −2Aᵀ], [2A, 2(λ − 1)I]],  q = (0, −2λy₀),
// is monotone (the symmetric part of M is diag(2AᵀA, 2(λ − 1)I)) and
// strongly monotone with μ = 2 min(σ_min(A)², λ − 1) when A has full
// column rank; L = ‖M‖₂; z* = −M⁻¹q. A is m × d with N(0, 1/m) entries
// and y₀ = A x♮ + σε. The restricted gap is the exact one of a quadratic
// Lagrangian (tasks/quadratic_restricted_gap.hpp).
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class RobustLeastSquaresTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "robust_least_squares";
  static constexpr const char* kDescription =
      "robust least squares min_x max_y |Ax - y|^2 - lambda |y - y0|^2 "
      "(lambda = 3): convex-strongly-concave, linear operator, z* by a "
      "linear solve";
  static constexpr const char* kDimensionRule = "dim + rows (x, then y)";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 5, "d, the dimension of x").at_least(1),
        ParamSpec::integer("rows", 20, "m, rows of A (the dimension of y)")
            .at_least(1),
        ParamSpec::real("lambda", 3.0,
                        "λ, the price of moving y (> 1: strongly concave "
                        "in y)")
            .above(1.0),
        ParamSpec::real("noise", 0.1, "σ of the noise on y₀").at_least(0.0),
        ParamSpec::integer("instance", 0, "seed of A, x♮ and the noise")
            .at_least(0),
    };
  }

  explicit RobustLeastSquaresTask(const Params& p)
      : dim_(p.integer("dim")), rows_(p.integer("rows")) {
    const double lambda = p.real("lambda");
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng data = root.child("robust_least_squares data");
    const Matrix a =
        data.normal_matrix(rows_, dim_) / std::sqrt(static_cast<double>(rows_));
    const Vector natural = data.normal_vector(dim_);
    const Vector y0 = a * natural + p.real("noise") * data.normal_vector(rows_);
    m_.resize(dim_ + rows_, dim_ + rows_);
    m_ << 2.0 * a.transpose() * a, -2.0 * a.transpose(), 2.0 * a,
        2.0 * (lambda - 1.0) * Matrix::Identity(rows_, rows_);
    q_ = Vector::Zero(dim_ + rows_);
    q_.tail(rows_) = -2.0 * lambda * y0;
    a_ = a;
    y0_ = y0;
    lambda_ = lambda;
    const Eigen::JacobiSVD<Matrix> svd(a);
    const double sigma_min = svd.singularValues().minCoeff();
    mu_ = rows_ >= dim_ ? 2.0 * std::min(sigma_min * sigma_min, lambda - 1.0)
                        : 0.0;
    lipschitz_ = Eigen::BDCSVD<Matrix>(m_).singularValues()(0);
    solution_ = -m_.partialPivLu().solve(q_);
  }

  Index dim_x() const override { return dim_; }
  Index dim_y() const override { return rows_; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::smoothness,
            Capability::linear_operator, Capability::restricted_gap,
            Capability::gradient_noise};
  }
  SaddleProperties properties() const override {
    return {.monotone = true,
            .strong_monotonicity = mu_,
            .comonotonicity = 0,
            .lipschitz = lipschitz_};
  }
  Matrix operator_value(const Matrix& z) const override {
    return affine_operator(z, m_, q_);
  }
  Vector value(const Matrix& z) const override {
    const Matrix residual =
        z.leftCols(dim_) * a_.transpose() - z.rightCols(rows_);
    const Matrix moved = z.rightCols(rows_).rowwise() - y0_.transpose();
    return residual.rowwise().squaredNorm() -
           lambda_ * moved.rowwise().squaredNorm();
  }
  Vector solution() const override { return solution_; }
  void linear_operator(Matrix& m, Vector& q) const override {
    m = m_;
    q = q_;
  }

 private:
  Index dim_, rows_;
  Matrix a_, m_;
  Vector y0_, q_, solution_;
  double lambda_ = 3, mu_ = 0, lipschitz_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(RobustLeastSquaresTask);

}  // namespace vibench
