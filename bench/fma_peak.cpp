#include "fma_peak.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define VIBENCH_X86 1
#endif

namespace vibench {
namespace {

// Independent accumulators per round. A multiply-add has a latency of 4 to
// 5 cycles and current x86 cores start two per cycle, so at least 8 to 10
// chains must be in flight to keep both units busy; 12 leave a margin and,
// with the two constants, still fit the 16 vector registers of SSE2 and
// AVX2.
constexpr int kChains = 12;

// acc ← acc·½ + 1 goes to 2 and stays there exactly: no overflow and no
// subnormal operand (slow on some cores), however many rounds.
constexpr double kFactor = 0.5;
constexpr double kTerm = 1.0;

// The build's default target, through GCC's vector extensions (two doubles,
// SSE2 on x86-64): a multiply and an add, 2 flops per lane, the peak of a
// core without FMA and of code built for the default target.
typedef double Baseline __attribute__((vector_size(16)));
constexpr int kBaselineLanes = 2;

double chains_baseline(std::int64_t rounds, double factor, double term) {
  const Baseline f = {factor, factor};
  const Baseline t = {term, term};
  Baseline acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = Baseline{1.0 * c, 1.0 * c};
  for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * f + t;
  }
  Baseline sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum += acc[c];
  return sum[0] + sum[1];
}

#ifdef VIBENCH_X86

constexpr int kAvx2Lanes = 4;
constexpr int kAvx512Lanes = 8;

__attribute__((target("avx2,fma"))) double chains_avx2_fma(std::int64_t rounds,
                                                           double factor,
                                                           double term) {
  const __m256d f = _mm256_set1_pd(factor);
  const __m256d t = _mm256_set1_pd(term);
  __m256d acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_pd(1.0 * c);
  for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_pd(acc[c], f, t);
  }
  __m256d sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_pd(sum, acc[c]);
  alignas(32) double lanes[kAvx2Lanes];
  _mm256_store_pd(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

__attribute__((target("avx512f"))) double chains_avx512(std::int64_t rounds,
                                                        double factor,
                                                        double term) {
  const __m512d f = _mm512_set1_pd(factor);
  const __m512d t = _mm512_set1_pd(term);
  __m512d acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_pd(1.0 * c);
  for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_pd(acc[c], f, t);
  }
  __m512d sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_pd(sum, acc[c]);
  return _mm512_reduce_add_pd(sum);
}

#endif

}  // namespace

const char* to_string(FmaIsa isa) {
  switch (isa) {
    case FmaIsa::baseline:
      return "baseline";
    case FmaIsa::avx2_fma:
      return "avx2_fma";
    case FmaIsa::avx512:
      return "avx512";
  }
  return "?";
}

std::vector<FmaIsa> supported_fma_isas() {
  std::vector<FmaIsa> isas = {FmaIsa::baseline};
#ifdef VIBENCH_X86
  // GCC's CPU detection also checks that the operating system saves the
  // wide registers (XGETBV), not only the CPUID bits.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    isas.push_back(FmaIsa::avx2_fma);
  if (__builtin_cpu_supports("avx512f")) isas.push_back(FmaIsa::avx512);
#endif
  return isas;
}

double fma_flops_per_round(FmaIsa isa) {
  int lanes = kBaselineLanes;
#ifdef VIBENCH_X86
  if (isa == FmaIsa::avx2_fma) lanes = kAvx2Lanes;
  if (isa == FmaIsa::avx512) lanes = kAvx512Lanes;
#endif
  return 2.0 * kChains * lanes;
}

double run_fma_chains(FmaIsa isa, std::int64_t rounds) {
  // Read at run time, so that the compiler knows nothing of the chains'
  // values and cannot shorten them.
  const volatile double factor = kFactor;
  const volatile double term = kTerm;
#ifdef VIBENCH_X86
  if (isa == FmaIsa::avx2_fma) return chains_avx2_fma(rounds, factor, term);
  if (isa == FmaIsa::avx512) return chains_avx512(rounds, factor, term);
#endif
  return chains_baseline(rounds, factor, term);
}

}  // namespace vibench
