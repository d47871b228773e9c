// The two symmetric level-3 products of the kernel methods. In the native
// kernel backend (core/kernel_backend.hpp) they are OpenBLAS's dsyrk and
// dsymm on one thread. In the portable backend they are Eigen's, with its
// packing buffers allocated once and kept across calls of the same shape:
//
// Eigen's operators (`selfadjointView<Lower>().rankUpdate(x)`,
// `selfadjointView<Lower>() * b`) allocate their packing buffers (about a
// megabyte each at n = 1000) on every call once they exceed Eigen's stack
// limit, i.e. inside every SVGD step. These classes make the same calls
// into Eigen's product kernels with the same blocking sizes, so the results
// are bit for bit those of the operators (tested), but hold the blocking
// object, and so its buffers, between calls. They use Eigen 3.4's internal
// product interface; with another Eigen version they fall back to the
// operators (same results, allocations back).
#pragma once

#include <memory>

#include "core/types.hpp"

namespace vibench {

struct ProductBlocking;  // Eigen's blocking object and the shape it is for

// Holds the blocking object between calls. A copy starts without one (the
// buffers are a cache, not state), so copying is cheap and never shares
// buffers.
class KeptBlocking {
 public:
  KeptBlocking();
  ~KeptBlocking();
  KeptBlocking(const KeptBlocking&);
  KeptBlocking& operator=(const KeptBlocking&);

 protected:
  std::unique_ptr<ProductBlocking> blocking_;
};

// c's lower triangle (diagonal included) = alpha · x xᵀ, the strict upper
// triangle untouched: `c.triangularView<Lower>().setZero();
// c.selfadjointView<Lower>().rankUpdate(x, alpha)`. c is resized to n×n.
class LowerRankUpdate : public KeptBlocking {
 public:
  void operator()(const Matrix& x, double alpha, Matrix& c);
};

// out = S b for the symmetric S whose lower triangle (diagonal included) is
// that of `lower` (its strict upper triangle is not read):
// `out.noalias() = lower.selfadjointView<Lower>() * b`.
class SymmetricTimes : public KeptBlocking {
 public:
  void operator()(const Matrix& lower, const Matrix& b, Matrix& out);
};

}  // namespace vibench
