// Distribution metrics: sample discrepancies (energy distance, MMD, KSD) and
// moment errors. The particles are state.points (n×d); exact reference draws
// (m×d) come in context.reference when the metric asks for them.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/metric.hpp"
#include "metrics/sample_discrepancy.hpp"
#include "tasks/distribution.hpp"

namespace vibench {

namespace {

const Distribution& distribution(const MetricContext& ctx) {
  return static_cast<const Distribution&>(ctx.task);
}

Statistic statistic_setting(const MetricContext& ctx) {
  return parse_statistic(ctx.settings.string("statistic"));
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    energy_distance,
    {.name = "energy_distance",
     .kinds = {TaskKind::distribution},
     .description =
         "Energy distance 2·mean‖x−y‖ − mean‖x−x′‖ − mean‖y−y′‖ between the "
         "particles x and reference draws y (exact draws, or the task's NUTS "
         "reference posterior). Statistic 'v' includes "
         "the zero diagonals (as the mirror-stein code; never negative); 'u' "
         "excludes them (unbiased, may be negative).",
     .requirements = {},
     .needs_reference_draws = true,
     .smaller_is_better = true,
     .settings = {ParamSpec::string(
         "statistic", "v", {"v", "u"},
         "'v': V-statistic, within-set means over all pairs including i = j "
         "(default); 'u': U-statistic, within-set means over i ≠ j")},
     .compute = [](const MetricContext& ctx) {
       return energy_distance(ctx.state.points, ctx.reference,
                              statistic_setting(ctx));
     }});

VIBENCH_REGISTER_METRIC(
    mmd2,
    {.name = "mmd2",
     .kinds = {TaskKind::distribution},
     .description =
         "MMD², the squared maximum mean discrepancy (named for its scale; "
         "formerly 'mmd', still accepted), between the particles and reference "
         "draws (exact, or the "
         "NUTS reference posterior) with "
         "the RBF kernel exp(−‖x−y‖²/(2h²)); U-statistic by default "
         "(unbiased, may be negative). Without a bandwidth, the median "
         "heuristic: h² = med/2, med = median of ‖z_i−z_j‖² over the pairs "
         "i < j of the pooled sample z = [particles; reference] (mean of the "
         "two middle values for an even count; h = 1 if med = 0), i.e. "
         "k = exp(−r²/med).",
     .requirements = {},
     .needs_reference_draws = true,
     .smaller_is_better = true,
     .settings =
         {ParamSpec::string("statistic", "u", {"u", "v"},
                            "'u': unbiased U-statistic, within-set sums over "
                            "i ≠ j (default); 'v': biased V-statistic with "
                            "the diagonals included"),
          ParamSpec::real("bandwidth", nullptr,
                          "RBF bandwidth h in exp(−r²/(2h²)); default null: "
                          "median heuristic h² = median pooled squared "
                          "distance / 2, recomputed at each checkpoint")
              .above(0.0)},
     .compute =
         [](const MetricContext& ctx) {
           const double h =
               ctx.settings.has("bandwidth")
                   ? ctx.settings.real("bandwidth")
                   : mmd_median_bandwidth(ctx.state.points, ctx.reference);
           return mmd_squared(ctx.state.points, ctx.reference, h,
                              statistic_setting(ctx));
         },
     .former_names = {"mmd"}});

VIBENCH_REGISTER_METRIC(
    ksd,
    {.name = "ksd",
     .kinds = {TaskKind::distribution},
     .description =
         "Kernel Stein discrepancy of the particles with the IMQ kernel "
         "(c² + ‖x−y‖²)^β, using the task's score ∇log π (no reference "
         "sample). Reports KSD itself, not its square: "
         "KSD = sqrt(max(KSD², 0)), where KSD² is the "
         "V-statistic (1/n²)Σ_ij k_p(x_i, x_j) (default) or the U-statistic "
         "over i ≠ j. Only on ℝ^d (the Stein identity fails at a domain's "
         "boundary).",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings =
         {ParamSpec::real("c", 1.0, "IMQ kernel offset c in (c² + r²)^β")
              .above(0.0),
          ParamSpec::real("beta", -0.5,
                          "IMQ kernel exponent β in (c² + r²)^β; must be < 0")
              .below(0.0),
          ParamSpec::string("statistic", "v", {"v", "u"},
                            "'v': V-statistic (1/n²)Σ_ij k_p, never negative "
                            "(default); 'u': U-statistic over i ≠ j, "
                            "unbiased (negative values report 0)")},
     .compute =
         [](const MetricContext& ctx) {
           Vector logp;
           Matrix score;
           distribution(ctx).log_prob_grad(ctx.state.points, logp, score);
           const double ksd2 =
               ksd_squared(ctx.state.points, score, ctx.settings.real("c"),
                           ctx.settings.real("beta"), statistic_setting(ctx));
           return std::sqrt(std::max(ksd2, 0.0));
         },
     .reals_only = true});

VIBENCH_REGISTER_METRIC(
    mean_error,
    {.name = "mean_error",
     .kinds = {TaskKind::distribution},
     .description = "‖mean(particles) − μ‖₂, μ the task's exact mean.",
     .requirements = {Capability::moments},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Matrix& x = ctx.state.points;
       if (x.rows() < 1)
         throw std::runtime_error("mean_error: the state has no points");
       return (x.colwise().mean().transpose() - distribution(ctx).mean())
           .norm();
     }});

VIBENCH_REGISTER_METRIC(
    covariance_error,
    {.name = "covariance_error",
     .kinds = {TaskKind::distribution},
     .description =
         "Relative Frobenius error ‖Σ̂ − Σ‖_F / ‖Σ‖_F of the particles' "
         "sample covariance Σ̂ (divisor n − 1) against the task's exact "
         "covariance Σ.",
     .requirements = {Capability::moments},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute = [](const MetricContext& ctx) {
       const Matrix& x = ctx.state.points;
       if (x.rows() < 2)
         throw std::runtime_error(
             "covariance_error: needs at least 2 particles");
       const Matrix centered = x.rowwise() - x.colwise().mean();
       const Matrix sample =
           centered.transpose() * centered / static_cast<double>(x.rows() - 1);
       const Matrix exact = distribution(ctx).covariance();
       return (sample - exact).norm() / exact.norm();
     }});

}  // namespace vibench
