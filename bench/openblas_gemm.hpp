// OpenBLAS, the tuned BLAS whose dgemm rate is the machine's FP64 limit in
// bench/ (linked into vibench_bench only: the library never calls a BLAS,
// so its results do not depend on one). Its header stays in
// openblas_gemm.cpp, away from Eigen's.
#pragma once

#include <string>

#include "core/types.hpp"

namespace vibench {

// c = a · b by OpenBLAS's dgemm (column-major); c is resized to fit.
void openblas_gemm(const Matrix& a, const Matrix& b, Matrix& c);

// OpenBLAS's thread count for the calls made while it lives. OpenBLAS's
// OpenMP build sets OpenMP's default thread count along with its own
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
// Haswell; threads: OpenMP)", for the run's context.
std::string openblas_description();

}  // namespace vibench
