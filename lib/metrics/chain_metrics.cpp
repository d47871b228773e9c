// Chain metrics: convergence diagnostics of the recorded history of a chain
// sampler (State::history, one n_chains × d matrix per recorded iteration),
// computed per coordinate by lib/mcmc/diagnostics (rank-normalized split-R̂
// and bulk/tail ESS of Vehtari et al. 2021, as the R package `posterior`)
// and reduced over coordinates to the worst one.
//
// They are defined only for chain samplers with at least kMinDraws recorded
// iterations (split-R̂ cuts each chain in two halves of ≥ 2 draws). Before
// that, and for particle methods that record no history, they return NaN
// and declare nan_when_undefined, so the runner records null instead of
// marking a healthy cell diverged. A NaN coordinate diagnostic (e.g. a
// coordinate constant over the history) also gives NaN.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mcmc/diagnostics.hpp"
#include "metrics/metric.hpp"

namespace vibench {

namespace {

constexpr size_t kMinDraws = 4;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Coordinate j of the history as an n_draws × n_chains matrix.
Matrix coordinate_draws(const std::vector<Matrix>& history, Index j) {
  const Index draws = static_cast<Index>(history.size());
  const Index chains = history.front().rows();
  Matrix out(draws, chains);
  for (Index t = 0; t < draws; ++t) out.row(t) = history[t].col(j).transpose();
  return out;
}

// max (worst = true for R̂) or min (ESS) over coordinates of `diagnostic`;
// NaN when the history is too short or any coordinate gives NaN.
template <class Diagnostic>
double worst_over_coordinates(const MetricContext& ctx, Diagnostic diagnostic,
                              bool maximum) {
  const std::vector<Matrix>& history = ctx.state.history;
  if (history.size() < kMinDraws) return kNaN;
  double worst = maximum ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
  for (Index j = 0; j < history.front().cols(); ++j) {
    const double value = diagnostic(coordinate_draws(history, j));
    if (std::isnan(value)) return kNaN;
    worst = maximum ? std::max(worst, value) : std::min(worst, value);
  }
  return worst;
}

double min_ess_bulk(const MetricContext& ctx) {
  return worst_over_coordinates(
      ctx, [](const Matrix& m) { return ess_bulk(m); }, false);
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    rhat,
    {.name = "rhat",
     .kinds = {TaskKind::distribution},
     .description =
         "Max over coordinates of the rank-normalized split-R̂ (max of bulk "
         "and tail R̂; Vehtari et al. 2021, as posterior::rhat) of the chain "
         "history after warm-up. null until 4 iterations are recorded and "
         "for methods without chains.",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = true,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           return worst_over_coordinates(
               ctx, [](const Matrix& m) { return rhat(m); }, true);
         },
     .nan_when_undefined = true,
     .needs_history = true});

VIBENCH_REGISTER_METRIC(
    ess_bulk,
    {.name = "ess_bulk",
     .kinds = {TaskKind::distribution},
     .description =
         "Min over coordinates of the bulk ESS (rank-normalized split "
         "chains; as posterior::ess_bulk) of the chain history after "
         "warm-up, all chains pooled. null until 4 iterations are recorded "
         "and for methods without chains.",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = false,
     .settings = {},
     .compute = min_ess_bulk,
     .nan_when_undefined = true,
     .needs_history = true});

VIBENCH_REGISTER_METRIC(
    ess_tail,
    {.name = "ess_tail",
     .kinds = {TaskKind::distribution},
     .description =
         "Min over coordinates of the tail ESS (min of the 5% and 95% "
         "quantile ESS; as posterior::ess_tail) of the chain history after "
         "warm-up. null until 4 iterations are recorded and for methods "
         "without chains.",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = false,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           return worst_over_coordinates(
               ctx, [](const Matrix& m) { return ess_tail(m); }, false);
         },
     .nan_when_undefined = true,
     .needs_history = true});

VIBENCH_REGISTER_METRIC(
    ess_per_grad,
    {.name = "ess_per_grad",
     .kinds = {TaskKind::distribution},
     .description =
         "Min over coordinates of the bulk ESS of the chain history divided "
         "by all gradient evaluations of the cell so far (per point, warm-up "
         "included: the cost actually paid for those draws). null until 4 "
         "iterations are recorded, for methods without chains, and where no "
         "cost counters exist (evaluation of external samples).",
     .requirements = {},
     .needs_reference_draws = false,
     .smaller_is_better = false,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           if (!ctx.counters || ctx.counters->grad_evals <= 0) return kNaN;
           return min_ess_bulk(ctx) /
                  static_cast<double>(ctx.counters->grad_evals);
         },
     .nan_when_undefined = true,
     .needs_history = true});

}  // namespace vibench
