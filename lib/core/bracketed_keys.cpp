#include "core/bracketed_keys.hpp"

#include "core/kernel_backend.hpp"

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
  return keep_bracketed_keys_portable(values, n, low, width, kept, taken,
                                      below);
}

}  // namespace vibench
