#include "core/block_product.hpp"

#include "core/kernel_backend.hpp"

#ifdef VIBENCH_NATIVE_KERNELS
#include "native/openblas.hpp"
#endif

namespace vibench {

namespace {

// c (+)= alpha · A B with A and B the operands after their transposes.
template <class A, class B>
void eigen_product(double alpha, const A& a, const B& b, MatrixView& c,
                   Product product) {
  if (product == Product::assign)
    c.noalias() = alpha * (a * b);
  else
    c.noalias() += alpha * (a * b);
}

}  // namespace

void block_product(double alpha, const ConstMatrixView& a, Operand op_a,
                   const ConstMatrixView& b, Operand op_b, MatrixView c,
                   Product product) {
  const bool ta = op_a == Operand::transposed;
  const bool tb = op_b == Operand::transposed;
#ifdef VIBENCH_NATIVE_KERNELS
  if (native_kernels()) {
    openblas_gemm_operands(
        c.rows(), c.cols(), ta ? a.rows() : a.cols(), alpha,
        {a.data(), a.outerStride(), ta}, {b.data(), b.outerStride(), tb},
        c.data(), c.outerStride(), product == Product::accumulate ? 1.0 : 0.0);
    return;
  }
#endif
  if (ta && tb)
    eigen_product(alpha, a.transpose(), b.transpose(), c, product);
  else if (ta)
    eigen_product(alpha, a.transpose(), b, c, product);
  else if (tb)
    eigen_product(alpha, a, b.transpose(), c, product);
  else
    eigen_product(alpha, a, b, c, product);
}

}  // namespace vibench
