// The peak FP64 rate of one core: independent chains of multiply-adds, no
// memory traffic, one loop per vector instruction set the CPU offers.
//
// The default build targets portable x86-64 (SSE2, no FMA), so the loops
// for wider sets are compiled for their own targets (function attributes)
// and chosen at run time by what the CPU reports: the peak measured is the
// host's, whatever the build flags. A tuned BLAS comes within a few percent
// of the widest set's peak on large products; the SSE2 loop is the ceiling
// of code built for the default target, Eigen's GEMM among it.
#pragma once

#include <cstdint>
#include <vector>

namespace vibench {

enum class FmaIsa {
  baseline,  // the build's default target: SSE2 on x86-64, multiply then add
  avx2_fma,  // 256-bit fused multiply-add
  avx512,    // 512-bit fused multiply-add
};

const char* to_string(FmaIsa isa);

// The instruction sets this CPU (and its operating system) supports,
// baseline first.
std::vector<FmaIsa> supported_fma_isas();

// Flops of one round of the chains (a multiply-add counts 2 per lane).
double fma_flops_per_round(FmaIsa isa);

// Runs `rounds` rounds of the chains with `isa`, which must be supported;
// returns the accumulators' sum, so that the work cannot be dropped.
double run_fma_chains(FmaIsa isa, std::int64_t rounds);

}  // namespace vibench
