#include "core/symmetric_products.hpp"

#include <optional>

#include "core/kernel_backend.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/openblas.hpp"
#endif

namespace vibench {

#if EIGEN_VERSION_AT_LEAST(3, 4, 0) && !EIGEN_VERSION_AT_LEAST(3, 4, 90)
#define VIBENCH_REUSE_EIGEN_BLOCKING 1
#endif

#ifdef VIBENCH_REUSE_EIGEN_BLOCKING

// The blocking type and arguments Eigen's operators construct for these
// products (column-major double matrices of run-time size, one thread, no
// L3 blocking), so the blocking sizes, and with them the order of the
// floating-point sums, are the operators' own.
using EigenBlocking =
    Eigen::internal::gemm_blocking_space<Eigen::ColMajor, double, double,
                                         Eigen::Dynamic, Eigen::Dynamic,
                                         Eigen::Dynamic, 1, false>;

struct ProductBlocking {
  Index rows = -1, cols = -1, depth = -1;
  std::optional<EigenBlocking> blocking;

  // The blocking for a rows×depth by depth×cols product, with its buffers
  // allocated; kept while the shape does not change.
  EigenBlocking& get(Index r, Index c, Index d) {
    if (!blocking || r != rows || c != cols || d != depth) {
      blocking.reset();
      blocking.emplace(r, c, d, 1, false);
      blocking->allocateAll();
      rows = r;
      cols = c;
      depth = d;
    }
    return *blocking;
  }
};

#else

struct ProductBlocking {};

#endif

KeptBlocking::KeptBlocking() : blocking_(std::make_unique<ProductBlocking>()) {}
KeptBlocking::~KeptBlocking() = default;
KeptBlocking::KeptBlocking(const KeptBlocking&)
    : blocking_(std::make_unique<ProductBlocking>()) {}
KeptBlocking& KeptBlocking::operator=(const KeptBlocking&) {
  blocking_ = std::make_unique<ProductBlocking>();
  return *this;
}

void LowerRankUpdate::operator()(const Matrix& x, double alpha, Matrix& c) {
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    openblas_lower_rank_update(x, alpha, c);
    return;
  }
#endif
  const Index n = x.rows(), d = x.cols();
  c.resize(n, n);
  c.triangularView<Eigen::Lower>().setZero();
#ifdef VIBENCH_REUSE_EIGEN_BLOCKING
  if (n == 0 || d == 0) return;
  // rankUpdate(x, alpha) is the triangular product x · xᵀ, the right factor
  // read as a row-major view of x (general_product_to_triangular_selector).
  Eigen::internal::general_matrix_matrix_triangular_product<
      Index, double, Eigen::ColMajor, false, double, Eigen::RowMajor, false,
      Eigen::ColMajor, 1, Eigen::Lower>::run(n, d, x.data(), x.outerStride(),
                                             x.data(), x.outerStride(),
                                             c.data(), 1, c.outerStride(),
                                             alpha, blocking_->get(n, n, d));
#else
  c.selfadjointView<Eigen::Lower>().rankUpdate(x, alpha);
#endif
}

void SymmetricTimes::operator()(const Matrix& lower, const Matrix& b,
                                Matrix& out) {
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    openblas_symmetric_times(lower, b, out);
    return;
  }
#endif
  const Index n = lower.rows(), cols = b.cols();
  out.resize(n, cols);
#ifdef VIBENCH_REUSE_EIGEN_BLOCKING
  out.setZero();
  if (n == 0 || cols == 0) return;
  // selfadjoint_product_impl::run for a Lower, column-major left factor.
  Eigen::internal::product_selfadjoint_matrix<
      double, Index, Eigen::ColMajor, true, false, Eigen::ColMajor, false,
      false, Eigen::ColMajor, 1>::run(n, cols, lower.data(),
                                      lower.outerStride(), b.data(),
                                      b.outerStride(), out.data(), 1,
                                      out.outerStride(), 1.0,
                                      blocking_->get(n, cols, n));
#else
  out.noalias() = lower.selfadjointView<Eigen::Lower>() * b;
#endif
}

}  // namespace vibench
