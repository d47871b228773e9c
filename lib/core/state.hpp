// The state of a run as metrics see it: written by algorithms, read by
// metrics, which therefore need not know the algorithm interface.
#pragma once

#include <vector>

#include "core/types.hpp"

namespace vibench {

// What metrics look at.
struct State {
  // Particles or chains (n×d), an optimizer's iterate (1×d), a saddle-point
  // iterate z = (x, y), or a bilevel outer iterate x.
  Matrix points;
  // Bilevel only: the inner iterate y, one row per row of `points`.
  Matrix inner;
  // Bilevel only: the algorithm's latest hypergradient estimate at `points`.
  Matrix hypergradient;
  // Chain samplers: the recorded states of the n chains, one n×d matrix per
  // recorded iteration (after the warm-up, thinned as the algorithm says),
  // for chain metrics (R-hat, ESS). Empty for other algorithms.
  std::vector<Matrix> history;
  // Gaussian variational families: q = N(gaussian_mean, gaussian_covariance)
  // is the state; `points` then holds draws from q made with the cell's
  // seed, so that sample metrics apply unchanged.
  Vector gaussian_mean;
  Matrix gaussian_covariance;
};

}  // namespace vibench
