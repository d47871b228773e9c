// The element-wise exp of the hot paths, by the process's kernel backend
// (core/kernel_backend.hpp): Highway's vector exp dispatched to the host's
// widest vector unit (native), or Eigen's (portable, the same bits as the
// Eigen expressions `(x * scale).exp()` and `(-z.abs()).exp()`).
#pragma once

#include "core/types.hpp"

namespace vibench {

// x[i] = exp(scale · x[i]) for i < n.
void exp_scaled(double* x, Index n, double scale);

// e[i] = exp(−|z[i]|) for i < n.
void exp_negative_abs(const double* z, double* e, Index n);

}  // namespace vibench
