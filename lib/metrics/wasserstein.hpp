// Wasserstein distances between two empirical measures with uniform weights
// (a sample x of n points and reference draws y of m points, both n × d and
// m × d): exact, by LEMON's network simplex on the transport problem, and
// sliced, by sorting projections.
#pragma once

#include <cstdint>

#include "core/types.hpp"

namespace vibench {

// W_p(μ_x, μ_y) = (min_π Σ_ij π_ij ‖x_i − y_j‖^p)^{1/p} over couplings π of
// the uniform weights 1/n and 1/m, for p = 1 or 2; solved exactly as a
// min-cost flow (supplies m per x_i, demands n per y_j, total cost / nm).
double wasserstein_exact(const Matrix& x, const Matrix& y, int p);

// The sliced W_2: (mean over `projections` directions θ, uniform on the
// sphere from `seed`, of W_2²(θᵀx, θᵀy))^{1/2}, each 1-D W_2² exact from the
// two quantile functions (sizes may differ).
double sliced_wasserstein_2(const Matrix& x, const Matrix& y, Index projections,
                            std::uint64_t seed);

// The entropic transport cost (Cuturi's "Sinkhorn distance", NeurIPS 2013):
// ⟨P_ε, C⟩ with C_ij = ‖x_i − y_j‖² and P_ε the coupling of the uniform
// weights minimizing ⟨P, C⟩ + ε Σ P_ij log P_ij, by log-domain Sinkhorn
// until the row marginals are within `tolerance` in ℓ1 (throws after
// `max_iterations`). It tends to W_2² as ε → 0.
double sinkhorn_cost(const Matrix& x, const Matrix& y, double epsilon,
                     double tolerance, long long max_iterations);

// W_2² between two 1-D empirical measures: ∫₀¹ (F⁻¹(t) − G⁻¹(t))² dt over
// the merged breakpoints i/n and j/m.
double wasserstein_2_squared_1d(Vector a, Vector b);

}  // namespace vibench
