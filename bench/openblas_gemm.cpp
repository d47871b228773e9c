#include "openblas_gemm.hpp"

#include <cblas.h>
#include <omp.h>

namespace vibench {

void openblas_gemm(const Matrix& a, const Matrix& b, Matrix& c) {
  c.resize(a.rows(), b.cols());
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans,
              static_cast<blasint>(a.rows()), static_cast<blasint>(b.cols()),
              static_cast<blasint>(a.cols()), 1.0, a.data(),
              static_cast<blasint>(a.outerStride()), b.data(),
              static_cast<blasint>(b.outerStride()), 0.0, c.data(),
              static_cast<blasint>(c.outerStride()));
}

OpenBlasThreads::OpenBlasThreads(int threads)
    : openmp_threads_before_(omp_get_max_threads()) {
  openblas_set_num_threads(threads);
}

OpenBlasThreads::~OpenBlasThreads() {
  omp_set_num_threads(openmp_threads_before_);
}

bool openblas_is_parallel() {
  return openblas_get_parallel() != OPENBLAS_SEQUENTIAL;
}

std::string openblas_description() {
  const int parallel = openblas_get_parallel();
  const char* threads = parallel == OPENBLAS_OPENMP   ? "OpenMP"
                        : parallel == OPENBLAS_THREAD ? "pthreads"
                                                      : "serial";
  return std::string(openblas_get_config()) +
         " (kernels: " + openblas_get_corename() + "; threads: " + threads +
         ")";
}

}  // namespace vibench
