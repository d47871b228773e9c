// A general matrix product over blocks of column-major matrices (tiles of a
// larger matrix, rows of the particles), by the process's kernel backend
// (core/kernel_backend.hpp): OpenBLAS's dgemm on one thread (native) or
// Eigen's product (portable). The tiled SVGD step
// (algorithms/samplers/stein_kernel.hpp) forms its kernel a tile at a time
// with it.
#pragma once

#include "core/types.hpp"

namespace vibench {

// A read-only block (a matrix, or rows or a tile of one) and a writable one.
using ConstMatrixView = Eigen::Ref<const Matrix>;
using MatrixView = Eigen::Ref<Matrix>;

enum class Operand { as_is, transposed };
enum class Product { assign, accumulate };

// c = alpha · op(a) op(b) (assign: c is not read) or c += alpha · op(a)
// op(b) (accumulate), where op transposes the blocks marked `transposed`;
// c must already have the product's shape.
void block_product(double alpha, const ConstMatrixView& a, Operand op_a,
                   const ConstMatrixView& b, Operand op_b, MatrixView c,
                   Product product);

}  // namespace vibench
