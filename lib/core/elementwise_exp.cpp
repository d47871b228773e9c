#include "core/elementwise_exp.hpp"

#include <cstddef>

#include "core/kernel_backend.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/vector_exp.hpp"
#endif

namespace vibench {

void exp_scaled(double* x, Index n, double scale) {
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    exp_scaled_native(x, static_cast<std::size_t>(n), scale);
    return;
  }
#endif
  Eigen::Map<Eigen::ArrayXd> values(x, n);
  values = (values * scale).exp();
}

void exp_negative_abs(const double* z, double* e, Index n) {
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    exp_negative_abs_native(z, e, static_cast<std::size_t>(n));
    return;
  }
#endif
  Eigen::Map<Eigen::ArrayXd>(e, n) =
      (-Eigen::Map<const Eigen::ArrayXd>(z, n).abs()).exp();
}

}  // namespace vibench
