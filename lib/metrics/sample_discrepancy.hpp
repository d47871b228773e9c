// Batched sample discrepancies: energy distance, MMD and kernel Stein
// discrepancy, as free functions on point sets (one point per row), so that
// the registered metrics, the tests and the benchmarks share one kernel.
//
// Every pairwise quantity comes from matrix products (squared distances as
// ‖x‖² + ‖y‖² − 2xᵀy); there is no loop over pairs. The pairs are visited a
// block of rows at a time, so memory stays O(block·n) rather than O(n·m),
// and within-set sums visit each unordered pair once (symmetry). Point
// sets are centred on their (pooled) mean before the products, which leaves
// every quantity unchanged (all depend on differences only) and reduces the
// cancellation in ‖x‖² + ‖y‖² − 2xᵀy.
#pragma once

#include <string_view>

#include "core/types.hpp"

namespace vibench {

// V-statistic: means over all pairs, including i = j within a set.
// U-statistic: within-set means over i ≠ j only (needs ≥ 2 points per set).
// Cross terms between two different sets always average over all n·m pairs.
enum class Statistic { v, u };

// "v" or "u"; anything else throws std::invalid_argument.
Statistic parse_statistic(std::string_view name);
const char* to_string(Statistic statistic);

// Energy distance 2·mean‖x − y‖ − mean‖x − x′‖ − mean‖y − y′‖ between the
// rows of x (n×d) and y (m×d). The V-statistic (diagonals included) is never
// negative and is what the mirror-stein code computes; the U-statistic is
// unbiased for the population energy distance and may be slightly negative.
double energy_distance(const Matrix& x, const Matrix& y,
                       Statistic statistic = Statistic::v);

// Median-heuristic bandwidth h of the RBF kernel exp(−r²/(2h²)) used by `mmd2`
// when no bandwidth is given: h² = med / 2, where med is the median of the
// squared distances ‖z_i − z_j‖² over the unordered pairs i < j of distinct
// rows of the pooled sample z = [x; y] (for an even number of pairs, the mean
// of the two middle values). The kernel is then exp(−r²/med). If med = 0
// (all pooled points equal), h = 1.
double mmd_median_bandwidth(const Matrix& x, const Matrix& y);

// Squared MMD with the RBF kernel k(x, y) = exp(−‖x − y‖²/(2h²)), h =
// `bandwidth` > 0. U-statistic (default, unbiased, may be negative):
//   Σ_{i≠j} k(x_i,x_j)/(n(n−1)) + Σ_{i≠j} k(y_i,y_j)/(m(m−1))
//     − 2 Σ_ij k(x_i,y_j)/(nm);
// V-statistic: the same with the diagonals included and n², m² as divisors.
double mmd_squared(const Matrix& x, const Matrix& y, double bandwidth,
                   Statistic statistic = Statistic::u);

// Squared kernel Stein discrepancy of the points x (n×d) with respect to the
// density whose score ∇log p at x_i is score.row(i), with the IMQ kernel
// k(x, y) = (c² + ‖x − y‖²)^β, β < 0:
//   k_p(x, y) = s_xᵀs_y k + s_xᵀ∇_y k + s_yᵀ∇_x k + tr ∇_x∇_y k,
//   u = c² + ‖x − y‖², ∇_x k = 2β(x − y)u^{β−1} = −∇_y k,
//   tr ∇_x∇_y k = −2βd u^{β−1} − 4β(β−1)‖x − y‖² u^{β−2}.
// V-statistic (default): (1/n²) Σ_ij k_p(x_i, x_j) ≥ 0; U-statistic:
// Σ_{i≠j} k_p(x_i, x_j)/(n(n−1)) (unbiased, may be negative; needs n ≥ 2).
double ksd_squared(const Matrix& x, const Matrix& score, double c = 1.0,
                   double beta = -0.5, Statistic statistic = Statistic::v);

}  // namespace vibench
