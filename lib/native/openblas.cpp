#include "native/openblas.hpp"

#include <cblas.h>
#include <omp.h>

namespace vibench {

namespace {

blasint blas_int(Index value) { return static_cast<blasint>(value); }

// One BLAS thread for the products of the library (see the header): the
// calling thread's OpenMP default set to 1 while a call runs.
class OneBlasThread {
 public:
  OneBlasThread() : before_(omp_get_max_threads()) {
    if (before_ != 1) omp_set_num_threads(1);
  }
  ~OneBlasThread() {
    if (before_ != 1) omp_set_num_threads(before_);
  }
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  int before_;
};

}  // namespace

void openblas_gemm(const Matrix& a, const Matrix& b, Matrix& c) {
  c.resize(a.rows(), b.cols());
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, blas_int(a.rows()),
              blas_int(b.cols()), blas_int(a.cols()), 1.0, a.data(),
              blas_int(a.outerStride()), b.data(), blas_int(b.outerStride()),
              0.0, c.data(), blas_int(c.outerStride()));
}

void openblas_lower_rank_update(const Matrix& x, double alpha, Matrix& c) {
  const Index n = x.rows(), d = x.cols();
  c.resize(n, n);
  if (n == 0) return;
  if (d == 0) {
    c.triangularView<Eigen::Lower>().setZero();
    return;
  }
  const OneBlasThread one_thread;
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, blas_int(n), blas_int(d),
              alpha, x.data(), blas_int(x.outerStride()), 0.0, c.data(),
              blas_int(c.outerStride()));
}

void openblas_symmetric_times(const Matrix& lower, const Matrix& b,
                              Matrix& out) {
  const Index n = lower.rows(), cols = b.cols();
  out.resize(n, cols);
  if (n == 0 || cols == 0) return;
  const OneBlasThread one_thread;
  cblas_dsymm(CblasColMajor, CblasLeft, CblasLower, blas_int(n), blas_int(cols),
              1.0, lower.data(), blas_int(lower.outerStride()), b.data(),
              blas_int(b.outerStride()), 0.0, out.data(),
              blas_int(out.outerStride()));
}

void openblas_gemm_operands(Index m, Index n, Index k, double alpha,
                            GemmOperand a, GemmOperand b, double* c, Index ldc,
                            double beta) {
  if (m == 0 || n == 0) return;
  const OneBlasThread one_thread;
  cblas_dgemm(CblasColMajor, a.transposed ? CblasTrans : CblasNoTrans,
              b.transposed ? CblasTrans : CblasNoTrans, blas_int(m),
              blas_int(n), blas_int(k), alpha, a.data,
              blas_int(a.leading_dimension), b.data,
              blas_int(b.leading_dimension), beta, c, blas_int(ldc));
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
