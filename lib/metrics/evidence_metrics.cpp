// Evidence metrics of a Gaussian variational state q = N(m, Σ) (advi,
// fb_gvi: State::gaussian_mean / gaussian_covariance), Monte Carlo over the
// state's draws x_i ~ q (State::points, drawn with the cell's seed), with
// log π̃ the task's unnormalized log density and w(x) = log π̃(x) − log q(x):
//   elbo       mean_i w(x_i)                          (≤ log Z in expectation)
//   iw_elbo    log mean_i exp w(x_i), all K draws as one importance-weighted
//              bound (Burda et al. 2016; ≤ log Z in expectation, tighter)
//   eubo       mean_j w(y_j) over reference draws y_j ~ π (≥ log Z in
//              expectation; Ji & Shen 2019)
//   elbo_gap   log Z − elbo for a task that declares log Z: the estimate of
//              KL(q‖π), the error of the ELBO as an estimate of log Z.
// When q = π̃/Z exactly, w ≡ log Z and every estimate is exact. A state that
// is not a Gaussian family (particles, chains) has no q: the metrics are
// undefined there (null), as they are for a degenerate q.
#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <numbers>

#include "metrics/metric.hpp"
#include "tasks/distribution.hpp"

namespace vibench {
namespace {

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

// log q(x) for each row of x, q = N(m, Σ); empty when Σ is not positive
// definite (a degenerate q has no density: the metrics are undefined, and
// the runner's divergence check judges the state itself).
Vector gaussian_log_density(const Matrix& x, const Vector& mean,
                            const Matrix& covariance) {
  const Eigen::LLT<Matrix> llt(covariance);
  if (llt.info() != Eigen::Success) return {};
  const Matrix centered = (x.rowwise() - mean.transpose()).transpose();
  const Matrix whitened = llt.matrixL().solve(centered);
  const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
  const double d = static_cast<double>(x.cols());
  return (-0.5 * whitened.colwise().squaredNorm().array() -
          0.5 * (d * std::log(2.0 * std::numbers::pi) + log_det))
      .matrix()
      .transpose();
}

// w = log π̃ − log q at each row of x, or empty without a Gaussian state.
Vector log_weights(const MetricContext& ctx, const Matrix& x) {
  const State& s = ctx.state;
  if (s.gaussian_mean.size() == 0 || x.rows() == 0) return {};
  const Vector log_q =
      gaussian_log_density(x, s.gaussian_mean, s.gaussian_covariance);
  if (log_q.size() == 0) return {};
  const auto& target = static_cast<const Distribution&>(ctx.task);
  return target.log_prob(x) - log_q;
}

double elbo(const MetricContext& ctx) {
  const Vector w = log_weights(ctx, ctx.state.points);
  return w.size() ? w.mean() : kUndefined;
}

}  // namespace

VIBENCH_REGISTER_METRIC(
    elbo,
    {.name = "elbo",
     .kinds = {TaskKind::distribution},
     .description =
         "ELBO of a Gaussian variational state q (advi, fb_gvi): the mean of "
         "log π̃(x) − log q(x) over the state's draws x ~ q; ≤ log Z in "
         "expectation, exact when q = π. Null for particle and chain states.",
     .requirements = {},
     .smaller_is_better = false,
     .settings = {},
     .compute = elbo,
     .nan_when_undefined = true});

VIBENCH_REGISTER_METRIC(
    iw_elbo,
    {.name = "iw_elbo",
     .kinds = {TaskKind::distribution},
     .description =
         "Importance-weighted ELBO of a Gaussian variational state q: "
         "log mean exp(log π̃(x) − log q(x)) with all K of the state's draws "
         "in one bound (Burda et al. 2016); ≥ the ELBO, ≤ log Z in "
         "expectation. Null for particle and chain states.",
     .requirements = {},
     .smaller_is_better = false,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           const Vector w = log_weights(ctx, ctx.state.points);
           if (w.size() == 0) return kUndefined;
           const double top = w.maxCoeff();
           return top + std::log((w.array() - top).exp().mean());
         },
     .nan_when_undefined = true});

VIBENCH_REGISTER_METRIC(
    eubo,
    {.name = "eubo",
     .kinds = {TaskKind::distribution},
     .description =
         "EUBO of a Gaussian variational state q: the mean of log π̃(y) − "
         "log q(y) over reference draws y ~ π (exact, or the NUTS reference); "
         "≥ log Z in expectation (Ji & Shen 2019). Null for particle and "
         "chain states.",
     .requirements = {},
     .needs_reference_draws = true,
     .smaller_is_better = true,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           const Vector w = log_weights(ctx, ctx.reference);
           return w.size() ? w.mean() : kUndefined;
         },
     .nan_when_undefined = true});

VIBENCH_REGISTER_METRIC(
    elbo_gap,
    {.name = "elbo_gap",
     .kinds = {TaskKind::distribution},
     .description =
         "log Z − ELBO on a task that declares log Z: the error of the ELBO "
         "as an estimate of log Z, an estimate of KL(q‖π) ≥ 0 (exact when "
         "q = π). Null for particle and chain states.",
     .requirements = {Capability::log_z},
     .smaller_is_better = true,
     .settings = {},
     .compute =
         [](const MetricContext& ctx) {
           return static_cast<const Distribution&>(ctx.task).log_z() -
                  elbo(ctx);
         },
     .nan_when_undefined = true});

}  // namespace vibench
