// Statistics for reports over seeds: medians and quartiles, the two-sided
// Mann–Whitney U test, and Holm's correction for multiple comparisons.
#pragma once

#include <cstddef>
#include <vector>

namespace vibench {

// Quantile q ∈ [0, 1] with linear interpolation between order statistics
// (type 7 of Hyndman and Fan, the default of R and numpy). NaN when empty.
double quantile(std::vector<double> values, double q);
double median(const std::vector<double>& values);

struct MannWhitneyResult {
  double u = 0;        // U of the first sample: #{(i, j): x_i > y_j} + ½ #ties
  double p = 1;        // two-sided p-value
  bool exact = false;  // exact null distribution, else normal approximation
};

// Largest sample size for which the exact distribution is used (when there
// are no ties); beyond, or with ties, the normal approximation.
inline constexpr size_t kMannWhitneyExactMaxSize = 20;

// Two-sided Mann–Whitney U (Wilcoxon rank-sum) test of x against y.
//  - No ties and both samples of at most kMannWhitneyExactMaxSize values: the
//    exact null distribution of U (every arrangement of the pooled sample
//    equally likely), p = min(1, 2 · min(P(U ≤ u), P(U ≥ u))).
//  - Otherwise the normal approximation with mean n₁n₂/2, variance
//    n₁n₂/12 · ((n+1) − Σ(t³ − t)/(n(n−1))) over the tie groups t, and a
//    continuity correction of ½; p = min(1, erfc(z/√2)).
// These are the choices of scipy.stats.mannwhitneyu (method "exact" /
// "asymptotic" with use_continuity=True). An empty sample, or a pooled
// sample of equal values, gives p = 1 (no evidence of a difference).
MannWhitneyResult mann_whitney_u(const std::vector<double>& x,
                                 const std::vector<double>& y);

// Holm's step-down adjusted p-values, in the order of `p`: with p₍₁₎ ≤ … ≤
// p₍ₘ₎, adjusted p₍ᵢ₎ = max over k ≤ i of min(1, (m − k + 1) p₍ₖ₎).
// Rejecting where the adjusted p-value is ≤ α controls the family-wise
// error rate at α.
std::vector<double> holm_adjust(const std::vector<double>& p);

}  // namespace vibench
