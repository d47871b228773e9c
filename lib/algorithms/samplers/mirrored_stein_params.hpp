// The parameters shared by the mirrored Stein samplers (msvgd, svmd), with
// the defaults of "Sampling with Mirrored Stein Operators" (Shi, Liu &
// Mackey 2022) as used in its simplex experiments (PAPERS.md §1.3): 50
// particles, the IMQ kernel with a median bandwidth, RMSProp with learning
// rate 0.1.
#pragma once

#include "algorithms/samplers/stein_kernel.hpp"
#include "algorithms/step_schedule.hpp"
#include "core/params.hpp"

namespace vibench {

inline ParamSpecs mirrored_stein_params() {
  ParamSpecs specs = {
      ParamSpec::integer("n_particles", 50,
                         "number of particles n (the paper's K = 50)")
          .at_least(1),
  };
  // The paper's code: IMQ (1 + r²/h²)^(−½) with h² the ⌊n²/2⌋-th largest
  // entry of the full squared-distance matrix, close to median_squared
  // (the median of the off-diagonal entries).
  for (auto spec : kernel_params(BandwidthRule::median_squared)) {
    if (spec.name == "kernel") spec.default_value = "imq";
    specs.push_back(std::move(spec));
  }
  for (auto& spec : StepSchedule::params(
           0.1, StepRule::rmsprop,
           "the paper's RMSProp learning rate for the mirrored methods on "
           "the simplex (grid {0.1, 0.01, 0.001})"))
    specs.push_back(std::move(spec));
  return specs;
}

// SVMD's own: the share of the Gram spectrum its kernel keeps and the
// jitter added to the Gram matrix before its eigendecomposition.
inline ParamSpecs svmd_kernel_params() {
  return {
      ParamSpec::real("eigen_threshold", 0.98,
                      "keep the leading eigenpairs of the Gram matrix that "
                      "cover this share of its trace (paper's code: 0.98; "
                      "0.998 in its Dirichlet experiment)")
          .above(0)
          .at_most(1),
      ParamSpec::real("jitter", 1e-5,
                      "added to the Gram matrix's diagonal before its "
                      "eigendecomposition (paper's code: 1e-5)")
          .at_least(0),
  };
}

}  // namespace vibench
