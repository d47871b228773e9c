// Wasserstein distances between the particles and reference draws (exact
// draws, or the task's NUTS reference posterior): exact W₂ and W₁ by
// LEMON's network simplex, and the sliced W₂ with a recorded number of
// projections and seed (metrics/wasserstein.hpp).
#include <fmt/format.h>

#include "metrics/metric.hpp"
#include "metrics/wasserstein.hpp"

namespace vibench {

namespace {

// The exact W_p metric, p = 1 or 2.
MetricEntry exact_wasserstein(const char* name, int p) {
  return {.name = name,
          .kinds = {TaskKind::distribution},
          .description = fmt::format(
              "Exact W{} between the particles and the reference draws, "
              "uniform weights on each: (min over couplings of Σ "
              "π_ij‖x_i − y_j‖^{})^(1/{}), solved as a transport problem by "
              "LEMON's network simplex (n·m arcs: meant for samples of a few "
              "thousand points; only computed where named)",
              p, p, p),
          .requirements = {},
          .needs_reference_draws = true,
          .smaller_is_better = true,
          .settings = {},
          .compute =
              [name, p](const MetricContext& ctx) {
                return wasserstein_exact(state_points(ctx, name), ctx.reference,
                                         p);
              },
          .named_only = true};
}

}  // namespace

VIBENCH_REGISTER_METRIC(wasserstein_2, (exact_wasserstein("wasserstein_2", 2)));
VIBENCH_REGISTER_METRIC(wasserstein_1, (exact_wasserstein("wasserstein_1", 1)));

VIBENCH_REGISTER_METRIC(
    sliced_wasserstein_2,
    {.name = "sliced_wasserstein_2",
     .kinds = {TaskKind::distribution},
     .description =
         "Sliced W₂ between the particles and the reference draws: the root "
         "mean over `projections` random directions (uniform on the sphere, "
         "from `seed`) of the exact 1-D W₂² of the projections",
     .requirements = {},
     .needs_reference_draws = true,
     .smaller_is_better = true,
     .settings =
         {ParamSpec::integer("projections", 100, "number of random directions")
              .at_least(1),
          ParamSpec::integer("seed", 0, "seed of the directions").at_least(0)},
     .compute = [](const MetricContext& ctx) {
       return sliced_wasserstein_2(
           state_points(ctx, "sliced_wasserstein_2"), ctx.reference,
           static_cast<Index>(ctx.settings.integer("projections")),
           static_cast<std::uint64_t>(ctx.settings.integer("seed")));
     }});

VIBENCH_REGISTER_METRIC(
    sinkhorn_distance,
    {.name = "sinkhorn_distance",
     .kinds = {TaskKind::distribution},
     .description =
         "Entropic transport cost (Cuturi 2013): ⟨P_ε, C⟩ with C the squared "
         "distances between the particles and the reference draws and P_ε "
         "the entropy-regularized optimal coupling of their uniform weights, "
         "by log-domain Sinkhorn to ℓ1 marginal error `tolerance`; ≥ W₂², "
         "and → W₂² as `epsilon` → 0 (Sinkhorn slows as ε shrinks relative "
         "to the distances; only computed where named)",
     .requirements = {},
     .needs_reference_draws = true,
     .smaller_is_better = true,
     .settings =
         {ParamSpec::real("epsilon", 0.1,
                          "ε of the entropic regularizer, in the units of "
                          "the squared distances")
              .above(0),
          ParamSpec::real("tolerance", 1e-6, "ℓ1 error of the marginals")
              .above(0),
          ParamSpec::integer("max_iterations", 10000,
                             "Sinkhorn iterations before giving up")
              .at_least(1)},
     .compute =
         [](const MetricContext& ctx) {
           return sinkhorn_cost(state_points(ctx, "sinkhorn_distance"),
                                ctx.reference, ctx.settings.real("epsilon"),
                                ctx.settings.real("tolerance"),
                                ctx.settings.integer("max_iterations"));
         },
     .named_only = true});

}  // namespace vibench
