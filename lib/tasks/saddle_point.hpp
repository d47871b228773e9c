// Task kind 3: min_x max_y L(x, y), seen through its monotone operator
// F(z) = (∇_x L, −∇_y L) with z = (x, y).
#pragma once

#include "tasks/task.hpp"

namespace vibench {

class SaddlePoint : public Task {
 public:
  static constexpr TaskKind kKind = TaskKind::saddle_point;
  TaskKind kind() const final { return kKind; }
  Index dim() const final { return dim_x() + dim_y(); }
  virtual Index dim_x() const = 0;
  virtual Index dim_y() const = 0;

  // Batched: row i of the result is F(Z_i), Z_i = (x_i, y_i).
  virtual Matrix operator_value(const Matrix& z) const = 0;
  // L(x_i, y_i).
  virtual Vector value(const Matrix& z) const = 0;
  // minibatch: an unbiased estimate of F from a batch of the data's rows
  // drawn by `rng` (the same rows for every point); returns the rows read.
  // Used by the oracle instead of operator_value when batch_size() > 0.
  virtual Index operator_minibatch(const Matrix& z, Rng& rng,
                                   Matrix& field) const;

  virtual Vector solution() const;  // optimum: z*
};

}  // namespace vibench
