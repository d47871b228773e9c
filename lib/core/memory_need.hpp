// What a component declares it will allocate, so that a suite asking for
// more memory than the machine should give is refused before the
// allocation (runner/cell_memory.hpp checks it against the suite's limit).
//
// A task whose construction grows faster than its dimension (a dense d×d
// covariance, an n×d data matrix) declares it with a static member
//   static MemoryNeed memory_need(const Params& validated_params);
// that register_task picks up: it is called before the task is built, since
// building it is the allocation to avoid.
#pragma once

#include <string>

namespace vibench {

struct MemoryNeed {
  double bytes = 0;
  // The parameter that drives it ("dim"), named in the error's JSON path.
  std::string parameter;
  // What is allocated, for the message: "7 dense d×d matrices".
  std::string what;
};

// Bytes of `count` dense matrices of rows × cols doubles, in floating point
// so that absurd sizes (dim = 1e7 squared) do not overflow.
inline double dense_bytes(double rows, double cols, double count = 1) {
  return count * rows * cols * static_cast<double>(sizeof(double));
}

}  // namespace vibench
