// Metrics of the posterior predictive on held-out data (data-based targets
// such as logistic_regression with test_fraction > 0): the particles are an
// equally weighted approximation of the posterior.
#include "metrics/metric.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

const Distribution& as_distribution(const MetricContext& ctx) {
  return static_cast<const Distribution&>(ctx.task);
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    test_log_likelihood,
    {.name = "test_log_likelihood",
     .kinds = {TaskKind::distribution},
     .description =
         "Mean over held-out rows of the log posterior predictive "
         "log((1/n) Σ_i p(y | x, θ_i)) of the n particles θ_i (larger is "
         "better).",
     .requirements = {Capability::test_data},
     .needs_reference_draws = false,
     .smaller_is_better = false,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return as_distribution(ctx).test_log_likelihood(
           state_points(ctx, "test_log_likelihood"));
     }});

VIBENCH_REGISTER_METRIC(
    test_accuracy,
    {.name = "test_accuracy",
     .kinds = {TaskKind::distribution},
     .description =
         "Fraction of held-out rows whose posterior predictive probability of "
         "the true label, averaged over the particles, exceeds 1/2 (larger is "
         "better).",
     .requirements = {Capability::test_data},
     .needs_reference_draws = false,
     .smaller_is_better = false,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       return as_distribution(ctx).test_accuracy(
           state_points(ctx, "test_accuracy"));
     }});

}  // namespace vibench
