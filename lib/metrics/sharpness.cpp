// `sharpness`: the largest eigenvalue of ∇²f at the iterate (SAM's
// sharpness, PAPERS.md §5.6), by the Lanczos iteration on Hessian-vector
// products. Objectives offer gradients only, so Hv is the central
// difference (∇f(x + hv) − ∇f(x − hv))/(2h), h = fd_step·(1 + ‖x‖), exact
// for quadratics up to rounding. Lanczos keeps every basis vector and
// reorthogonalizes fully (k ≤ d is small), and stops early when the Krylov
// space is exhausted; the start vector is fixed (a seeded draw), so the
// metric is deterministic. Metric evaluations are not counted as cost.
#include <cmath>

#include "core/rng.hpp"
#include "metrics/metric.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

double largest_eigenvalue(const Objective& f, const RowVector& x, int steps,
                          double fd_step) {
  const Index d = x.size();
  const double h = fd_step * (1.0 + x.norm());
  const auto hessian_times = [&](const Vector& v) {
    Matrix points(2, d);
    points.row(0) = x + h * v.transpose();
    points.row(1) = x - h * v.transpose();
    Vector value;
    Matrix grad;
    f.value_grad(points, value, grad);
    return Vector((grad.row(0) - grad.row(1)).transpose() / (2 * h));
  };
  const int k = static_cast<int>(std::min<Index>(steps, d));
  Matrix basis(d, k);
  Vector alpha(k), beta(k);
  Rng rng = make_rng(0x5eed).child("sharpness start");
  Vector q = rng.normal_vector(d);
  q /= q.norm();
  int used = 0;
  for (int j = 0; j < k; ++j) {
    basis.col(j) = q;
    Vector w = hessian_times(q);
    alpha(j) = q.dot(w);
    // Full reorthogonalization against every basis vector so far.
    for (int pass = 0; pass < 2; ++pass)
      w -= basis.leftCols(j + 1) * (basis.leftCols(j + 1).transpose() * w);
    beta(j) = w.norm();
    used = j + 1;
    if (beta(j) <= 1e-12 * (1.0 + std::abs(alpha(j)))) break;
    q = w / beta(j);
  }
  Matrix tridiagonal = Matrix::Zero(used, used);
  for (int j = 0; j < used; ++j) {
    tridiagonal(j, j) = alpha(j);
    if (j + 1 < used) tridiagonal(j, j + 1) = tridiagonal(j + 1, j) = beta(j);
  }
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(tridiagonal,
                                                  Eigen::EigenvaluesOnly);
  return eig.eigenvalues().maxCoeff();
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    sharpness,
    {.name = "sharpness",
     .kinds = {TaskKind::objective},
     .description =
         "λ_max(∇²f(x)), SAM's sharpness: Lanczos (full reorthogonalization, "
         "`lanczos_steps` steps) on central-difference Hessian-vector "
         "products of the gradient; mean over the rows. Larger means a "
         "sharper point, which is not worse as such.",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {ParamSpec::integer("lanczos_steps", 30,
                                     "Lanczos steps (capped at the dimension)")
                      .at_least(1),
                  ParamSpec::real("fd_step", 1e-5,
                                  "h/(1 + ‖x‖) of the central difference")
                      .above(0.0)},
     .compute = [](const MetricContext& ctx) {
       const auto& f = static_cast<const Objective&>(ctx.task);
       const Matrix& x = state_points(ctx, "sharpness");
       const int steps =
           static_cast<int>(ctx.settings.integer("lanczos_steps"));
       const double fd_step = ctx.settings.real("fd_step");
       double total = 0;
       for (Index i = 0; i < x.rows(); ++i)
         total += largest_eigenvalue(f, x.row(i), steps, fd_step);
       return total / static_cast<double>(x.rows());
     }});

}  // namespace vibench
