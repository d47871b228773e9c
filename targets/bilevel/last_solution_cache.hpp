// The exact lower-level solution at the last x asked for. The metrics of
// one checkpoint (outer_objective, hypergradient_norm, inner_gap, ...) ask
// a problem solved by Newton's method for the same y*(x) in turn; this
// keeps one solve per checkpoint. Cells share a task across threads, hence
// the lock.
#pragma once

#include <mutex>
#include <utility>

#include "core/types.hpp"

namespace vibench {

template <class Solution>
class LastSolutionCache {
 public:
  // The cached solution when x is the last point solved, else solve(x).
  template <class Solve>
  Solution get(const RowVector& x, Solve&& solve) const {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (x_.size() == x.size() && x_ == x) return value_;
    }
    Solution fresh = std::forward<Solve>(solve)(x);
    const std::lock_guard<std::mutex> lock(mutex_);
    x_ = x;
    value_ = fresh;
    return fresh;
  }

 private:
  mutable std::mutex mutex_;
  mutable RowVector x_;
  mutable Solution value_;
};

}  // namespace vibench
