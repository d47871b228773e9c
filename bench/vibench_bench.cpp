// Micro-benchmarks of vibench's hot paths (Google Benchmark), each reported
// as achieved GFLOP/s and as a fraction of the machine's FP64 limit,
// measured first in the same process: the rate of a tuned BLAS (OpenBLAS's
// dgemm, 1 and 2 threads; counter fraction_of_limit). Beside it, not as the
// limit, the fraction of Eigen's own GEMM rate with the same Eigen and flags
// as the library (fraction_of_gemm). BM_Dgemm gives both libraries' rates
// at the SVGD step's shapes, and BM_FmaPeak the peak of a multiply-add loop
// per instruction set the CPU offers, which a tuned BLAS approaches.
//
//   vibench_bench [google benchmark flags]       the benchmarks
//   vibench_bench --peer-svgd IN OUT KERNEL REPS THREADS  times
//       SteinDirection on the points and scores in IN (THREADS directions at
//       once, one per thread), writes φ to OUT and prints the median seconds
//       per direction and the bandwidth h (for scripts/peer_bench.py; file
//       format in peer_svgd below)
//
// Flop counts are those of the matrix-product formulation: a product of an
// a×b by a b×c matrix counts 2abc flops (one multiply and one add per term),
// a symmetric rank update X Xᵀ of an n×d matrix n²d (half the product).
// Element-wise work (exp, pow, sqrt, the bandwidth's median, sums) is not
// counted: it is the overhead a kernel pays on top of its products, so a
// low fraction of the limit means element-wise work dominates, or products
// that run below the limit (Eigen built for the default target).
//
// Threads. The library keeps Eigen single-threaded (EIGEN_DONT_PARALLELIZE)
// and runs cells in parallel. The 2-thread figures here are therefore
// throughput figures: Google Benchmark runs the same body on 2 threads at
// once, each on its own data, as two cells of a suite would; the rates are
// summed over the threads, fraction_of_limit divides by the limit measured
// on as many threads (OpenBLAS's dgemm on 2 threads) and fraction_of_gemm by
// threads × the 1-thread Eigen rate. The logistic-regression gradient is
// the one oracle with OpenMP inside a call (over row blocks, above 8
// blocks); its `omp_threads` argument sets that thread count, and its limit
// is that of as many threads.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/ksd_gradient.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "core/elementwise_exp.hpp"
#include "core/kernel_backend.hpp"
#include "core/pairwise_median.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "core/symmetric_products.hpp"
#include "external/line_process.hpp"
#include "fma_peak.hpp"
#include "metrics/sample_discrepancy.hpp"
#include "metrics/wasserstein.hpp"
#include "native/openblas.hpp"
#include "runner/cell_runner.hpp"
#include "targets/models/logistic_model.hpp"
#include "tasks/bilevel.hpp"
#include "tasks/distribution.hpp"
#include "tasks/objective.hpp"
#include "tasks/oracles.hpp"
#include "tasks/saddle_point.hpp"
#include "tasks/task.hpp"

namespace vibench {
namespace {

constexpr double kGiga = 1e9;
// GEMM reference and limit: square products of this size reach Eigen's
// and OpenBLAS's steady-state rates (large enough that packing is
// amortized, small enough to run in a fraction of a second).
constexpr Index kGemmSize = 1024;
// Each rate is the best of this many timed products: the best is the least
// perturbed by other processes on a shared machine.
constexpr int kGemmRepeats = 12;
// Seeds of the synthetic inputs (fixed, so every run times the same data).
constexpr std::uint64_t kSeedPoints = 1;
constexpr std::uint64_t kSeedOther = 2;

double g_gemm_flops_per_second = 0.0;  // Eigen, 1 thread, set in main
// The FP64 limit: OpenBLAS's dgemm rate on 1 and 2 threads, set in main.
double g_limit_flops_per_second_1 = 0.0;
double g_limit_flops_per_second_2 = 0.0;

// The limit for work spread over `cores` threads. Measured for 1 and 2;
// beyond, the 2-thread rate scaled linearly (an optimistic limit).
double limit_flops_per_second(int cores) {
  if (cores <= 1) return g_limit_flops_per_second_1;
  if (cores == 2) return g_limit_flops_per_second_2;
  return g_limit_flops_per_second_2 * cores / 2.0;
}

}  // namespace

// Heap allocations made by the calling thread, to check that a step
// allocates nothing once its workspaces are sized. Eigen allocates through
// malloc, not operator new, so malloc itself is interposed (glibc exports
// __libc_malloc for this); operator new goes through it as well.
thread_local std::size_t g_thread_allocations = 0;

}  // namespace vibench

extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) {
  ++vibench::g_thread_allocations;
  return __libc_malloc(size);
}

namespace vibench {
namespace {

// Rate of multiply(a, b, c), c = a·b, for kGemmSize² matrices, best of
// kGemmRepeats.
template <class Multiply>
double best_square_rate(Multiply multiply) {
  Rng rng(kSeedPoints);
  const Matrix a = rng.normal_matrix(kGemmSize, kGemmSize);
  const Matrix b = rng.normal_matrix(kGemmSize, kGemmSize);
  Matrix c(kGemmSize, kGemmSize);
  double best = 1e300;
  for (int r = 0; r < kGemmRepeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    multiply(a, b, c);
    benchmark::DoNotOptimize(c.data());
    const std::chrono::duration<double> s =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, s.count());
  }
  const double n = static_cast<double>(kGemmSize);
  return 2.0 * n * n * n / best;
}

// Eigen's rate, one thread (the reference beside the limit).
double measure_gemm_rate() {
  return best_square_rate(
      [](const Matrix& a, const Matrix& b, Matrix& c) { c.noalias() = a * b; });
}

// The limit: OpenBLAS's dgemm rate on `threads` threads.
double measure_limit_rate(int threads) {
  const OpenBlasThreads guard(threads);
  return best_square_rate(openblas_gemm);
}

// Reports flops as a rate (summed over threads), the fractions of the
// limit and of Eigen's GEMM rate, and the peak resident memory of the
// process so far. `cores`: the threads the work runs on, the benchmark's
// own threads unless given (a call with OpenMP threads inside).
//
// With several threads, Google Benchmark sums each counter over the threads
// and multiplies an iteration-invariant counter by the iterations of all
// threads together: without kAvgThreads a rate would count every iteration
// once per thread, twice the true rate with 2 threads.
const benchmark::Counter::Flags kRatePerIteration =
    benchmark::Counter::kIsIterationInvariantRate |
    benchmark::Counter::kAvgThreads;
void report_flops(benchmark::State& state, double flops_per_iteration,
                  int cores = 0) {
  if (cores <= 0) cores = state.threads();
  state.counters["flops"] =
      benchmark::Counter(flops_per_iteration, kRatePerIteration);
  // A rate counter is divided by the elapsed time by the reporter: flops /
  // limit per iteration becomes the fraction of the limit achieved by all
  // threads together.
  const double limit = limit_flops_per_second(cores);
  state.counters["limit_GFLOPs"] =
      benchmark::Counter(limit / kGiga, benchmark::Counter::kAvgThreads);
  state.counters["fraction_of_limit"] =
      benchmark::Counter(flops_per_iteration / limit, kRatePerIteration);
  state.counters["gemm_GFLOPs"] = benchmark::Counter(
      g_gemm_flops_per_second / kGiga, benchmark::Counter::kAvgThreads);
  // Likewise flops / (threads × Eigen's rate): the fraction of Eigen's GEMM
  // rate achieved (summed over threads).
  state.counters["fraction_of_gemm"] =
      benchmark::Counter(flops_per_iteration / g_gemm_flops_per_second /
                             static_cast<double>(state.threads()),
                         kRatePerIteration);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  // ru_maxrss is in KiB on Linux.
  state.counters["peak_rss_MiB"] =
      benchmark::Counter(static_cast<double>(usage.ru_maxrss) / 1024.0,
                         benchmark::Counter::kAvgThreads);
}

// ---------------------------------------------------------------- GEMM

void BM_Gemm(benchmark::State& state) {
  const Index n = state.range(0);
  Rng rng(kSeedPoints + static_cast<std::uint64_t>(state.thread_index()));
  const Matrix a = rng.normal_matrix(n, n), b = rng.normal_matrix(n, n);
  Matrix c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  const double nd = static_cast<double>(n);
  report_flops(state, 2.0 * nd * nd * nd);
}
BENCHMARK(BM_Gemm)
    ->ArgName("n")
    ->Arg(kGemmSize)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------- the limit

enum class GemmLibrary { openblas, eigen };

// C = A·B (m×k by k×n) by OpenBLAS on `blas_threads` threads, or by Eigen
// (single-threaded in vibench), at the limit's size and at the shapes of
// the SVGD step: n×d by d×n (the distances' product, done as half of it, a
// rank update) and n×n by n×(d+1) (the kernel product), n ∈ {1000, 4000},
// d = 50; and square 1000 and 2000. Their fraction_of_limit shows how near
// the limit even a tuned BLAS comes at each shape (a thin inner dimension
// k = 50 leaves it below).
void BM_Dgemm(benchmark::State& state, GemmLibrary library) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  const int threads =
      library == GemmLibrary::openblas ? static_cast<int>(state.range(3)) : 1;
  if (threads > 1 && !openblas_is_parallel()) {
    state.SkipWithError("serial OpenBLAS: one thread only");
    return;
  }
  Rng rng(kSeedPoints);
  const Matrix a = rng.normal_matrix(m, k), b = rng.normal_matrix(k, n);
  Matrix c(m, n);
  if (library == GemmLibrary::openblas) {
    const OpenBlasThreads guard(threads);
    for (auto _ : state) {
      openblas_gemm(a, b, c);
      benchmark::DoNotOptimize(c.data());
    }
  } else {
    for (auto _ : state) {
      c.noalias() = a * b;
      benchmark::DoNotOptimize(c.data());
    }
  }
  report_flops(state,
               2.0 * static_cast<double>(m) * static_cast<double>(k) *
                   static_cast<double>(n),
               threads);
}

void gemm_shapes(benchmark::internal::Benchmark* b, bool blas_threads) {
  const std::vector<std::vector<std::int64_t>> shapes = {
      {kGemmSize, kGemmSize, kGemmSize},
      {1000, 50, 1000},
      {1000, 1000, 51},
      {4000, 50, 4000},
      {4000, 4000, 51},
      {1000, 1000, 1000},
      {2000, 2000, 2000}};
  if (blas_threads) {
    b->ArgNames({"m", "k", "n", "blas_threads"});
    for (const auto& shape : shapes)
      for (const std::int64_t threads : {1, 2})
        b->Args({shape[0], shape[1], shape[2], threads});
  } else {
    b->ArgNames({"m", "k", "n"});
    for (const auto& shape : shapes) b->Args(shape);
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK_CAPTURE(BM_Dgemm, openblas, GemmLibrary::openblas)
    ->Apply([](benchmark::internal::Benchmark* b) { gemm_shapes(b, true); });
BENCHMARK_CAPTURE(BM_Dgemm, eigen, GemmLibrary::eigen)
    ->Apply([](benchmark::internal::Benchmark* b) { gemm_shapes(b, false); });

// The multiply-add peak of one core per instruction set (bench/fma_peak.hpp),
// on 1 and 2 threads at once (one loop each): GFLOP/s per core is the rate
// over the threads.
void BM_FmaPeak(benchmark::State& state, FmaIsa isa) {
  constexpr std::int64_t kRounds = std::int64_t{1} << 16;
  double sum = 0.0;
  for (auto _ : state) sum += run_fma_chains(isa, kRounds);
  benchmark::DoNotOptimize(sum);
  report_flops(state, fma_flops_per_round(isa) * static_cast<double>(kRounds));
}

void register_fma_peaks() {
  for (const FmaIsa isa : supported_fma_isas())
    benchmark::RegisterBenchmark(
        (std::string("BM_FmaPeak/") + to_string(isa)).c_str(), BM_FmaPeak, isa)
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
}

// ---------------------------------------------------------------- SVGD

// Particles from N(0, I) and the scores of a standard normal target (−x):
// the direction's cost does not depend on the target.
// `tiled`: the tiled step, with state.range(2) tile rows; its flops are
// counted as the whole step's, so that the recomputed distances show as a
// lower fraction of the limit.
void BM_SvgdDirection(benchmark::State& state, KernelType kernel,
                      bool tiled = false) {
  const Index n = state.range(0), d = state.range(1);
  const Index tile_rows = tiled ? state.range(2) : 0;
  Rng rng(kSeedPoints + static_cast<std::uint64_t>(state.thread_index()));
  const Matrix x = rng.normal_matrix(n, d);
  const Matrix score = -x;
  KernelConfig config;
  config.type = kernel;
  SteinDirection stein(config, tile_rows);
  Matrix phi;
  stein.compute(x, score, phi);  // sizes the workspaces
  const std::size_t allocations_before = g_thread_allocations;
  for (auto _ : state) {
    benchmark::DoNotOptimize(stein.compute(x, score, phi));
    benchmark::ClobberMemory();
  }
  state.counters["allocs_per_step"] = benchmark::Counter(
      static_cast<double>(g_thread_allocations - allocations_before),
      benchmark::Counter::kAvgIterations);
  // The products the step executes: the lower triangle of X Xᵀ (a
  // symmetric rank-d update, n(n+1)d), then K·[S − (2/h)X̄, 1] for rbf
  // (2n²(d+1)), or K·S and D·[X̄, 1] for imq (2n²d + 2n²(d+1)).
  const double nd = static_cast<double>(n), dd = static_cast<double>(d);
  const double gram = nd * (nd + 1.0) * dd;
  const double products = kernel == KernelType::rbf
                              ? 2.0 * nd * nd * (dd + 1.0)
                              : 2.0 * nd * nd * (2.0 * dd + 1.0);
  report_flops(state, gram + products);
}

void svgd_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "d"});
  for (const Index n : {100, 1000, 4000})
    for (const Index d : {2, 50, 200}) b->Args({n, d});
  b->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK_CAPTURE(BM_SvgdDirection, rbf, KernelType::rbf)->Apply(svgd_args);
BENCHMARK_CAPTURE(BM_SvgdDirection, imq, KernelType::imq)->Apply(svgd_args);

// The tiled step (SteinDirection with tile rows), beyond the particle counts
// whose whole kernel fits, and at n = 4000 beside the whole one.
void svgd_tiled_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "d", "tile"});
  for (const Index tile : {64, 128, 256}) b->Args({4000, 50, tile});
  b->Args({20000, 50, 128});
  b->Threads(1)->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK_CAPTURE(BM_SvgdDirection, rbf_tiled, KernelType::rbf, true)
    ->Apply(svgd_tiled_args);
BENCHMARK_CAPTURE(BM_SvgdDirection, imq_tiled, KernelType::imq, true)
    ->Apply(svgd_tiled_args);

// The SVGD step's library calls alone, as the whole-kernel step makes them
// (core/symmetric_products.hpp, OpenBLAS with the native kernels): the
// lower triangle of X Xᵀ (dsyrk), then the symmetric kernel times [S, 1]
// (dsymm; rbf), or times S and [X̄, 1] (imq). Their time bounds the step's
// fraction of the limit from above, whatever its element-wise work costs;
// flops are counted as BM_SvgdDirection counts them.
void BM_SteinProducts(benchmark::State& state, KernelType kernel) {
  const Index n = state.range(0), d = state.range(1);
  Rng rng(kSeedPoints);
  const Matrix x = rng.normal_matrix(n, d);
  const Matrix score = rng.normal_matrix(n, d);  // S
  const Matrix right = rng.normal_matrix(n, d + 1);  // [S − (2/h)X̄, 1], [X̄, 1]
  LowerRankUpdate gram;
  SymmetricTimes times_k, times_d;
  // Two kernel-like matrices, K and (for imq) D, held apart as the step
  // holds them; only their lower triangles are read.
  Matrix lower;
  gram(x, -2.0, lower);
  const Matrix k_lower =
      (lower.array() / static_cast<double>(4 * d)).exp().matrix();
  const Matrix d_lower = -0.5 * k_lower;
  Matrix products, score_products;
  for (auto _ : state) {
    gram(x, -2.0, lower);
    if (kernel == KernelType::rbf) {
      times_k(k_lower, right, products);
    } else {
      times_k(k_lower, score, score_products);
      times_d(d_lower, right, products);
    }
    benchmark::DoNotOptimize(products.data());
    benchmark::ClobberMemory();
  }
  const double nd = static_cast<double>(n), dd = static_cast<double>(d);
  report_flops(state,
               nd * (nd + 1.0) * dd + (kernel == KernelType::rbf
                                           ? 2.0 * nd * nd * (dd + 1.0)
                                           : 2.0 * nd * nd * (2.0 * dd + 1.0)));
}
BENCHMARK_CAPTURE(BM_SteinProducts, rbf, KernelType::rbf)
    ->ArgNames({"n", "d"})
    ->Args({1000, 50})
    ->Args({4000, 50})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SteinProducts, imq, KernelType::imq)
    ->ArgNames({"n", "d"})
    ->Args({1000, 50})
    ->Args({4000, 50})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The rbf step's exp alone, as it makes it: exp(−u/h) over the n(n+1)/2
// entries on and below the diagonal of an n×n matrix, column by column
// (core/elementwise_exp.hpp). items_per_second: entries a second.
void BM_SteinExp(benchmark::State& state) {
  const Index n = state.range(0);
  Rng rng(kSeedPoints);
  const Matrix distances =
      (20.0 * rng.normal_matrix(n, n).array().abs()).matrix();
  Matrix k = distances;
  for (auto _ : state) {
    state.PauseTiming();
    k = distances;
    state.ResumeTiming();
    for (Index j = 0; j < n; ++j) exp_scaled(k.col(j).data() + j, n - j, -0.1);
    benchmark::DoNotOptimize(k.data());
  }
  state.SetItemsProcessed(state.iterations() * n * (n + 1) / 2);
}
BENCHMARK(BM_SteinExp)
    ->ArgName("n")
    ->Arg(1000)
    ->Arg(4000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------------ KSD descent

// ∇_X KSD² (KsdGradient, the step of ksd_descent, coin_ksdd and the KSD
// functional of mean_field_underdamped_langevin) at particles from N(0, I)
// with the standard normal's scores (−x) and Hessian (−I), rbf kernel and
// the median_code rule (ksd_descent's default). state.range(2) block rows
// (0: the nine n×n matrices whole). Flops are those of the whole form's
// seven n×n×d products (X Xᵀ, S Xᵀ, S Sᵀ, then K S, G′ X, C X and G′ S),
// 14n²d; the blocks execute one more (X Sᵀ per block), credited with the
// same, so that it shows as a lower fraction of the limit.
void BM_KsdGradient(benchmark::State& state) {
  const Index n = state.range(0), d = state.range(1);
  Rng rng(kSeedPoints);
  const Matrix x = rng.normal_matrix(n, d);
  const Matrix score = -x;
  KernelConfig config;
  config.rule = BandwidthRule::median_code;
  KsdGradient ksd(config, state.range(2));
  const auto hessian_times = [](const Matrix& v) -> Matrix { return -v; };
  Matrix grad;
  ksd.compute(x, score, hessian_times, grad);  // sizes the workspaces
  for (auto _ : state) {
    benchmark::DoNotOptimize(ksd.compute(x, score, hessian_times, grad));
    benchmark::ClobberMemory();
  }
  const double nd = static_cast<double>(n), dd = static_cast<double>(d);
  report_flops(state, 14.0 * nd * nd * dd);
}
BENCHMARK(BM_KsdGradient)
    ->ArgNames({"n", "d", "block"})
    ->Args({200, 50, 0})
    ->Args({200, 50, 128})
    ->Args({1000, 50, 0})
    ->Args({1000, 50, 128})
    ->Args({4000, 50, 0})
    ->Args({4000, 50, 128})
    ->Args({20000, 50, 128})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------ the bandwidth's median

// The median of the n(n − 1)/2 squared distances of n particles drawn from
// N(0, I), d = 50 (the SVGD table's), by each method:
//   full_select    copy the pairs, std::nth_element over all of them (the
//                  selection of metrics/pairwise.cpp);
//   radix_visits   the radix select of core/order_statistics.hpp, three
//                  visits of the formed matrix (the SVGD step's median
//                  before PairwiseMedian);
//   one_pass       PairwiseMedian over the formed matrix
//                  (median_below_diagonal: a sample, one pass);
//   produce        the loop that completes the distances from −2XXᵀ and
//                  the norms (SteinDirection's), without a median;
//   produce_fused  the same loop feeding PairwiseMedian each column as it
//                  is completed, as the SVGD step does: its time minus
//                  produce's is what the median adds to the step.
// All give the same number, checked bit for bit before timing.
enum class MedianMethod {
  full_select,
  radix_visits,
  one_pass,
  produce,
  produce_fused
};

// The distances' loop of SteinDirection::compute_lower_kernel, out of
// place (gram keeps −2XXᵀ for the next iteration), feeding `median` if
// given.
void complete_distances(const Matrix& gram, const Vector& norms, Matrix& d2,
                        PairwiseMedian* median) {
  const Index n = gram.rows();
  for (Index j = 0; j < n; ++j) {
    auto column = d2.col(j).tail(n - j).array();
    column = ((gram.col(j).tail(n - j).array() + norms.tail(n - j).array()) +
              norms(j))
                 .cwiseMax(0.0);
    column(0) = 0.0;
    if (median)
      median->add(d2.col(j).data() + j + 1,
                  static_cast<std::size_t>(n - j - 1));
  }
}

double full_select_median(const Matrix& d2, std::vector<double>& pairs) {
  const Index n = d2.rows();
  pairs.clear();
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) pairs.push_back(d2(i, j));
  const auto mid =
      pairs.begin() + static_cast<std::ptrdiff_t>(pairs.size() / 2);
  std::nth_element(pairs.begin(), mid, pairs.end());
  if (pairs.size() % 2 == 1) return *mid;
  return 0.5 * (*mid + *std::max_element(pairs.begin(), mid));
}

void BM_MedianSelect(benchmark::State& state, MedianMethod method) {
  const Index n = state.range(0);
  constexpr Index kDim = 50;
  Rng rng(kSeedPoints);
  const Matrix x = rng.normal_matrix(n, kDim);
  const Vector norms = x.rowwise().squaredNorm();
  const Matrix gram = -2.0 * x * x.transpose();
  Matrix d2(n, n);
  complete_distances(gram, norms, d2, nullptr);
  const std::uint64_t pairs =
      static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n - 1) / 2;
  SelectionScratch scratch;
  std::vector<double> copy;
  const auto gram_pair = [&](Index i, Index j) {
    return std::max((gram(i, j) + norms(i)) + norms(j), 0.0);
  };
  const auto fused = [&]() {
    PairwiseMedian median(n, gram_pair, scratch);
    complete_distances(gram, norms, d2, &median);
    return median.finish(strictly_lower_visit(d2));
  };
  // Every method's value, bit for bit.
  const double expected = full_select_median(d2, copy);
  const double values[] = {
      median_of_nonnegative(strictly_lower_visit(d2), pairs, pairs, scratch),
      median_below_diagonal(d2, scratch), fused()};
  for (const double value : values)
    if (std::bit_cast<std::uint64_t>(value) !=
        std::bit_cast<std::uint64_t>(expected)) {
      state.SkipWithError("the methods' medians differ");
      return;
    }
  for (auto _ : state) {
    double value = 0.0;
    switch (method) {
      case MedianMethod::full_select:
        value = full_select_median(d2, copy);
        break;
      case MedianMethod::radix_visits:
        value = median_of_nonnegative(strictly_lower_visit(d2), pairs, pairs,
                                      scratch);
        break;
      case MedianMethod::one_pass:
        value = median_below_diagonal(d2, scratch);
        break;
      case MedianMethod::produce:
        complete_distances(gram, norms, d2, nullptr);
        value = d2(n - 1, 0);
        break;
      case MedianMethod::produce_fused:
        value = fused();
        break;
    }
    benchmark::DoNotOptimize(value);
    benchmark::ClobberMemory();
  }
  state.counters["pairs"] = static_cast<double>(pairs);
}

void median_args(benchmark::internal::Benchmark* b) {
  b->ArgName("n")->Arg(1000)->Arg(4000)->UseRealTime()->Unit(
      benchmark::kMillisecond);
}
BENCHMARK_CAPTURE(BM_MedianSelect, full_select, MedianMethod::full_select)
    ->Apply(median_args);
BENCHMARK_CAPTURE(BM_MedianSelect, radix_visits, MedianMethod::radix_visits)
    ->Apply(median_args);
BENCHMARK_CAPTURE(BM_MedianSelect, one_pass, MedianMethod::one_pass)
    ->Apply(median_args);
BENCHMARK_CAPTURE(BM_MedianSelect, produce, MedianMethod::produce)
    ->Apply(median_args);
BENCHMARK_CAPTURE(BM_MedianSelect, produce_fused, MedianMethod::produce_fused)
    ->Apply(median_args);

// ------------------------------------------------ logistic regression

// Synthetic logistic regression tasks, built once per (rows, features,
// batch) and shared by every benchmark and thread (tasks are immutable and
// thread-safe).
std::shared_ptr<const Distribution> lr_task(Index rows, Index features,
                                            Index batch) {
  static std::mutex mutex;
  static std::map<std::vector<Index>, std::shared_ptr<const Distribution>>
      cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& task = cache[{rows, features, batch}];
  if (!task) {
    const TaskEntry* entry =
        TaskRegistry::instance().find("logistic_regression");
    // test_fraction 0: every row is a training row, so N is n_data.
    const Json params = {{"data", "synthetic"},
                         {"n_data", rows},
                         {"dim", features},
                         {"test_fraction", 0.0},
                         {"batch_size", batch}};
    task = std::dynamic_pointer_cast<const Distribution>(entry->make(
        Params(validate_params(params, entry->params, "", entry->name))));
  }
  return task;
}

// Covertype's 54 features (the task adds the intercept: 55 weights).
constexpr Index kCovertypeFeatures = 54;
constexpr Index kMinibatch = 1000;  // rows per minibatch gradient

void BM_LogRegGradient(benchmark::State& state) {
  const Index n = state.range(0), rows = state.range(1), batch = state.range(2);
  const int omp_threads = static_cast<int>(state.range(3));
  const auto task = lr_task(rows, kCovertypeFeatures, batch);
  const Index p = task->dim();
  Rng rng(kSeedOther + static_cast<std::uint64_t>(state.thread_index()));
  const Matrix w = 0.1 * rng.normal_matrix(n, p);
  Vector logp;
  Matrix grad;
  omp_set_num_threads(omp_threads);
  const std::size_t allocations_before = g_thread_allocations;
  for (auto _ : state) {
    if (batch == 0)
      task->log_prob_grad(w, logp, grad);
    else
      task->log_prob_grad_minibatch(w, rng, logp, grad);
    benchmark::DoNotOptimize(grad.data());
  }
  state.counters["allocs_per_call"] = benchmark::Counter(
      static_cast<double>(g_thread_allocations - allocations_before),
      benchmark::Counter::kAvgIterations);
  omp_set_num_threads(omp_get_num_procs());
  // logits = X_B Wᵀ and gradient Rᵀ X_B: 2 products of B·p·n each.
  const double used_rows = static_cast<double>(batch == 0 ? rows : batch);
  report_flops(
      state, 4.0 * used_rows * static_cast<double>(p) * static_cast<double>(n),
      omp_threads);
  state.counters["omp_threads"] = omp_threads;
}

void lr_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "N", "batch", "omp"});
  for (const Index rows : {10'000, 100'000, 1'000'000})
    for (const Index n : {1, 20, 100}) b->Args({n, rows, 0, 1});
  // The library's own block parallelism (OpenMP within one call).
  b->Args({100, 1'000'000, 0, 2});
  for (const Index n : {1, 20, 100}) b->Args({n, 1'000'000, kMinibatch, 1});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_LogRegGradient)->Apply(lr_args);

// The two products of that gradient alone, with its shapes and operand
// layouts (row blocks of logistic::kRowBlock of a row-major table of 55
// columns, all the points at once; the library's calls, through OpenBLAS):
// logits = X_b Wᵀ and −Rᵀ X_b. Their rate bounds the gradient's fraction of
// the limit, whatever its element-wise work costs.
void BM_LogRegProducts(benchmark::State& state) {
  const Index n = state.range(0), rows = state.range(1),
              p = kCovertypeFeatures + 1;
  Rng rng(kSeedPoints);
  const RowMatrix x = rng.normal_matrix(rows, p);
  const Matrix w = 0.1 * rng.normal_matrix(n, p);
  Matrix logits(logistic::kRowBlock, n), partial(n, p);
  for (auto _ : state) {
    for (Index first = 0; first < rows; first += logistic::kRowBlock) {
      const Index count = std::min(logistic::kRowBlock, rows - first);
      const double* xb = x.data() + first * p;
      openblas_gemm_operands(count, n, p, 1.0, {xb, p, true},
                             {w.data(), n, true}, logits.data(), count);
      openblas_gemm_operands(n, p, count, -1.0, {logits.data(), count, true},
                             {xb, p, true}, partial.data(), n);
    }
    benchmark::DoNotOptimize(partial.data());
  }
  report_flops(state, 4.0 * static_cast<double>(rows) * static_cast<double>(p) *
                          static_cast<double>(n));
}
BENCHMARK(BM_LogRegProducts)
    ->ArgNames({"n", "N"})
    ->Args({100, 1'000'000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------- objectives

// A registered objective built once per parameter set and shared (tasks are
// immutable and thread-safe).
std::shared_ptr<const Objective> objective_task(const std::string& name,
                                                const Json& params) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Objective>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& task = cache[name + params.dump()];
  if (!task) {
    const TaskEntry* entry = TaskRegistry::instance().find(name);
    task = std::dynamic_pointer_cast<const Objective>(entry->make(
        Params(validate_params(params, entry->params, "", entry->name))));
  }
  return task;
}

// The logistic-loss objective's full gradient for n iterates at once (the
// optimizers' batched oracle): the same two products as the posterior's.
void BM_ObjectiveGradient(benchmark::State& state) {
  const Index n = state.range(0), rows = state.range(1);
  const auto task = objective_task(
      "logistic_loss",
      {{"data", "synthetic"}, {"n_data", rows}, {"dim", kCovertypeFeatures}});
  const Index p = task->dim();
  Rng rng(kSeedOther + static_cast<std::uint64_t>(state.thread_index()));
  const Matrix w = 0.1 * rng.normal_matrix(n, p);
  Vector f;
  Matrix grad;
  for (auto _ : state) {
    task->value_grad(w, f, grad);
    benchmark::DoNotOptimize(grad.data());
  }
  report_flops(state, 4.0 * static_cast<double>(rows) * static_cast<double>(p) *
                          static_cast<double>(n));
}
BENCHMARK(BM_ObjectiveGradient)
    ->ArgNames({"n", "N"})
    ->Args({1, 100'000})
    ->Args({20, 100'000})
    ->Args({100, 100'000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// One log-domain Sinkhorn iteration (two soft-minima over the n × m cost)
// through the counting oracle. Its work is n·m exponentials per half step,
// not a matrix product: the flops counted are the 2nm multiply-adds a
// kernel-vector product K v would take, so its fraction of the GEMM rate
// shows how far the log domain's exponentials are from product speed.
void BM_SinkhornIteration(benchmark::State& state) {
  const Index n = state.range(0);
  const auto task = objective_task(
      "entropic_ot", {{"n_source", n}, {"n_target", n}, {"epsilon", 0.1}});
  Counters counters;
  const ObjectiveOracle oracle(*task, counters);
  const TransportProblem& t = task->transport();
  const Vector log_a = t.a.array().log().matrix();
  const Vector log_b = t.b.array().log().matrix();
  Vector f = Vector::Zero(n), g = Vector::Zero(n);
  for (auto _ : state) {
    f = t.epsilon * log_a + oracle.transport_softmin_rows(g);
    g = t.epsilon * log_b + oracle.transport_softmin_cols(f);
    benchmark::DoNotOptimize(g.data());
  }
  const double nn = static_cast<double>(n);
  report_flops(state, 2.0 * 2.0 * nn * nn);
}
BENCHMARK(BM_SinkhornIteration)
    ->ArgName("n")
    ->Arg(200)
    ->Arg(500)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------------ metrics

enum class MetricKind { energy, mmd, mmd_median, ksd };

void BM_Metric(benchmark::State& state, MetricKind kind) {
  const Index n = state.range(0), d = state.range(1);
  Rng rng(kSeedPoints + static_cast<std::uint64_t>(state.thread_index()));
  const Matrix x = rng.normal_matrix(n, d);
  const Matrix y = rng.normal_matrix(n, d).array() + 0.5;
  const Matrix score = -x;
  const double bandwidth = 1.0;
  for (auto _ : state) {
    double value = 0.0;
    switch (kind) {
      case MetricKind::energy:
        value = energy_distance(x, y);
        break;
      case MetricKind::mmd:
        value = mmd_squared(x, y, bandwidth);
        break;
      case MetricKind::mmd_median:  // the `mmd` metric's default
        value = mmd_squared(x, y, mmd_median_bandwidth(x, y));
        break;
      case MetricKind::ksd:
        value = ksd_squared(x, score);
        break;
    }
    benchmark::DoNotOptimize(value);
  }
  const double nd = static_cast<double>(n), dd = static_cast<double>(d);
  // energy, mmd: cross distances X Yᵀ (2n²d) + the within-set X Xᵀ and
  // Y Yᵀ, each computed for the pairs i ≤ j only (n²d each); ksd: X Xᵀ,
  // X Sᵀ, S Xᵀ and S Sᵀ for the pairs i ≤ j only (n²d each).
  // mmd_median adds the pooled 2n points' distances for the pairs i < j
  // ((2n)²d).
  report_flops(state,
               (kind == MetricKind::mmd_median ? 8.0 : 4.0) * nd * nd * dd);
}

void metric_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "d"});
  for (const Index n : {500, 2000, 8000})
    for (const Index d : {2, 50}) b->Args({n, d});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK_CAPTURE(BM_Metric, energy_distance, MetricKind::energy)
    ->Apply(metric_args);
BENCHMARK_CAPTURE(BM_Metric, mmd, MetricKind::mmd)->Apply(metric_args);
BENCHMARK_CAPTURE(BM_Metric, mmd_median, MetricKind::mmd_median)
    ->Apply(metric_args);
BENCHMARK_CAPTURE(BM_Metric, ksd, MetricKind::ksd)->Apply(metric_args);

// Exact W2 by LEMON's network simplex (n·m arcs) and the sliced W2 (100
// projections): wall time per evaluation, the target being seconds
// at n = m = 2000.
void BM_Wasserstein(benchmark::State& state, bool sliced) {
  const Index n = state.range(0), d = state.range(1);
  Rng rng(kSeedPoints + static_cast<std::uint64_t>(state.thread_index()));
  const Matrix x = rng.normal_matrix(n, d);
  const Matrix y = rng.normal_matrix(n, d).array() + 0.5;
  for (auto _ : state)
    benchmark::DoNotOptimize(sliced ? sliced_wasserstein_2(x, y, 100, 0)
                                    : wasserstein_exact(x, y, 2));
}
void wasserstein_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "d"});
  for (const Index n : {500, 1000, 2000}) b->Args({n, 10});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK_CAPTURE(BM_Wasserstein, exact_w2, false)->Apply(wasserstein_args);
BENCHMARK_CAPTURE(BM_Wasserstein, sliced_w2, true)->Apply(wasserstein_args);

// ------------------------------------------------- peer comparison mode

// IN: int64 n, int64 d, then x and the scores, n·d doubles each, row-major
// (numpy's tofile of C-ordered float64 arrays). OUT: φ in the same layout,
// preceded by n, d. Prints the median seconds per call over REPS calls.
int peer_svgd(const std::string& in_path, const std::string& out_path,
              const std::string& kernel, int reps, int threads) {
  std::ifstream in(in_path, std::ios::binary);
  std::int64_t shape[2] = {0, 0};
  in.read(reinterpret_cast<char*>(shape), sizeof shape);
  if (!in || shape[0] < 1 || shape[1] < 1)
    throw std::runtime_error("cannot read " + in_path);
  if (threads < 1) throw std::runtime_error("threads must be at least 1");
  const Index n = shape[0], d = shape[1];
  using RowMajor =
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor xr(n, d), sr(n, d);
  const auto bytes = static_cast<std::streamsize>(n * d * sizeof(double));
  in.read(reinterpret_cast<char*>(xr.data()), bytes);
  in.read(reinterpret_cast<char*>(sr.data()), bytes);
  if (!in) throw std::runtime_error("truncated input " + in_path);
  const Matrix x = xr, score = sr;
  KernelConfig config;
  config.type = kernel == "imq" ? KernelType::imq : KernelType::rbf;
  // One direction per thread, computed at once: vibench's parallelism is
  // over cells (one BLAS thread each), so on `threads` cores it computes
  // `threads` directions in the time of one; the time reported is per
  // direction (the wall time of a round over the threads).
  std::vector<SteinDirection> steins(static_cast<std::size_t>(threads),
                                     SteinDirection(config));
  std::vector<Matrix> phis(static_cast<std::size_t>(threads));
  double h = 0.0;
  std::vector<double> seconds;
  for (int r = -1; r < reps; ++r) {  // r = −1: warm-up, sizes the workspaces
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; ++t) {
      const double bandwidth = steins[static_cast<std::size_t>(t)].compute(
          x, score, phis[static_cast<std::size_t>(t)]);
      if (t == 0) h = bandwidth;
    }
    benchmark::DoNotOptimize(phis.front().data());
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (r >= 0) seconds.push_back(wall / threads);
  }
  std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2,
                   seconds.end());
  const RowMajor out_phi = phis.front();
  std::ofstream out(out_path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(shape), sizeof shape);
  out.write(reinterpret_cast<const char*>(out_phi.data()), bytes);
  std::printf("%.9g %.17g\n", seconds[seconds.size() / 2], h);
  return out ? 0 : 1;
}

// ------------------------------------------------------- games

// The operator of a K × K matrix game for n points at once: F_x from
// Y Aᵀ and F_y from X A, 2·2·n·K² flops (two products; the strategies'
// completion and the differences are O(nK)).
void BM_MatrixGameOperator(benchmark::State& state) {
  const Index k = state.range(0), n = state.range(1);
  static std::mutex mutex;
  static std::map<Index, std::shared_ptr<const SaddlePoint>> cache;
  std::shared_ptr<const SaddlePoint> game;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[k];
    if (!slot) {
      const TaskEntry* entry = TaskRegistry::instance().find("matrix_game");
      slot = std::dynamic_pointer_cast<const SaddlePoint>(entry->make(Params(
          validate_params({{"actions", k}}, entry->params, "", entry->name))));
    }
    game = slot;
  }
  Rng rng(kSeedPoints);
  const Matrix z = game->initial_points(n, rng);
  for (auto _ : state) {
    Matrix field = game->operator_value(z);
    benchmark::DoNotOptimize(field.data());
  }
  const double kk = static_cast<double>(k);
  report_flops(state, 4.0 * static_cast<double>(n) * kk * kk);
}
BENCHMARK(BM_MatrixGameOperator)
    ->ArgNames({"K", "n"})
    ->Args({100, 1})
    ->Args({1000, 1})
    ->Args({1000, 16})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------- bilevel oracles

// The logistic bilevel problem's inner gradient (0) and Hessian-vector
// product (1) for n points on rows × 50 synthetic training rows: the
// gradient is two products over the data (logits A W, then Aᵀ r), 4·rows·d·n
// flops; the Hessian-vector product three (A W, A V, Aᵀ(σ′ ⊙ AV)),
// 6·rows·d·n. The shared kernels split the rows into blocks over OpenMP
// threads, so on two cores the rate can pass one core's GEMM rate.
void BM_LogisticBilevelOracle(benchmark::State& state) {
  const Index which = state.range(0), rows = state.range(1), n = state.range(2);
  constexpr Index kDim = 50;
  static std::mutex mutex;
  static std::map<Index, std::shared_ptr<const Bilevel>> cache;
  std::shared_ptr<const Bilevel> task;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[rows];
    if (!slot) {
      const TaskEntry* entry =
          TaskRegistry::instance().find("logistic_hyperparameters");
      // Training rows = n_data · (1 − 0.25 − 0.25).
      slot = std::dynamic_pointer_cast<const Bilevel>(entry->make(
          Params(validate_params({{"n_data", 2 * rows}, {"dim", kDim}},
                                 entry->params, "", entry->name))));
    }
    task = slot;
  }
  Rng rng(kSeedPoints);
  const Matrix x = 0.1 * rng.normal_matrix(n, task->dim_x());
  const Matrix w = 0.1 * rng.normal_matrix(n, task->dim_y());
  const Matrix v = rng.normal_matrix(n, task->dim_y());
  Matrix gx, gy;
  for (auto _ : state) {
    if (which == 0) {
      task->inner_grad(x, w, gx, gy);
      benchmark::DoNotOptimize(gy.data());
    } else {
      Matrix hv = task->inner_hvp_yy(x, w, v);
      benchmark::DoNotOptimize(hv.data());
    }
  }
  const double products = which == 0 ? 2.0 : 3.0;
  // The kernels split the rows over OpenMP's default team: its limit.
  report_flops(state,
               products * 2.0 * static_cast<double>(task->inner_data_size()) *
                   static_cast<double>(task->dim_y()) * static_cast<double>(n),
               omp_get_max_threads());
}
BENCHMARK(BM_LogisticBilevelOracle)
    ->ArgNames({"hvp", "rows", "n"})
    ->Args({0, 100000, 16})
    ->Args({1, 100000, 16})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------- optimizer steps

// ½ Σ_j λ_j x_j² with λ log-spaced in [1, 10], written so that a call with
// sized outputs allocates nothing: what an optimizer's step allocates
// beyond it is then the optimizer's own.
class AllocationFreeQuadratic final : public Objective {
 public:
  explicit AllocationFreeQuadratic(Index d) : lambda_(d) {
    const double last = static_cast<double>(std::max<Index>(1, d - 1));
    for (Index j = 0; j < d; ++j)
      lambda_(j) = std::pow(10.0, static_cast<double>(j) / last);
  }
  Index dim() const override { return lambda_.size(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value};
  }
  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    grad.resize(x.rows(), x.cols());
    f.resize(x.rows());
    grad.noalias() = x * lambda_.asDiagonal();
    f.noalias() = 0.5 * grad.cwiseProduct(x).rowwise().sum();
  }
  double optimal_value() const override { return 0.0; }
  Vector optimum() const override { return Vector::Zero(dim()); }

 private:
  Vector lambda_;
};

constexpr Index kStepDim = 100;  // d of the optimizer-step benchmark

// What the timed steps of a step benchmark did: heap allocations, steps,
// and the counters before them.
struct TimedSteps {
  double allocations = 0;
  long long steps = 0;
  Counters counters_before;
};

// Takes 20 untimed steps (workspaces sized), then one per benchmark
// iteration, counting this thread's heap allocations over the timed ones.
TimedSteps time_steps(benchmark::State& state, Run& run,
                      const Counters& counters) {
  for (int warm = 0; warm < 20; ++warm) run.step();
  TimedSteps out;
  out.counters_before = counters;
  const std::size_t before = g_thread_allocations;
  for (auto _ : state) {
    run.step();
    ++out.steps;
  }
  out.allocations = static_cast<double>(g_thread_allocations - before);
  return out;
}

std::shared_ptr<const Algorithm> default_algorithm(
    const AlgorithmEntry& entry) {
  return entry.make(
      Params(validate_params(Json::object(), entry.params, "", entry.name)));
}

// Heap allocations of one optimizer step (default parameters) on the
// allocation-free quadratic, against the oracle's own per call: "a step
// adds no allocation to the oracle's cost" is step_allocs_beyond_oracle =
// 0. Timed too, per step.
void BM_OptimizerStep(benchmark::State& state, const AlgorithmEntry* entry) {
  const AllocationFreeQuadratic task(kStepDim);
  const auto algorithm = default_algorithm(*entry);
  const Index n = algorithm->num_points();
  Counters counters;
  const ObjectiveOracle oracle(task, counters);
  State initial;
  initial.points = Matrix::Constant(n, kStepDim, 1.0);
  // The oracle's own allocations per value_grad and per value call.
  Vector f;
  Matrix grad;
  oracle.value_grad(initial.points, f, grad);
  std::size_t before = g_thread_allocations;
  oracle.value_grad(initial.points, f, grad);
  const double per_value_grad =
      static_cast<double>(g_thread_allocations - before);
  before = g_thread_allocations;
  benchmark::DoNotOptimize(oracle.value(initial.points).data());
  const double per_value = static_cast<double>(g_thread_allocations - before);

  auto run = algorithm->start(oracle, initial, make_rng(kSeedOther));
  const TimedSteps timed = time_steps(state, *run, counters);
  const Counters& at_start = timed.counters_before;
  const double allocations = timed.allocations;
  const long long steps = timed.steps;
  const double rows = static_cast<double>(n);
  const double value_grad_calls =
      static_cast<double>(counters.grad_evals - at_start.grad_evals) / rows;
  const double value_calls =
      static_cast<double>(counters.value_evals - at_start.value_evals) / rows -
      value_grad_calls;
  const double per_step = 1.0 / static_cast<double>(std::max(1LL, steps));
  state.counters["allocs_per_step"] = allocations * per_step;
  state.counters["oracle_calls_per_step"] =
      (value_grad_calls + value_calls) * per_step;
  state.counters["step_allocs_beyond_oracle"] =
      (allocations - value_grad_calls * per_value_grad -
       value_calls * per_value) *
      per_step;
}

// One benchmark per registered optimizer that runs on a plain objective.
void register_optimizer_steps() {
  const AllocationFreeQuadratic probe(kStepDim);
  for (const AlgorithmEntry* entry : AlgorithmRegistry::instance().all()) {
    if (entry->kind != TaskKind::objective) continue;
    bool runs = true;
    for (Capability c : default_algorithm(*entry)->requirements())
      runs = runs && probe.offers(c);
    if (!runs) continue;
    benchmark::RegisterBenchmark(("BM_OptimizerStep/" + entry->name).c_str(),
                                 BM_OptimizerStep, entry)
        ->Unit(benchmark::kMicrosecond);
  }
}

// ------------------------------------------------------- saddle steps

// The bilinear game xᵀAy with A = diag(σ), σ log-spaced in [0.1, 1]:
// F(z) = (Ay, −Aᵀx), one allocation per call (its result), so that what a
// saddle method's step allocates beyond its calls is the method's own.
class AllocationLightBilinear final : public SaddlePoint {
 public:
  explicit AllocationLightBilinear(Index d) : sigma_(d) {
    const double last = static_cast<double>(std::max<Index>(1, d - 1));
    for (Index j = 0; j < d; ++j)
      sigma_(j) = 0.1 * std::pow(10.0, static_cast<double>(j) / last);
  }
  Index dim_x() const override { return sigma_.size(); }
  Index dim_y() const override { return sigma_.size(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::smoothness,
            Capability::linear_operator};
  }
  SaddleProperties properties() const override {
    return {.monotone = true, .lipschitz = sigma_.maxCoeff()};
  }
  Matrix operator_value(const Matrix& z) const override {
    const Index d = sigma_.size();
    Matrix out(z.rows(), 2 * d);
    out.leftCols(d).noalias() = z.rightCols(d) * sigma_.asDiagonal();
    out.rightCols(d).noalias() = -z.leftCols(d) * sigma_.asDiagonal();
    return out;
  }
  Vector value(const Matrix& z) const override {
    const Index d = sigma_.size();
    return (z.leftCols(d) * sigma_.asDiagonal())
        .cwiseProduct(z.rightCols(d))
        .rowwise()
        .sum();
  }
  Vector solution() const override { return Vector::Zero(dim()); }
  void linear_operator(Matrix& m, Vector& q) const override {
    const Index d = sigma_.size();
    m = Matrix::Zero(2 * d, 2 * d);
    m.topRightCorner(d, d) = sigma_.asDiagonal();
    m.bottomLeftCorner(d, d) = -Matrix(sigma_.asDiagonal());
    q = Vector::Zero(2 * d);
  }

 private:
  Vector sigma_;
};

// Heap allocations of one saddle step (default parameters) on the bilinear
// game above, against the oracle's own per operator call:
// step_allocs_beyond_oracle = 0 is "the step allocates nothing of its own".
// Resolvent methods (proximal point, Halpern) count their solves as calls.
void BM_SaddleStep(benchmark::State& state, const AlgorithmEntry* entry) {
  const AllocationLightBilinear task(kStepDim / 2);
  const auto algorithm = default_algorithm(*entry);
  const Index n = algorithm->num_points();
  Counters counters;
  const SaddlePointOracle oracle(task, counters);
  State initial;
  initial.points = Matrix::Constant(n, task.dim(), 1.0);
  benchmark::DoNotOptimize(oracle.operator_value(initial.points).data());
  std::size_t before = g_thread_allocations;
  benchmark::DoNotOptimize(oracle.operator_value(initial.points).data());
  const double per_call = static_cast<double>(g_thread_allocations - before);

  auto run = algorithm->start(oracle, initial, make_rng(kSeedOther));
  const TimedSteps timed = time_steps(state, *run, counters);
  const Counters& at_start = timed.counters_before;
  const double allocations = timed.allocations;
  const long long steps = timed.steps;
  const double calls =
      static_cast<double>(counters.grad_evals - at_start.grad_evals) /
      static_cast<double>(n);
  const double per_step = 1.0 / static_cast<double>(std::max(1LL, steps));
  state.counters["allocs_per_step"] = allocations * per_step;
  state.counters["operator_calls_per_step"] = calls * per_step;
  state.counters["step_allocs_beyond_oracle"] =
      (allocations - calls * per_call) * per_step;
}

// One benchmark per registered saddle method that runs on the game above
// under its defaults.
void register_saddle_steps() {
  const AllocationLightBilinear probe(kStepDim / 2);
  for (const AlgorithmEntry* entry : AlgorithmRegistry::instance().all()) {
    if (entry->kind != TaskKind::saddle_point) continue;
    const auto algorithm = default_algorithm(*entry);
    bool runs = incompatibility(probe, *algorithm).empty() &&
                algorithm->check_task(probe).empty();
    if (!runs) continue;
    benchmark::RegisterBenchmark(("BM_SaddleStep/" + entry->name).c_str(),
                                 BM_SaddleStep, entry)
        ->Unit(benchmark::kMicrosecond);
  }
}

// ------------------------------------------------------- line protocol

// Steps of an external sampler (bench/protocol_client.py: `requests`
// batched log_prob_grad requests of its n points per step, its state
// unchanged) against the same oracle calls made in-process, with n points of
// dimension 10, matrices in the form and polling time of the environment
// (VIBENCH_PROTOCOL_ENCODING, default frames; VIBENCH_PROTOCOL_SPIN_US,
// default 100: the label says which). overhead_us is what the protocol adds per
// step beyond the computation (both sides' messages, NumPy's conversions, the
// round trips through the socket); per_request_us is the cost of one more
// request in a step, (step(10 requests) − step(1 request))/9 beyond its oracle
// call: issue #18's target, under 50 µs per batched request.
double protocol_step_seconds(Index n, int requests, int measured_steps,
                             double& oracle_seconds) {
  const Index d = 10;
  const TaskEntry* task_entry = TaskRegistry::instance().find("gaussian");
  const auto task = task_entry->make(Params(
      validate_params({{"dim", d}}, task_entry->params, "", "gaussian")));
  Counters counters;
  const DistributionOracle oracle(static_cast<const Distribution&>(*task),
                                  counters);
  State initial;
  Rng rng = make_rng(kSeedOther);
  initial.points = rng.normal_matrix(n, d);

  Vector logp;
  Matrix grad;
  const int reps = 200;
  const auto oracle_start = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) {
    oracle.log_prob_grad(initial.points, logp, grad);
    benchmark::DoNotOptimize(grad.data());
  }
  oracle_seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - oracle_start)
                       .count() /
                   reps;

  const AlgorithmEntry* entry = AlgorithmRegistry::instance().find("external");
  const Json params = {
      {"command",
       {"/usr/bin/python3", VIBENCH_SOURCE_DIR "/bench/protocol_client.py"}},
      {"kind", "sampler"},
      {"n_points", n},
      {"args", {{"requests", requests}}}};
  const auto algorithm = entry->make(
      Params(validate_params(params, entry->params, "", "external")));
  auto run = algorithm->start(oracle, initial, make_rng(kSeedOther));
  RunLimits limits;
  limits.timeout_seconds = 3600;
  limits.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
  run->begin(limits);
  for (int warm = 0; warm < 20; ++warm) run->step();
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < measured_steps; ++s) run->step();
  const double per_step =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count() /
      measured_steps;
  run->end();
  return per_step;
}

void BM_ProtocolStep(benchmark::State& state) {
  const Index n = state.range(0);
  // Fewer steps for the larger batches: a few seconds each.
  const int steps = n >= 1000 ? 300 : 2000;
  double oracle_seconds = 0, step_one = 0, step_ten = 0;
  for (auto _ : state) {
    step_one = protocol_step_seconds(n, 1, steps, oracle_seconds);
    step_ten = protocol_step_seconds(n, 10, steps / 4, oracle_seconds);
  }
  const auto environment = [](const char* name, const char* unset) {
    const char* value = std::getenv(name);
    return std::string(value ? value : unset);
  };
  state.SetLabel(
      "encoding=" + environment("VIBENCH_PROTOCOL_ENCODING", "frames") +
      " spin_us=" +
      environment(
          "VIBENCH_PROTOCOL_SPIN_US",
          fmt::format("{}", LineProcess::kDefaultSpinMicroseconds).c_str()));
  state.counters["oracle_us"] = oracle_seconds * 1e6;
  state.counters["overhead_us"] = (step_one - oracle_seconds) * 1e6;
  state.counters["per_request_us"] =
      ((step_ten - step_one) / 9 - oracle_seconds) * 1e6;
}
BENCHMARK(BM_ProtocolStep)
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vibench

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--peer-svgd") == 0) {
    if (argc != 7) {
      std::cerr
          << "usage: vibench_bench --peer-svgd IN OUT rbf|imq REPS THREADS\n";
      return 2;
    }
    try {
      return vibench::peer_svgd(argv[2], argv[3], argv[4], std::stoi(argv[5]),
                                std::stoi(argv[6]));
    } catch (const std::exception& e) {
      std::cerr << "vibench_bench: " << e.what() << "\n";
      return 1;
    }
  }
  // The limit and Eigen's rate first, before any other benchmark, so every
  // fraction in this run divides by rates measured in the same process and
  // conditions. A serial OpenBLAS runs one thread: its 2-thread limit is
  // then taken as twice the 1-thread one (reported as assumed).
  vibench::g_gemm_flops_per_second = vibench::measure_gemm_rate();
  vibench::g_limit_flops_per_second_1 = vibench::measure_limit_rate(1);
  const bool parallel_limit = vibench::openblas_is_parallel();
  vibench::g_limit_flops_per_second_2 =
      parallel_limit ? vibench::measure_limit_rate(2)
                     : 2.0 * vibench::g_limit_flops_per_second_1;
  benchmark::AddCustomContext(
      "gemm_GFLOPs_1thread",
      std::to_string(vibench::g_gemm_flops_per_second / vibench::kGiga));
  benchmark::AddCustomContext(
      "limit_GFLOPs_1thread",
      std::to_string(vibench::g_limit_flops_per_second_1 / vibench::kGiga));
  benchmark::AddCustomContext(
      "limit_GFLOPs_2threads",
      std::to_string(vibench::g_limit_flops_per_second_2 / vibench::kGiga));
  benchmark::AddCustomContext("limit_2threads",
                              parallel_limit ? "measured" : "assumed");
  benchmark::AddCustomContext("limit_size", std::to_string(vibench::kGemmSize));
  benchmark::AddCustomContext("openblas", vibench::openblas_description());
  // The library's kernels in this run (VIBENCH_KERNELS: native, the
  // default, or portable).
  benchmark::AddCustomContext("kernels",
                              vibench::kernel_backend_context().dump());
  vibench::register_fma_peaks();
  vibench::register_optimizer_steps();
  vibench::register_saddle_steps();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
