// The part shared by the bilevel problems whose lower level fits a softmax
// classifier on a table's training rows and whose upper level is the
// validation cross-entropy (data_hypercleaning, softmax_hyperparameters):
// the three-way split, the outer oracles (full, minibatch, per row), the
// error rates, and W*(x) — solved by the problem, cached — with ∇F by a
// dense solve. A problem derives from it, sets its own lower level and
// calls finish() once its training rows are final.
#pragma once

#include <vector>

#include "core/params.hpp"
#include "targets/bilevel/implicit_hypergradient.hpp"
#include "targets/bilevel/last_solution_cache.hpp"
#include "targets/models/softmax_model.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {

class SoftmaxBilevel : public Bilevel {
 public:
  static constexpr int kClasses = 10;
  // data, validation_fraction, test_fraction, split_seed, batch_size.
  static ParamSpecs data_params();

  Index dim_y() const override { return model_.dim(); }
  Index outer_data_size() const override { return validation_.size(); }
  Index inner_data_size() const override { return train_.size(); }
  Index batch_size() const override { return batch_; }
  // W = 0: every class equally likely.
  Matrix initial_inner_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_y());
  }
  // The softmax Hessian diag(p) − ppᵀ is at most ½I: f's curvature is at
  // most ½λ_max(A_vᵀA_v/m).
  double outer_smoothness() const override { return outer_smoothness_; }

  Vector outer_value(const Matrix& x, const Matrix& w) const override;
  void outer_grad(const Matrix& x, const Matrix& w, Matrix& fx,
                  Matrix& fy) const override;
  Index outer_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& fx, Matrix& fy) const override;
  void outer_sample_terms(const RowVector& x, const RowVector& y,
                          const std::vector<Index>& rows, Matrix& fx,
                          Matrix& fy) const override;
  Matrix inner_solution(const Matrix& x) const override;
  Matrix hypergradient(const Matrix& x) const override;
  Vector error_rate(const Matrix& x, const Matrix& w,
                    Split split) const override;

 protected:
  // Reads the table and splits it: test rows first, the rest into
  // validation and training rows, standardized on both.
  explicit SoftmaxBilevel(const Params& p);
  // The model, the curvature bounds and the batch check, from the final
  // training rows.
  void finish();
  // W*(x) with ∇²_WW g factorized, to machine precision.
  virtual InnerSolution solve_inner(const RowVector& x) const = 0;
  InnerSolution solve(const RowVector& x) const;

  SoftmaxRows train_, validation_, test_;
  SoftmaxModel model_;
  Index batch_;
  // ½λ_max(AᵀA/n) of the training rows: the data's curvature at most.
  double train_curvature_max_ = 0;

 private:
  double outer_smoothness_ = 0;
  LastSolutionCache<InnerSolution> solutions_;
};

}  // namespace vibench
