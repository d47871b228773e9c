// Saddle-point metrics. state.points holds iterates z = (x, y), one per row;
// each metric reports its mean over the rows.
#include <stdexcept>
#include <string>

#include "metrics/metric.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {

namespace {

const SaddlePoint& saddle(const MetricContext& ctx) {
  return static_cast<const SaddlePoint&>(ctx.task);
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    distance_to_solution,
    {.name = "distance_to_solution",
     .kinds = {TaskKind::saddle_point},
     .description =
         "‖z − z*‖₂ with z = (x, y) and z* the solution, mean over the rows "
         "of the state.",
     .requirements = {Capability::optimum},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Vector solution = saddle(ctx).solution();
       const Matrix& z = state_points(ctx, "distance_to_solution");
       return (z.rowwise() - solution.transpose()).rowwise().norm().mean();
     }});

VIBENCH_REGISTER_METRIC(
    operator_norm,
    {.name = "operator_norm",
     .kinds = {TaskKind::saddle_point},
     .description =
         "‖F(z)‖₂ with F(z) = (∇_x L, −∇_y L), mean over the rows of the "
         "state.",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return saddle(ctx)
           .operator_value(state_points(ctx, "operator_norm"))
           .rowwise()
           .norm()
           .mean();
     }});

}  // namespace vibench
