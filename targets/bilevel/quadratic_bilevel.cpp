// `quadratic_bilevel`: a bilevel problem whose every quantity has a closed
// form.
//   inner  g(x, y) = ½ yᵀAy − yᵀBx           ⇒ y*(x) = A⁻¹Bx
//   outer  f(x, y) = ½‖y − y_t‖² + ½ μ‖x‖² + ¼ q‖x‖⁴
//   F(x) = f(x, y*(x)),  ∇F(x) = Mᵀ(Mx − y_t) + μx + q‖x‖²x with M = A⁻¹B,
//   x* solves (MᵀM + μI) x = Mᵀ y_t when q = 0, and otherwise
//   (MᵀM + μI + q‖x‖²I) x = Mᵀ y_t, by Newton's method from the q = 0
//   solution (F is convex, its Hessian MᵀM + μI + q(‖x‖²I + 2xxᵀ)).
// The quartic term makes the upper level's smoothness grow with ‖x‖²
// (unbounded smoothness, the setting of BO-REP), while y*(x) stays linear.
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

class QuadraticBilevelTask final : public Bilevel {
 public:
  static constexpr const char* kName = "quadratic_bilevel";
  static constexpr const char* kDescription =
      "Quadratic bilevel problem: inner ½yᵀAy − yᵀBx (A SPD, eigenvalues "
      "log-spaced in [1, condition_number]), outer ½‖y − y_t‖² + ½μ‖x‖²; "
      "exact y*(x), hypergradient and x*";
  static constexpr const char* kDimensionRule =
      "dim_x (inner variable y has dim_y)";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim_x", 5, "dimension of the outer variable x")
            .at_least(1),
        ParamSpec::integer("dim_y", 10, "dimension of the inner variable y")
            .at_least(1),
        ParamSpec::real("condition_number", 10.0,
                        "condition number of the inner Hessian A "
                        "(eigenvalues log-spaced in [1, condition_number], "
                        "randomly rotated)")
            .at_least(1.0),
        ParamSpec::real("mu", 0.1,
                        "outer ridge weight μ; μ = 0 needs dim_x ≤ dim_y")
            .at_least(0.0),
        ParamSpec::real("quartic", 0.0,
                        "q of the upper level's ¼q‖x‖⁴: smoothness growing "
                        "with ‖x‖² (0: a quadratic problem)")
            .at_least(0.0),
        ParamSpec::integer("instance", 0,
                           "seed of A's rotation, B (entries N(0, 1/dim_y)) "
                           "and the target y_t ~ N(0, I)")
            .at_least(0),
    };
  }

  explicit QuadraticBilevelTask(const Params& p) {
    const Index dx = static_cast<Index>(p.integer("dim_x"));
    const Index dy = static_cast<Index>(p.integer("dim_y"));
    const double kappa = p.real("condition_number");
    condition_number_ = kappa;
    mu_ = p.real("mu");
    quartic_ = p.real("quartic");
    if (mu_ == 0.0 && dx > dy)
      throw ConfigError(
          "", fmt::format("quadratic_bilevel: with mu = 0 the outer problem "
                          "has no unique solution when dim_x = {} > dim_y = "
                          "{}; set mu > 0",
                          dx, dy));
    const Vector eigenvalues = log_spaced(dy, 1.0, kappa);
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng rotation_rng = root.child("rotation");
    const Matrix q = rotation_rng.orthogonal(dy);
    a_ = q * eigenvalues.asDiagonal() * q.transpose();
    a_ = 0.5 * (a_ + a_.transpose());
    Rng coupling_rng = root.child("coupling");
    b_ =
        coupling_rng.normal_matrix(dy, dx) / std::sqrt(static_cast<double>(dy));
    Rng target_rng = root.child("target");
    target_ = target_rng.normal_vector(dy);
    // M = A⁻¹B = Q Λ⁻¹ Qᵀ B.
    m_ = q * (eigenvalues.cwiseInverse().asDiagonal() * (q.transpose() * b_));
    const Matrix normal = m_.transpose() * m_ + mu_ * Matrix::Identity(dx, dx);
    const Eigen::LLT<Matrix> llt(normal);
    if (llt.info() != Eigen::Success)
      throw ConfigError("",
                        "quadratic_bilevel: the outer problem is not "
                        "strongly convex for this instance; set mu > 0");
    optimum_ = llt.solve(m_.transpose() * target_);
    // Newton on ∇F(x) = (MᵀM + μI)x − Mᵀy_t + q‖x‖²x.
    for (int iteration = 0; quartic_ > 0 && iteration < 100; ++iteration) {
      const Vector grad = normal * optimum_ - m_.transpose() * target_ +
                          quartic_ * optimum_.squaredNorm() * optimum_;
      if (grad.cwiseAbs().maxCoeff() <= 1e-13) break;
      Matrix hessian = normal;
      hessian.diagonal().array() += quartic_ * optimum_.squaredNorm();
      hessian += 2.0 * quartic_ * optimum_ * optimum_.transpose();
      optimum_ -= hessian.llt().solve(grad);
    }
  }

  Index dim_x() const override { return b_.cols(); }
  Index dim_y() const override { return b_.rows(); }
  Capabilities capabilities() const override {
    return {Capability::hypergradient, Capability::hessian_vector,
            Capability::optimum,       Capability::gradient_noise,
            Capability::smoothness,    Capability::error_bounds};
  }
  // A's largest eigenvalue.
  double inner_smoothness() const override { return condition_number_; }
  // A's smallest eigenvalue, and ∇f(x, ·) = (μx + q‖x‖²x, y − y_t).
  Vector inner_strong_convexity(const Matrix& x) const override {
    return Vector::Ones(x.rows());
  }
  double outer_smoothness() const override { return 1.0; }

  Vector outer_value(const Matrix& x, const Matrix& y) const override {
    const Matrix r = y.rowwise() - target_.transpose();
    const Vector x2 = x.rowwise().squaredNorm();
    return 0.5 * r.rowwise().squaredNorm() + 0.5 * mu_ * x2 +
           0.25 * quartic_ * x2.cwiseProduct(x2);
  }
  void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                  Matrix& fy) const override {
    fx = mu_ * x;
    if (quartic_ > 0)
      fx += (quartic_ * x.rowwise().squaredNorm()).asDiagonal() * x;
    fy = y.rowwise() - target_.transpose();
  }

  Vector inner_value(const Matrix& x, const Matrix& y) const override {
    const Matrix ya = y * a_;
    const Matrix xb = x * b_.transpose();
    return (0.5 * (ya.array() * y.array()).rowwise().sum() -
            (xb.array() * y.array()).rowwise().sum())
        .matrix();
  }
  void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                  Matrix& gy) const override {
    gx.noalias() = -y * b_;
    gy.noalias() = y * a_;
    gy.noalias() -= x * b_.transpose();
  }

  // ∇²_yy g = A (symmetric): rows V A.
  Matrix inner_hvp_yy(const Matrix&, const Matrix&,
                      const Matrix& v) const override {
    return v * a_;
  }
  // ∇²_xy g = −Bᵀ (dim_x × dim_y): rows −V B.
  Matrix inner_cross(const Matrix&, const Matrix&,
                     const Matrix& v) const override {
    return -v * b_;
  }

  Matrix inner_solution(const Matrix& x) const override {
    return x * m_.transpose();
  }
  Matrix hypergradient(const Matrix& x) const override {
    const Matrix residual =
        (x * m_.transpose()).rowwise() - target_.transpose();
    Matrix out = residual * m_ + mu_ * x;
    if (quartic_ > 0)
      out += (quartic_ * x.rowwise().squaredNorm()).asDiagonal() * x;
    return out;
  }
  Vector optimum() const override { return optimum_; }

 private:
  Matrix a_;  // dim_y × dim_y, SPD
  Matrix b_;  // dim_y × dim_x
  Matrix m_;  // A⁻¹B
  Vector target_, optimum_;
  double mu_ = 0.0, quartic_ = 0.0;
  double condition_number_ = 1.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(QuadraticBilevelTask);

}  // namespace vibench
