// The element-wise step of the IMQ kernel k = (c² + u/h)^β by the process's
// kernel backend (core/kernel_backend.hpp). For β = −½ the native backend
// runs Highway's vector square root and division (native/vector_imq.hpp),
// the same values as the portable Eigen expression bit for bit; other β run
// Eigen's pow (a scalar loop) in both.
#pragma once

#include "core/types.hpp"

namespace vibench {

// For i < n: base = u[i]·inv_h + c2, k[i] = base^β, and u[i] = (k[i]·β)/base
// = β base^(β−1), the kernel's derivative in u/h.
void imq_kernel_and_derivative(double* u, double* k, Index n, double inv_h,
                               double c2, double beta);

}  // namespace vibench
