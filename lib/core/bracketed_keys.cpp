#include "core/bracketed_keys.hpp"

#include "core/kernel_backend.hpp"
#include "core/order_statistics.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/vector_bracket.hpp"
#endif

namespace vibench {

std::size_t keep_bracketed_keys(const double* values, std::size_t n,
                                std::uint64_t low, std::uint64_t width,
                                std::uint64_t* kept, std::size_t taken,
                                std::uint64_t& below) {
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels())
    return keep_bracketed_keys_native(values, n, low, width, kept, taken,
                                      below);
#endif
  // Every key is written at the next free slot and the slot is taken only
  // when the key is in the bracket: no branch depends on the data.
  std::uint64_t count = 0;
  for (std::size_t v = 0; v < n; ++v) {
    const std::uint64_t key = order_key(values[v]);
    count += key < low;
    kept[taken] = key;
    taken += (key - low <= width);
  }
  below += count;
  return taken;
}

}  // namespace vibench
