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
         "‖z − z*‖₂ with z = (x, y) and z* the solution (to the solution "
         "set where it is not a point: rectangular bilinear games), mean "
         "over the rows of the state.",
     .requirements = {Capability::optimum},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return saddle(ctx)
           .distance_to_solution(state_points(ctx, "distance_to_solution"))
           .mean();
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

VIBENCH_REGISTER_METRIC(
    exploitability,
    {.name = "exploitability",
     .kinds = {TaskKind::saddle_point},
     .description =
         "OpenSpiel's exploitability of a two-player zero-sum game: NashConv "
         "divided by the number of players, i.e. HALF the duality gap "
         "(matrix games: (max_j (Aᵀx)_j − min_i (Ay)_i)/2). Named apart "
         "from duality_gap so the two cannot be confused. Mean over the "
         "rows.",
     .requirements = {Capability::duality_gap},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return 0.5 * saddle(ctx)
                        .duality_gap(state_points(ctx, "exploitability"))
                        .mean();
     }});

VIBENCH_REGISTER_METRIC(
    restricted_gap,
    {.name = "restricted_gap",
     .kinds = {TaskKind::saddle_point},
     .description =
         "The duality gap with x′ and y′ restricted to balls of radius R "
         "around x* and y*, in closed form (bilinear games: "
         "[bᵀx + (Aᵀx + c)ᵀy* + R‖Aᵀx + c‖] − [cᵀy + (Ay + b)ᵀx* − "
         "R‖Ay + b‖]); finite where the full gap is not. Mean over the "
         "rows.",
     .requirements = {Capability::restricted_gap},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings =
         {ParamSpec::real("radius", 1.0, "R, the balls' radius").above(0.0)},
     .compute = [](const MetricContext& ctx) {
       return saddle(ctx)
           .restricted_gap(state_points(ctx, "restricted_gap"),
                           ctx.settings.real("radius"))
           .mean();
     }});

}  // namespace vibench
