// The element-wise step of the IMQ kernel (c² + u/h)^β with β = −½, the
// default of every IMQ kernel here, in the native kernels
// (core/kernel_backend.hpp): Google Highway, dispatched at run time to the
// host's widest vector unit. It computes 1/√base as a division by a square
// root, both correctly rounded, in the order of Eigen's expression, so its
// values are those of the portable kernels bit for bit.
#pragma once

#include <cstddef>

namespace vibench {

// For i < n: base = u[i]·inv_h + c2, k[i] = 1/√base, u[i] = (k[i]·β)/base
// with β = −½ (the kernel's derivative in u/h).
void imq_inverse_sqrt_native(double* u, double* k, std::size_t n, double inv_h,
                             double c2);

}  // namespace vibench
