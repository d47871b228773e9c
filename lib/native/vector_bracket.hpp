// keep_bracketed_keys (core/bracketed_keys.hpp) on the host's widest vector
// unit: Google Highway's Compress, dispatched at run time (AVX-512's
// vpcompressd on Skylake-X and Zen 4). The same keys, order and count as
// the portable scalar loop.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vibench {

std::size_t keep_bracketed_keys_native(const double* values, std::size_t n,
                                       std::uint64_t low, std::uint64_t width,
                                       std::uint64_t* kept, std::size_t taken,
                                       std::uint64_t& below);

}  // namespace vibench
