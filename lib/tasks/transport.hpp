// Entropic optimal transport: the problem statement and the log-domain
// soft-minimum both Sinkhorn (the algorithm) and the task's own solve use.
#pragma once

#include "core/types.hpp"

namespace vibench {

// Minimize ⟨C, P⟩ + ε Σ P_ij(log P_ij − 1) over the couplings P ≥ 0 with
// P1 = a and Pᵀ1 = b (the transport polytope).
struct TransportProblem {
  Matrix cost;             // C, n × m, finite
  Matrix cost_transposed;  // Cᵀ, kept so the column half step copies nothing
  Vector a, b;             // marginals, positive, each summing to 1
  double epsilon = 0;
};

// −ε log Σ_j exp((h_j − C_ij)/ε) for each row i of `cost`, stabilized by
// the row maximum (exact in the log domain for any ε > 0).
Vector soft_min_rows(const Matrix& cost, const Vector& h, double epsilon);

}  // namespace vibench
