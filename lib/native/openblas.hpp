// OpenBLAS: the matrix products of the native kernels (core/kernel_backend.hpp)
// and the tuned dgemm whose rate is the machine's FP64 limit in bench/. Its
// header (cblas.h) stays in openblas.cpp, away from Eigen's.
//
// Every product here runs on one thread, whatever OpenBLAS's own setting:
// parallelism is over cells (the runner's OpenMP loop, or one process per
// cell), and a BLAS pool of its own would fight it for the cores. With
// OpenBLAS's OpenMP build (the one CMakeLists.txt links) a call runs on
// omp_get_max_threads() threads of the calling thread, so each call sets
// that to 1 for its duration; its serial build has one thread anyway.
#pragma once

#include <string>

#include "core/types.hpp"

namespace vibench {

// c = a · b (dgemm); c is resized to fit.
void openblas_gemm(const Matrix& a, const Matrix& b, Matrix& c);

// c's lower triangle (diagonal included) = alpha · x xᵀ (dsyrk), its strict
// upper triangle untouched; c is resized to n×n.
void openblas_lower_rank_update(const Matrix& x, double alpha, Matrix& c);

// out = S b (dsymm) for the symmetric S whose lower triangle (diagonal
// included) is that of `lower`; out is resized to fit.
void openblas_symmetric_times(const Matrix& lower, const Matrix& b,
                              Matrix& out);

// c (m×n, column-major, leading dimension ldc) = alpha · op(a) op(b) +
// beta · c with op(a) m×k and op(b) k×n, each given column-major with its
// leading dimension and transposed when its flag is set (dgemm; with
// beta = 0, c is not read).
struct GemmOperand {
  const double* data;
  Index leading_dimension;
  bool transposed;
};
void openblas_gemm_operands(Index m, Index n, Index k, double alpha,
                            GemmOperand a, GemmOperand b, double* c, Index ldc,
                            double beta = 0.0);

// OpenBLAS's thread count for the calls made outside this file while it
// lives (bench/ measures the 2-thread limit with it). OpenBLAS's OpenMP
// build sets OpenMP's default thread count along with its own
// (omp_set_num_threads), which the library's parallel loops would inherit;
// the previous OpenMP count is restored on destruction.
class OpenBlasThreads {
 public:
  explicit OpenBlasThreads(int threads);
  ~OpenBlasThreads();
  OpenBlasThreads(const OpenBlasThreads&) = delete;
  OpenBlasThreads& operator=(const OpenBlasThreads&) = delete;

 private:
  int openmp_threads_before_;
};

// Whether OpenBLAS runs a call on several threads when asked (false for its
// serial build).
bool openblas_is_parallel();

// The OpenBLAS in use, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... (kernels:
// SkylakeX; threads: OpenMP)", for the run's context.
std::string openblas_description();

}  // namespace vibench
