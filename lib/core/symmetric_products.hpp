// The two symmetric level-3 products of the kernel methods, with Eigen's
// packing buffers allocated once and kept across calls of the same shape.
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

// c's lower triangle (diagonal included) = alpha · x xᵀ, the strict upper
// triangle untouched: `c.triangularView<Lower>().setZero();
// c.selfadjointView<Lower>().rankUpdate(x, alpha)`. c is resized to n×n.
class LowerRankUpdate {
 public:
  LowerRankUpdate();
  ~LowerRankUpdate();
  // A copy starts with no buffers (they are a cache, not state).
  LowerRankUpdate(const LowerRankUpdate&);
  LowerRankUpdate& operator=(const LowerRankUpdate&);

  void operator()(const Matrix& x, double alpha, Matrix& c);

 private:
  std::unique_ptr<ProductBlocking> blocking_;
};

// out = S b for the symmetric S whose lower triangle (diagonal included) is
// that of `lower` (its strict upper triangle is not read):
// `out.noalias() = lower.selfadjointView<Lower>() * b`.
class SymmetricTimes {
 public:
  SymmetricTimes();
  ~SymmetricTimes();
  SymmetricTimes(const SymmetricTimes&);
  SymmetricTimes& operator=(const SymmetricTimes&);

  void operator()(const Matrix& lower, const Matrix& b, Matrix& out);

 private:
  std::unique_ptr<ProductBlocking> blocking_;
};

}  // namespace vibench
