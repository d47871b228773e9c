// Follows Vehtari et al. (2021) and the R package posterior (R/convergence.R
// and R/split_chains.R of version 1.7), including its edge cases, so that
// values agree with posterior's up to floating-point rounding.
#include "mcmc/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unsupported/Eigen/FFT>

#include "mcmc/normal_quantile.hpp"

namespace vibench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// posterior's should_return_NA: a diagnostic of draws with a non-finite
// value, or of draws that are all equal, is undefined.
bool undefined(const Matrix& x) {
  if (x.size() == 0 || !x.allFinite()) return true;
  return std::abs(x.maxCoeff() - x.minCoeff()) <
         std::numeric_limits<double>::epsilon();
}

double sample_variance(const Eigen::Ref<const Vector>& x) {
  return (x.array() - x.mean()).square().sum() /
         static_cast<double>(x.size() - 1);
}

double sample_sd(const Matrix& x) {
  return std::sqrt((x.array() - x.mean()).square().sum() /
                   static_cast<double>(x.size() - 1));
}

// R's default (type 7) quantile of sorted values: linear interpolation
// between order statistics at position (n − 1)p, written as R writes it,
// (1 − h)·x_lo + h·x_hi, so that x ≤ q gives the same indicator as in R.
double quantile_sorted(const std::vector<double>& sorted, double prob) {
  const double index = static_cast<double>(sorted.size() - 1) * prob;
  const auto lo = static_cast<size_t>(std::floor(index));
  const auto hi = static_cast<size_t>(std::ceil(index));
  const double h = index - static_cast<double>(lo);
  if (hi == lo || sorted[hi] == sorted[lo]) return sorted[lo];
  return (1.0 - h) * sorted[lo] + h * sorted[hi];
}

std::vector<double> sorted_values(const Matrix& x) {
  std::vector<double> values(x.data(), x.data() + x.size());
  std::sort(values.begin(), values.end());
  return values;
}

// Sums of autocovariances of several series of one length, by FFT: the
// series is zero-padded to a power of two ≥ 2N so that the circular
// correlation equals the linear one (and kissfft's fast real transform for
// lengths divisible by 4 applies). O(N log N) whatever the mixing, so badly
// mixing chains cost no more than good ones.
class AutocovarianceSums {
 public:
  explicit AutocovarianceSums(Index n) : n_(n) {
    nfft_ = 4;
    while (nfft_ < 2 * n_) nfft_ *= 2;
    padded_.assign(static_cast<size_t>(nfft_), 0.0);
    spectrum_.resize(static_cast<size_t>(nfft_ / 2 + 1));
    fft_.SetFlag(Eigen::FFT<double>::HalfSpectrum);
  }

  // sum(t) += γ̂_t of x for t = 0..N−1.
  void add(const Eigen::Ref<const Vector>& x, Eigen::Ref<Vector> sum) {
    const double mean = x.mean();
    for (Index i = 0; i < n_; ++i) padded_[i] = x(i) - mean;
    std::fill(padded_.begin() + n_, padded_.end(), 0.0);
    fft_.fwd(spectrum_.data(), padded_.data(), nfft_);
    for (auto& s : spectrum_) s = std::norm(s);
    fft_.inv(padded_.data(), spectrum_.data(), nfft_);
    const double scale = 1.0 / static_cast<double>(n_);
    for (Index t = 0; t < n_; ++t) sum(t) += padded_[t] * scale;
  }

 private:
  Index n_, nfft_;
  std::vector<double> padded_;
  std::vector<std::complex<double>> spectrum_;
  Eigen::FFT<double> fft_;
};

Matrix fold(const Matrix& x) {
  const double median = quantile_sorted(sorted_values(x), 0.5);
  return (x.array() - median).abs().matrix();
}

}  // namespace

Vector autocovariance(const Vector& x) {
  Vector out = Vector::Zero(x.size());
  if (x.size() == 0) return out;
  AutocovarianceSums sums(x.size());
  sums.add(x, out);
  return out;
}

Matrix split_chains(const Matrix& draws) {
  const Index n = draws.rows(), m = draws.cols();
  if (n <= 1) return draws;
  const Index half = n / 2;
  Matrix out(half, 2 * m);
  out.leftCols(m) = draws.topRows(half);
  out.rightCols(m) = draws.bottomRows(half);
  return out;
}

Matrix rank_normalize(const Matrix& draws) {
  const Index s = draws.size();
  Matrix z(draws.rows(), draws.cols());
  if (draws.hasNaN()) return z.setConstant(kNaN);
  const double* x = draws.data();
  std::vector<Index> order(static_cast<size_t>(s));
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(),
            [x](Index a, Index b) { return x[a] < x[b]; });
  const double denominator = static_cast<double>(s) + 0.25;
  for (Index i = 0; i < s;) {
    Index j = i;
    while (j + 1 < s && x[order[j + 1]] == x[order[i]]) ++j;
    // Ties share the average of ranks i+1..j+1.
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    const double value = normal_quantile((rank - 0.375) / denominator);
    for (Index k = i; k <= j; ++k) z.data()[order[k]] = value;
    i = j + 1;
  }
  return z;
}

double potential_scale_reduction(const Matrix& chains) {
  const Index n = chains.rows(), m = chains.cols();
  if (n < 2 || m < 2 || undefined(chains)) return kNaN;
  const Vector chain_mean = chains.colwise().mean().transpose();
  double within = 0.0;
  for (Index c = 0; c < m; ++c) within += sample_variance(chains.col(c));
  within /= static_cast<double>(m);
  const double between = static_cast<double>(n) * sample_variance(chain_mean);
  const double nd = static_cast<double>(n);
  return std::sqrt((between / within + nd - 1.0) / nd);
}

double effective_sample_size(const Matrix& chains) {
  const Index n = chains.rows(), m = chains.cols();
  if (n < 3 || m < 1 || undefined(chains)) return kNaN;
  const double nd = static_cast<double>(n);
  Vector acov = Vector::Zero(n);
  AutocovarianceSums sums(n);
  for (Index c = 0; c < m; ++c) sums.add(chains.col(c), acov);
  acov /= static_cast<double>(m);
  // W (mean within-chain variance) and var⁺ = (N−1)/N·W + B/N.
  const double mean_var = acov(0) * nd / (nd - 1.0);
  double var_plus = mean_var * (nd - 1.0) / nd;
  if (m > 1) var_plus += sample_variance(chains.colwise().mean().transpose());
  const auto rho = [&](Index t) {
    return 1.0 - (mean_var - acov(t)) / var_plus;
  };

  // Geyer's initial positive sequence: sums of adjacent pairs of
  // autocorrelations, truncated at the first pair whose sum is negative.
  std::vector<double> rho_hat(static_cast<size_t>(n), 0.0);
  Index t = 0;
  double even = 1.0, odd = rho(1);
  rho_hat[0] = even;
  rho_hat[1] = odd;
  while (t < n - 5 && !std::isnan(even + odd) && even + odd > 0.0) {
    t += 2;
    even = rho(t);
    odd = rho(t + 1);
    if (even + odd >= 0.0) {
      rho_hat[t] = even;
      rho_hat[t + 1] = odd;
    }
  }
  const Index max_t = t;
  // Stan's improvement: keep a positive even-lag term of the truncated pair;
  // it lowers the variance of the estimate for antithetic chains.
  if (even > 0.0) rho_hat[max_t] = even;

  // Geyer's initial monotone sequence: pair sums made non-increasing.
  t = 0;
  while (t <= max_t - 4) {
    t += 2;
    const double previous = rho_hat[t - 2] + rho_hat[t - 1];
    if (rho_hat[t] + rho_hat[t + 1] > previous) {
      rho_hat[t] = previous / 2.0;
      rho_hat[t + 1] = rho_hat[t];
    }
  }

  // τ̂ = −1 + 2 Σ_{t<max_t} ρ̂_t + ρ̂_{max_t}. When max_t = 0 (N ≤ 5), R's
  // sum(rho_hat_t[1:0]) still takes the lag-0 term; mirrored here.
  double sum = 0.0;
  for (Index k = 0; k < std::max<Index>(max_t, 1); ++k) sum += rho_hat[k];
  double tau = -1.0 + 2.0 * sum + rho_hat[max_t];
  // Stan's safety cap ESS ≤ S·log10(S) against unstable, nearly antithetic
  // estimates.
  const double total = nd * static_cast<double>(m);
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

double rhat_basic(const Matrix& draws) {
  return potential_scale_reduction(split_chains(draws));
}

double rhat(const Matrix& draws) {
  if (draws.size() == 0 || draws.hasNaN()) return kNaN;
  const double bulk =
      potential_scale_reduction(rank_normalize(split_chains(draws)));
  const double tail =
      potential_scale_reduction(rank_normalize(split_chains(fold(draws))));
  if (std::isnan(bulk) || std::isnan(tail)) return kNaN;
  return std::max(bulk, tail);
}

double ess_bulk(const Matrix& draws) {
  return effective_sample_size(rank_normalize(split_chains(draws)));
}

double ess_basic(const Matrix& draws) {
  return effective_sample_size(split_chains(draws));
}

double ess_quantile(const Matrix& draws, double prob) {
  if (!(prob >= 0.0 && prob <= 1.0))
    throw std::invalid_argument("ess_quantile: prob must be in [0, 1]");
  if (undefined(draws)) return kNaN;
  // posterior moves p = 1 inside the sample so the indicator is not
  // constant.
  const double s = static_cast<double>(draws.size());
  if (prob == 1.0) prob = (s - 0.5) / s;
  const double q = quantile_sorted(sorted_values(draws), prob);
  const Matrix indicator = (draws.array() <= q).cast<double>().matrix();
  return effective_sample_size(split_chains(indicator));
}

double ess_tail(const Matrix& draws) {
  const double lower = ess_quantile(draws, 0.05);
  const double upper = ess_quantile(draws, 0.95);
  if (std::isnan(lower) || std::isnan(upper)) return kNaN;
  return std::min(lower, upper);
}

double mcse_mean(const Matrix& draws) {
  if (undefined(draws)) return kNaN;
  return sample_sd(draws) / std::sqrt(ess_basic(draws));
}

double mcse_sd(const Matrix& draws) {
  if (undefined(draws)) return kNaN;
  const Matrix centred = (draws.array() - draws.mean()).matrix();
  const Matrix squared = centred.array().square().matrix();
  const double ess = ess_basic(squared);
  const double variance = squared.mean();
  const double variance_of_variance =
      (squared.array().square().mean() - variance * variance) / ess;
  return std::sqrt(variance_of_variance / variance / 4.0);
}

std::vector<ParameterSummary> summarize_chains(
    const std::vector<Matrix>& chains) {
  if (chains.empty())
    throw std::invalid_argument("summarize_chains: no chains");
  const Index n = chains.front().rows(), d = chains.front().cols();
  if (n < 1)
    throw std::invalid_argument("summarize_chains: chains have no draws");
  for (const Matrix& chain : chains)
    if (chain.rows() != n || chain.cols() != d)
      throw std::invalid_argument(
          "summarize_chains: all chains must have the same number of draws "
          "and the same dimension");
  const Index m = static_cast<Index>(chains.size());
  std::vector<ParameterSummary> out(static_cast<size_t>(d));
  // Coordinates are independent, so the result does not depend on the
  // thread count; a 100-dimensional reference with 10 × 10 000 draws would
  // otherwise take seconds.
#pragma omp parallel for schedule(dynamic, 1)
  for (Index j = 0; j < d; ++j) {
    Matrix draws(n, m);
    for (Index c = 0; c < m; ++c) draws.col(c) = chains[c].col(j);
    ParameterSummary& s = out[static_cast<size_t>(j)];
    s.mean = draws.mean();
    s.sd = n * m > 1 ? sample_sd(draws) : kNaN;
    s.rhat = rhat(draws);
    s.ess_bulk = ess_bulk(draws);
    s.ess_tail = ess_tail(draws);
    s.mcse_mean = mcse_mean(draws);
    s.mcse_sd = mcse_sd(draws);
  }
  return out;
}

}  // namespace vibench
