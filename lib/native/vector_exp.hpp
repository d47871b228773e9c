// The element-wise exp of the native kernels (core/kernel_backend.hpp):
// Google Highway's Exp (at most 1 ulp from the correctly rounded value),
// compiled for each x86 vector extension and dispatched at run time to the
// widest the host has (AVX-512 on Zen 4 and Skylake-X, AVX2, SSE4, ...), so
// a portable binary still uses the host's vector units. NaN stays NaN, so a
// diverged particle is still seen as one.
#pragma once

#include <cstddef>
#include <string>

namespace vibench {

// x[i] = exp(scale · x[i]) for i < n (the rbf kernel exp(−u/h)).
void exp_scaled_native(double* x, std::size_t n, double scale);

// e[i] = exp(−|z[i]|) for i < n (the logistic likelihood's exp(−|z|)).
void exp_negative_abs_native(const double* z, double* e, std::size_t n);

// The vector extension the dispatch chose on this host, e.g. "AVX3".
std::string vector_exp_target();

}  // namespace vibench
