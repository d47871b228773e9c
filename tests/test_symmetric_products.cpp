// The symmetric products with kept buffers against Eigen's own operators:
// equal bit for bit, on repeated calls, after a change of shape, and in a
// copy, in the portable kernel backend (the native one is OpenBLAS's,
// tested in test_kernel_backend.cpp).
#include <doctest/doctest.h>

#include "core/kernel_backend.hpp"
#include "core/rng.hpp"
#include "core/symmetric_products.hpp"

using namespace vibench;

TEST_CASE("symmetric products: equal to Eigen's operators bit for bit") {
  const ScopedKernelBackend portable(KernelBackend::portable);
  Rng rng(17);
  LowerRankUpdate rank_update;
  SymmetricTimes times;
  // Shapes below and above Eigen's stack limit, and back (the kept
  // blocking must follow the shape).
  for (const auto& [n, d] : {std::pair<Index, Index>{5, 3},
                             {300, 2},
                             {700, 51},
                             {700, 51},
                             {40, 120},
                             {700, 51}}) {
    INFO("n = " << n << ", d = " << d);
    const Matrix x = rng.normal_matrix(n, d);
    Matrix c = Matrix::Constant(n, n, 7.0), expected = c;
    rank_update(x, -2.0, c);
    expected.triangularView<Eigen::Lower>().setZero();
    expected.selfadjointView<Eigen::Lower>().rankUpdate(x, -2.0);
    CHECK(c.triangularView<Eigen::Lower>().toDenseMatrix() ==
          expected.triangularView<Eigen::Lower>().toDenseMatrix());
    // The strict upper triangle is left as it was.
    CHECK(c.triangularView<Eigen::StrictlyUpper>().toDenseMatrix() ==
          Matrix(Matrix::Constant(n, n, 7.0))
              .triangularView<Eigen::StrictlyUpper>()
              .toDenseMatrix());

    const Matrix b = rng.normal_matrix(n, d + 1);
    Matrix out, reference;
    times(c, b, out);
    reference.noalias() = c.selfadjointView<Eigen::Lower>() * b;
    CHECK(out == reference);
    // Against the mirrored full matrix, up to rounding.
    const Matrix full = c.selfadjointView<Eigen::Lower>();
    CHECK((out - full * b).cwiseAbs().maxCoeff() <=
          1e-12 * (1.0 + reference.cwiseAbs().maxCoeff()));
    SymmetricTimes copy = times;
    Matrix from_copy;
    copy(c, b, from_copy);
    CHECK(from_copy == reference);
  }
}
