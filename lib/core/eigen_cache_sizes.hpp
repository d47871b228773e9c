// The cache sizes Eigen's matrix products assume, pinned for every program
// that links the library.
//
// Eigen splits a product's operands into panels sized by the CPU's L1, L2
// and L3 caches, which it reads with cpuid at its first product. The depth
// of a panel sets where a product's sums are cut and added, so the same
// product gives different last bits on CPUs with different caches: the
// portable kernels (core/kernel_backend.hpp, Eigen compiled for SSE2) were
// the same bits on every x86-64 machine only as long as the caches matched.
// Seen: `suites/papers/svgd_blr.json` re-run on an Intel Xeon (48 KiB L1d,
// 2 MiB L2) moved its pima cells, made on an AMD EPYC Zen 4 (32 KiB, 1 MiB);
// with these sizes pinned it reproduces them bit for bit.
#pragma once

#include <cstddef>

namespace vibench {

// The sizes Eigen 3.4 read on the AMD EPYC (Zen 4) virtual machine that made
// every result checked into results/ (cpuid leaves 0x80000005 and
// 0x80000006), in bytes. core/eigen_cache_sizes.cpp sets them before main.
inline constexpr std::ptrdiff_t kEigenL1CacheBytes = 32 * 1024;
inline constexpr std::ptrdiff_t kEigenL2CacheBytes = 1024 * 1024;
inline constexpr std::ptrdiff_t kEigenL3CacheBytes = 32 * 1024 * 1024;

}  // namespace vibench
