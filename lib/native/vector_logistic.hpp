// The element-wise step of the logistic likelihood in the native kernels
// (core/kernel_backend.hpp): Google Highway, dispatched at run time to the
// host's widest vector unit, in one pass over a point's logits. The portable
// kernel (targets/models/logistic_model.cpp) makes four passes over a block
// of logits too large for the L2 cache: exp, the softplus sum, the labels'
// dot product and the residual; fusing them reads each logit once. The
// values differ from the portable kernel's by rounding only: Highway's exp
// and log, and the sums taken lane by lane.
#pragma once

#include <cstddef>

namespace vibench {

// For one point's logits z_r = x_rᵀw over `count` rows with labels y_r:
// returns Σ_r log p(y_r | z_r) = Σ_r [y_r z_r − softplus(z_r)] and sets
// z[r] = σ(z_r) − y_r, the negated residual. With e = exp(−|z|), softplus(z)
// = max(z, 0) + log1p(e), its log1p terms summed as the log of the products
// of runs of 1 + e (each factor in (1, 2]; a lane's run of at most
// kLogisticProductRun factors stays far from overflow), and σ(z) = 1/(1 + e)
// for z ≥ 0, e/(1 + e) otherwise. A NaN logit makes the sum NaN.
double logistic_loglik_and_residual_native(double* z, const double* y,
                                           std::size_t count);

// Factors per lane in one run of the product Π(1 + e): below 2^512.
inline constexpr std::size_t kLogisticProductRun = 512;

}  // namespace vibench
