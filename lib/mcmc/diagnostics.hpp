// Convergence diagnostics of MCMC output: rank-normalized split-R̂, bulk and
// tail effective sample sizes and Monte Carlo standard errors, as defined by
// Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021), "Rank-normalization,
// folding, and localization: an improved R̂ for assessing convergence of
// MCMC", Bayesian Analysis 16(2), and computed as the R package `posterior`
// (version 1.7) computes rhat, ess_bulk, ess_tail, ess_basic, mcse_mean and
// mcse_sd, so that numbers in vibench reports mean what readers know.
//
// Every function diagnoses ONE scalar quantity given as an n_draws × n_chains
// matrix, one column per chain. Where `posterior` returns NA these return
// NaN: a NaN draw, all draws equal within machine epsilon, too few draws, and
// an infinite draw except in the rank-based rhat and ess_bulk.
#pragma once

#include <vector>

#include "core/types.hpp"

namespace vibench {

// max(bulk R̂, tail R̂): split-R̂ of the rank-normalized draws and of the
// rank-normalized folded draws |x − median(x)|.
double rhat(const Matrix& draws);
// Split-R̂ without rank normalization (posterior's rhat_basic).
double rhat_basic(const Matrix& draws);

// ESS of the rank-normalized split chains.
double ess_bulk(const Matrix& draws);
// min over p ∈ {0.05, 0.95} of ess_quantile(draws, p).
double ess_tail(const Matrix& draws);
// ESS of the split chains as they are (posterior's ess_basic = ess_mean).
double ess_basic(const Matrix& draws);
// ESS of the indicator I(x ≤ q_p), q_p the type-7 sample quantile of all
// draws, over split chains.
double ess_quantile(const Matrix& draws, double prob);

// sd(x) / √ess_basic(x), sd over all draws with the n − 1 denominator.
double mcse_mean(const Matrix& draws);
// Monte Carlo standard error of the sample standard deviation as posterior
// ≥ 1.2.2 computes it (the version that drops the normality assumption):
// with c = x − mean(x), v = mean(c²) and ESS = ess_basic(c²),
//   Var(v̂) ≈ (mean(c⁴) − v²) / ESS   (Kenney and Keeping 1951, p. 141),
//   mcse_sd = √(Var(v̂) / (4v))       (first-order delta method for √v).
double mcse_sd(const Matrix& draws);

// ------------------------------------------------------------ building blocks

// Each chain cut into its first and second half (the middle draw of an odd
// length is dropped); a single draw per chain is returned unchanged.
Matrix split_chains(const Matrix& draws);
// Φ⁻¹((r − 3/8) / (S + 1/4)) of the ranks r (ties averaged) among all S
// entries, in the shape of `draws` (posterior's z_scale; Blom's offset).
Matrix rank_normalize(const Matrix& draws);
// The split-R̂ formula applied to the columns as given (no splitting):
// √((B/W + N − 1)/N) with B = N·var(chain means), W = mean of chain variances.
double potential_scale_reduction(const Matrix& chains);
// Multi-chain ESS of the columns as given (no splitting, no rank
// normalization): Geyer's initial positive sequence made monotone over the
// combined autocorrelation ρ̂_t = 1 − (W − mean_c γ̂_{c,t}) / var⁺, with
// Stan's correction for antithetic chains and its cap ESS ≤ S·log10(S).
double effective_sample_size(const Matrix& chains);
// Autocovariances γ̂_t = (1/N) Σ_{i<N−t} (x_i − x̄)(x_{i+t} − x̄),
// t = 0..N−1 (the biased estimator Geyer 1992 recommends), by FFT.
Vector autocovariance(const Vector& x);

// ---------------------------------------------------------------- summaries

struct ParameterSummary {
  double mean, sd, rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd;
};

// One summary per coordinate of the draws of several chains: `chains[c]` is
// chain c as an n_draws × d matrix, all chains of the same shape (else
// std::invalid_argument). mean and sd are over all draws (sd with n − 1).
std::vector<ParameterSummary> summarize_chains(
    const std::vector<Matrix>& chains);

}  // namespace vibench
