// Bilevel metrics. state.points holds outer iterates x (one per row),
// state.inner the matching inner iterates y and state.hypergradient the
// algorithm's hypergradient estimates; each metric reports its mean over
// the rows.
#include <limits>
#include <stdexcept>
#include <string>

#include "metrics/metric.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {

namespace {

const Bilevel& bilevel(const MetricContext& ctx) {
  return static_cast<const Bilevel&>(ctx.task);
}

// A per-row companion of the outer points (inner iterate, hypergradient).
const Matrix& companion(const MetricContext& ctx, const Matrix& m, Index cols,
                        const char* metric, const char* what) {
  const Matrix& x = state_points(ctx, metric);
  if (m.size() == 0)
    throw std::runtime_error(std::string(metric) + ": the algorithm's state " +
                             "has no " + what);
  if (m.rows() != x.rows() || m.cols() != cols)
    throw std::runtime_error(
        std::string(metric) + ": the state's " + what + " is " +
        std::to_string(m.rows()) + "×" + std::to_string(m.cols()) +
        ", expected " + std::to_string(x.rows()) + "×" + std::to_string(cols));
  return m;
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    hypergradient_error,
    {.name = "hypergradient_error",
     .kinds = {TaskKind::bilevel},
     .description =
         "‖ĥ − ∇F(x)‖₂ between the algorithm's hypergradient estimate ĥ "
         "(state.hypergradient) and the exact hypergradient, mean over the "
         "rows; null where the state has no estimate (an external "
         "algorithm before its first step, or one that sends none).",
     .requirements = {Capability::hypergradient},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           const Bilevel& task = bilevel(ctx);
           // Every native solver keeps an estimate from its start; an external
           // one sends it with its state, if at all.
           if (ctx.state.hypergradient.size() == 0)
             return std::numeric_limits<double>::quiet_NaN();
           // A non-finite estimate is a numerical failure, not an undefined
           // value: +inf, which ends the cell `diverged` (NaN would not).
           if (!ctx.state.hypergradient.allFinite())
             return std::numeric_limits<double>::infinity();
           const Matrix& estimate =
               companion(ctx, ctx.state.hypergradient, task.dim_x(),
                         "hypergradient_error", "hypergradient estimate");
           return (estimate - task.hypergradient(ctx.state.points))
               .rowwise()
               .norm()
               .mean();
         },
     .nan_when_undefined = true});

VIBENCH_REGISTER_METRIC(
    hypergradient_norm,
    {.name = "hypergradient_norm",
     .kinds = {TaskKind::bilevel},
     .description =
         "‖∇F(x)‖₂, the exact hypergradient at the outer iterate, mean over "
         "the rows.",
     .requirements = {Capability::hypergradient},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return bilevel(ctx)
           .hypergradient(state_points(ctx, "hypergradient_norm"))
           .rowwise()
           .norm()
           .mean();
     }});

VIBENCH_REGISTER_METRIC(
    hypergradient_norm_squared,
    {.name = "hypergradient_norm_squared",
     .kinds = {TaskKind::bilevel},
     .description =
         "‖∇F(x)‖₂², the squared exact hypergradient at the outer iterate "
         "(the stationarity measure of the stochastic bilevel papers and of "
         "benchopt's benchmark_bilevel), mean over the rows.",
     .requirements = {Capability::hypergradient},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return bilevel(ctx)
           .hypergradient(state_points(ctx, "hypergradient_norm_squared"))
           .rowwise()
           .squaredNorm()
           .mean();
     }});

VIBENCH_REGISTER_METRIC(
    outer_objective,
    {.name = "outer_objective",
     .kinds = {TaskKind::bilevel},
     .description =
         "F(x) = f(x, y*(x)), the upper-level objective with an exact "
         "lower-level solve (not at the solver's own y), mean over the rows.",
     .requirements = {Capability::hypergradient},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Bilevel& task = bilevel(ctx);
       const Matrix& x = state_points(ctx, "outer_objective");
       return task.outer_value(x, task.inner_solution(x)).mean();
     }});

namespace {

double error_rate(const MetricContext& ctx, Bilevel::Split split,
                  const char* metric) {
  const Bilevel& task = bilevel(ctx);
  const Matrix& y =
      companion(ctx, ctx.state.inner, task.dim_y(), metric, "inner iterate");
  return task.error_rate(ctx.state.points, y, split).mean();
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    validation_error_rate,
    {.name = "validation_error_rate",
     .kinds = {TaskKind::bilevel},
     .description =
         "Fraction of the validation rows misclassified by the solver's "
         "lower-level classifier y (state.inner), mean over the rows; an "
         "error rate in [0, 1], not an accuracy.",
     .requirements = {Capability::error_rates},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return error_rate(ctx, Bilevel::Split::validation,
                         "validation_error_rate");
     }});

VIBENCH_REGISTER_METRIC(
    test_error_rate,
    {.name = "test_error_rate",
     .kinds = {TaskKind::bilevel},
     .description =
         "Fraction of the held-out test rows misclassified by the solver's "
         "lower-level classifier y (state.inner), mean over the rows; an "
         "error rate in [0, 1], not an accuracy.",
     .requirements = {Capability::error_rates},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return error_rate(ctx, Bilevel::Split::test, "test_error_rate");
     }});

VIBENCH_REGISTER_METRIC(
    inner_gap,
    {.name = "inner_gap",
     .kinds = {TaskKind::bilevel},
     .description =
         "‖y − y*(x)‖₂ between the inner iterate y (state.inner) and the "
         "exact inner solution at the outer iterate x, mean over the rows.",
     .requirements = {Capability::hypergradient},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Bilevel& task = bilevel(ctx);
       const Matrix& y = companion(ctx, ctx.state.inner, task.dim_y(),
                                   "inner_gap", "inner iterate");
       return (y - task.inner_solution(ctx.state.points))
           .rowwise()
           .norm()
           .mean();
     }});

}  // namespace vibench
