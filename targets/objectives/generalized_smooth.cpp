// Generalized-smooth objectives ("Generalized-Smooth Nonconvex Optimization
// is As Efficient As Smooth Nonconvex Optimization"; PAPERS.md §5.7): their
// curvature grows with the gradient (‖∇²f‖ ≤ L₀ + L₁‖∇f‖^α), so no fixed
// step is safe from every start, while normalized and clipped steps are.
//
//   quartic        f(x) = Σ x_i⁴,  x* = 0, f* = 0; ∇²f = 12 diag(x²), so
//                  fixed-step GD diverges once 12ηx_i² > 2.
//   exp_quadratic  f(x) = Σ_j exp(a_jᵀx) + ½‖x‖², a_j ~ N(0, I/d) (the rows
//                  of A, m×d, from `instance`); strongly convex, x* and f*
//                  by Newton's method to ‖∇f‖∞ ≤ 1e-12 at construction.
//
// Both start at start_scale·(1, …, 1) (plus N(0, start_std²I) per row), so
// a suite can move the start away from x* and watch fixed steps fail.
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

ParamSpecs start_params(double default_scale) {
  return {
      ParamSpec::real("start_scale", default_scale,
                      "every coordinate of the start (its distance from "
                      "x* grows with it)"),
      ParamSpec::real("start_std", 0.0,
                      "standard deviation of N(0, σ²I) added to the start, "
                      "per row")
          .at_least(0.0),
  };
}

// The shared start rule of both tasks.
class StartsAtScale : public Objective {
 public:
  explicit StartsAtScale(const Params& p)
      : start_scale_(p.real("start_scale")), start_std_(p.real("start_std")) {}
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix x = Matrix::Constant(n, dim(), start_scale_);
    if (start_std_ > 0) x += start_std_ * rng.normal_matrix(n, dim());
    return x;
  }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::gradient_noise};
  }

 private:
  double start_scale_, start_std_;
};

class QuarticTask final : public StartsAtScale {
 public:
  static constexpr const char* kName = "quartic";
  static constexpr const char* kDescription =
      "generalized-smooth sum_i x_i^4 (x* = 0, f* = 0), from start_scale*1";
  static constexpr const char* kDimensionRule = "dim";
  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("dim", 10, "dimension d").at_least(1)};
    for (auto& spec : start_params(2.0)) specs.push_back(std::move(spec));
    return specs;
  }
  explicit QuarticTask(const Params& p)
      : StartsAtScale(p), dim_(static_cast<Index>(p.integer("dim"))) {}
  Index dim() const override { return dim_; }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    f = x.array().square().square().rowwise().sum().matrix();
    grad = 4 * x.array().cube().matrix();
  }
  double optimal_value() const override { return 0.0; }
  Vector optimum() const override { return Vector::Zero(dim_); }
  // Convex, not strongly (∇²f = 0 at 0), not L-smooth (∇²f grows as x²).
  ObjectiveProperties properties() const override { return {true, 0.0}; }

 private:
  Index dim_;
};

class ExpQuadraticTask final : public StartsAtScale {
 public:
  static constexpr const char* kName = "exp_quadratic";
  static constexpr const char* kDescription =
      "generalized-smooth sum_j exp(a_j.x) + |x|^2/2, a_j ~ N(0, I/d); x*, "
      "f* by Newton's method to 1e-12";
  static constexpr const char* kDimensionRule = "dim";
  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("dim", 10, "dimension d").at_least(1),
        ParamSpec::integer("terms", 20, "m, the exponential terms").at_least(1),
        ParamSpec::integer("instance", 0, "seed of A").at_least(0),
    };
    for (auto& spec : start_params(3.0)) specs.push_back(std::move(spec));
    return specs;
  }
  explicit ExpQuadraticTask(const Params& p) : StartsAtScale(p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    Rng rng = make_rng(static_cast<std::uint64_t>(p.integer("instance")))
                  .child("exp_quadratic A");
    a_ = rng.normal_matrix(static_cast<Index>(p.integer("terms")), d) /
         std::sqrt(static_cast<double>(d));
    solve_by_newton();
  }
  Index dim() const override { return a_.cols(); }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    const Matrix e = (x * a_.transpose()).array().exp().matrix();  // n×m
    f = e.rowwise().sum() + 0.5 * x.rowwise().squaredNorm();
    grad = e * a_ + x;
  }
  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_; }
  // ∇²f = Aᵀdiag(e^{Ax})A + I ⪰ I; unbounded above.
  ObjectiveProperties properties() const override { return {true, 1.0}; }

 private:
  void solve_by_newton() {
    Matrix x = Matrix::Zero(1, dim());
    Vector f;
    Matrix g;
    for (int k = 0; k < 100; ++k) {
      value_grad(x, f, g);
      if (g.cwiseAbs().maxCoeff() <= 1e-12) {
        optimum_ = x.row(0).transpose();
        optimal_value_ = f(0);
        return;
      }
      // H = Aᵀ diag(e) A + I; from x = 0 the full Newton step decreases f
      // (f is strongly convex and its Hessian grows along the step only
      // mildly at this scale), so no line search is needed in practice;
      // a halving guards it anyway.
      const Vector e = (a_ * x.row(0).transpose()).array().exp().matrix();
      Matrix h = a_.transpose() * e.asDiagonal() * a_;
      h.diagonal().array() += 1.0;
      const Vector step = -h.llt().solve(g.row(0).transpose());
      double t = 1.0;
      Vector f_new;
      Matrix g_new;
      for (int halving = 0; halving < 50; ++halving, t *= 0.5) {
        value_grad(x + t * step.transpose(), f_new, g_new);
        // Near x* f stops decreasing in floating point before ∇f reaches
        // 1e-12: a smaller gradient also accepts the step.
        if (f_new(0) <= f(0) ||
            g_new.cwiseAbs().maxCoeff() < g.cwiseAbs().maxCoeff())
          break;
      }
      x += t * step.transpose();
    }
    throw ConfigError("", "exp_quadratic: Newton's method did not converge");
  }
  Matrix a_;
  Vector optimum_;
  double optimal_value_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(QuarticTask);
VIBENCH_REGISTER_TASK(ExpQuadraticTask);

}  // namespace vibench
