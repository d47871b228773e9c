#include "core/elementwise_imq.hpp"

#include <cstddef>

#include "core/kernel_backend.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/vector_imq.hpp"
#endif

namespace vibench {

namespace {
// The exponent of 1/√base.
constexpr double kInverseSquareRoot = -0.5;
}  // namespace

void imq_kernel_and_derivative(double* u, double* k, Index n, double inv_h,
                               double c2, double beta) {
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels() && beta == kInverseSquareRoot) {
    imq_inverse_sqrt_native(u, k, static_cast<std::size_t>(n), inv_h, c2);
    return;
  }
#endif
  Eigen::Map<Eigen::ArrayXd> base(u, n), kernel(k, n);
  base = base * inv_h + c2;
  // 1/√base for β = −½: Eigen's vectorized rsqrt (a division by a square
  // root), equal to pow up to rounding; Eigen's pow is a scalar loop.
  if (beta == kInverseSquareRoot)
    kernel = base.rsqrt();
  else
    kernel = base.pow(beta);
  base = kernel * beta / base;
}

}  // namespace vibench
