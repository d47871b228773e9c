// The inner loop of the one-pass exact median (core/pairwise_median.hpp),
// by the process's kernel backend (core/kernel_backend.hpp): over a run of
// values, count the order keys below a bracket and keep, in order, those
// inside it. Highway's Compress (native) or a branch-free scalar loop
// (portable). Both keep the same keys in the same order and count the same,
// so the median, an exact order statistic, is the same bits either way.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/order_statistics.hpp"

namespace vibench {

// For each of the n values, key = order_key(value) (core/order_statistics.hpp):
// adds 1 to `below` when key < low, and writes key at kept[taken++] when
// low ≤ key ≤ low + width (key − low ≤ width, unsigned). Returns the new
// `taken`. Writes only within kept[taken, taken + n), which must be
// writable: both kernels write every key at the next free slot, kept or not
// (the native one a whole vector of them), so slots past the returned count
// hold unspecified values.
std::size_t keep_bracketed_keys(const double* values, std::size_t n,
                                std::uint64_t low, std::uint64_t width,
                                std::uint64_t* kept, std::size_t taken,
                                std::uint64_t& below);

// The portable kernel, a branch-free scalar loop (also the native kernel's
// tail, shorter than a vector): every key is written at the next free slot
// and the slot is taken only when the key is in the bracket.
inline std::size_t keep_bracketed_keys_portable(
    const double* values, std::size_t n, std::uint64_t low, std::uint64_t width,
    std::uint64_t* kept, std::size_t taken, std::uint64_t& below) {
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
