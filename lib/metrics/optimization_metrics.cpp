// Objective metrics. state.points holds one iterate per row (usually one);
// each metric reports its mean over the rows.
#include <limits>
#include <stdexcept>
#include <string>

#include "metrics/metric.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/objective.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {

namespace {

const Objective& objective(const MetricContext& ctx) {
  return static_cast<const Objective&>(ctx.task);
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    suboptimality,
    {.name = "suboptimality",
     .kinds = {TaskKind::objective},
     .description = "f(x) − f* (P(x) − P* on a composite problem), mean "
                    "over the rows of the state.",
     .requirements = {Capability::optimal_value},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Objective& task = objective(ctx);
       return task.composite_value(state_points(ctx, "suboptimality")).mean() -
              task.optimal_value();
     }});

VIBENCH_REGISTER_METRIC(
    grad_norm,
    {.name = "grad_norm",
     .kinds = {TaskKind::objective},
     .description = "‖∇f(x)‖₂, mean over the rows of the state; unavailable "
                    "on structured problems (constrained, composite, ...), "
                    "where it need not vanish at the optimum.",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           Vector f;
           Matrix grad;
           objective(ctx).value_grad(state_points(ctx, "grad_norm"), f, grad);
           return grad.rowwise().norm().mean();
         },
     .nan_when_undefined = false,
     .reals_only = false,
     .of_run = false,
     .unstructured_only = true});

VIBENCH_REGISTER_METRIC(
    distance_to_optimum,
    {.name = "distance_to_optimum",
     .kinds = {TaskKind::objective, TaskKind::bilevel},
     .description =
         "‖x − x*‖₂, mean over the rows of the state (for bilevel tasks, x "
         "is the outer iterate and x* the outer optimum; where the minimizer "
         "is one of several equivalent points, e.g. ±x♮ in phase "
         "retrieval, the distance to the nearest).",
     .requirements = {Capability::optimum},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Matrix optima = ctx.task.kind() == TaskKind::bilevel
                                 ? Matrix(static_cast<const Bilevel&>(ctx.task)
                                              .optimum()
                                              .transpose())
                                 : objective(ctx).optima();
       const Matrix& x = state_points(ctx, "distance_to_optimum");
       double total = 0;
       for (Index i = 0; i < x.rows(); ++i)
         total += (optima.rowwise() - x.row(i)).rowwise().norm().minCoeff();
       return total / static_cast<double>(x.rows());
     }});

VIBENCH_REGISTER_METRIC(
    average_regret,
    {.name = "average_regret",
     .kinds = {TaskKind::objective},
     .description =
         "Online problems: R(T)/T = (1/T) Σ_{t≤T} f_t(x_t) − min_x F(x), the "
         "learner's mean loss over the T rounds played so far (mean over the "
         "iterates) minus the least average (or expected) loss F. On a "
         "periodic sequence at T a multiple of the period it is Reddi et al.'s "
         "R(T)/T exactly; otherwise it is the pseudo-regret against F.",
     .requirements = {Capability::online, Capability::optimal_value},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           if (ctx.counters == nullptr || ctx.counters->online_rounds == 0)
             return std::numeric_limits<double>::quiet_NaN();
           return ctx.counters->online_loss /
                      static_cast<double>(ctx.counters->online_rounds) -
                  objective(ctx).optimal_value();
         },
     .nan_when_undefined = true,
     .reals_only = false,
     .of_run = true});

VIBENCH_REGISTER_METRIC(
    duality_gap,
    {.name = "duality_gap",
     .kinds = {TaskKind::objective, TaskKind::saddle_point},
     .description =
         "Objectives: a certified duality gap P(x) − D(θ(x)) ≥ P(x) − P*, "
         "from a dual point the task builds from x (lasso: benchopt's "
         "rescaled residual); needs no P*. Games: max_y′ L(x, y′) − "
         "min_x′ L(x′, y), in closed form (matrix games: max_j (Aᵀx)_j − "
         "min_i (Ay)_i; twice the exploitability). Mean over the rows of "
         "the state.",
     .requirements = {Capability::duality_gap},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Matrix& points = state_points(ctx, "duality_gap");
       if (ctx.task.kind() == TaskKind::saddle_point)
         return static_cast<const SaddlePoint&>(ctx.task)
             .duality_gap(points)
             .mean();
       return objective(ctx).duality_gap(points).mean();
     }});

VIBENCH_REGISTER_METRIC(
    frank_wolfe_gap,
    {.name = "frank_wolfe_gap",
     .kinds = {TaskKind::objective},
     .description =
         "Objectives on the simplex: max over the simplex of ⟨∇F(p), p − s⟩ "
         "= ⟨g, p⟩ − min_i g_i, an upper bound on F(p) − F* for convex F "
         "that needs no F*; computed from the gradient in stored "
         "coordinates, ⟨∇f, θ⟩ − min(0, min_i ∂f/∂θ_i). Mean over the rows.",
     .requirements = {Capability::mirror_domain},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Objective& task = objective(ctx);
       if (task.domain().name() != "simplex")
         throw std::runtime_error(
             "frank_wolfe_gap: defined on the simplex only; the task's "
             "domain is " +
             task.domain().name());
       const Matrix& theta = state_points(ctx, "frank_wolfe_gap");
       Vector f;
       Matrix grad;
       task.value_grad(theta, f, grad);
       const Vector inner = (theta.array() * grad.array()).rowwise().sum();
       const Vector lowest =
           grad.rowwise().minCoeff().cwiseMin(Vector::Zero(theta.rows()));
       return (inner - lowest).mean();
     }});

VIBENCH_REGISTER_METRIC(
    marginal_violation,
    {.name = "marginal_violation",
     .kinds = {TaskKind::objective},
     .description =
         "Entropic-OT tasks: ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ for the coupling P of "
         "each row (flattened row by row); mean over the rows.",
     .requirements = {Capability::transport},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const TransportProblem& t = objective(ctx).transport();
       const Matrix& points = state_points(ctx, "marginal_violation");
       const Index n = t.a.size(), m = t.b.size();
       double total = 0;
       for (Index r = 0; r < points.rows(); ++r) {
         Vector rows = Vector::Zero(n), cols = Vector::Zero(m);
         for (Index i = 0; i < n; ++i)
           for (Index j = 0; j < m; ++j) {
             rows(i) += points(r, i * m + j);
             cols(j) += points(r, i * m + j);
           }
         total += (rows - t.a).cwiseAbs().sum() + (cols - t.b).cwiseAbs().sum();
       }
       return total / static_cast<double>(points.rows());
     }});

}  // namespace vibench
