// Multinomial logistic (softmax) regression, batched over points: the
// kernels shared by the bilevel problems whose lower level fits a softmax
// classifier (data_hypercleaning, softmax_hyperparameters).
//
// A point is W ∈ ℝ^{d×C} stored as y = vec(W) row by row (entry j·C + c is
// W_jc). The logits of all points are one product A·[W_1 … W_P] over the
// data. With P = softmax(AW), Y the one-hot labels and s ≥ 0 optional
// weights per row, the mean loss (1/n)Σ s_i CE_i has
//   gradient  Aᵀ(s ⊙ (P − Y))/n,
//   Hessian   Σ_i s_i (a_i a_iᵀ) ⊗ (diag(p_i) − p_i p_iᵀ) / n,
//   H·V       Aᵀ(s ⊙ (P ⊙ U − P ⊙ rowsum(P ⊙ U)))/n with U = AV,
// none of which forms a Hessian except the dense one Newton's method asks
// for.
#pragma once

#include <vector>

#include "core/types.hpp"
#include "targets/models/classification_data.hpp"

namespace vibench {

// Rows of one split: features (with the intercept column, if any) and
// labels 0…C−1.
struct SoftmaxRows {
  RowMatrix a;
  Matrix onehot;  // rows × C
  Vector labels;  // class indices, as doubles
  Index size() const { return a.rows(); }
  SoftmaxRows subset(const std::vector<Index>& which) const;
};
SoftmaxRows make_softmax_rows(const RowMatrix& a, const Vector& labels,
                              Index classes);

class SoftmaxModel {
 public:
  SoftmaxModel() = default;
  SoftmaxModel(Index features, Index classes)
      : features_(features), classes_(classes) {}
  Index features() const { return features_; }
  Index classes() const { return classes_; }
  Index dim() const { return features_ * classes_; }

  // [W_1 … W_P] (d × P·C) from the points' rows y = vec(W), and back.
  Matrix stacked(const Matrix& w) const;
  Matrix unstacked(const Matrix& m, Index points) const;

  // Softmax probabilities (rows × P·C) and per-row losses CE_i (rows × P).
  struct Fit {
    Matrix probabilities, loss;
  };
  Fit evaluate(const SoftmaxRows& rows, const Matrix& w) const;
  // The mean loss of each point (unweighted).
  Vector mean_loss(const SoftmaxRows& rows, const Matrix& w) const;

  // Aᵀ(s ⊙ (P − Y))/rows for each of `points` points, unstacked, from the
  // rows' fit (whose probabilities it turns into residuals in place);
  // `weights` (points × rows) or null for s = 1.
  Matrix loss_gradient(const SoftmaxRows& rows, Index points, Fit fit,
                       const Matrix* weights) const;
  // The loss's Hessian times v (points × dim) at the fit's points.
  Matrix loss_hessian_vector(const SoftmaxRows& rows, const Fit& fit,
                             const Matrix* weights, const Matrix& v) const;
  // The loss's dense Hessian (dim × dim) at one point whose probabilities
  // are `probabilities` (rows × C), with row weights `weights` (or null).
  Matrix loss_hessian(const SoftmaxRows& rows, const Matrix& probabilities,
                      const Vector* weights) const;
  // Each row's own term at one point, from that point's fit of the rows
  // (evaluate(rows, w) with w 1 × dim, computed once by the caller for all
  // three), one output row per data row, laid out like y: s_i (p_i − y_i) ⊗
  // a_i, the Hessian's s_i a_i ⊗ (diag(p_i) − p_i p_iᵀ)(Vᵀa_i) times v, and the
  // scalars ⟨p_i − y_i, Vᵀa_i⟩ (for a cross product with per-row weights).
  // `weights` (rows) or null for s = 1.
  Matrix row_gradients(const SoftmaxRows& rows, const Fit& fit,
                       const Vector* weights) const;
  Matrix row_hessian_vectors(const SoftmaxRows& rows, const Fit& fit,
                             const Matrix& v, const Vector* weights) const;
  Vector row_residual_dots(const SoftmaxRows& rows, const Fit& fit,
                           const Matrix& v) const;
  // The fraction of rows whose largest logit is not their label, per point.
  Vector error_rate(const SoftmaxRows& rows, const Matrix& w) const;

 private:
  Index features_ = 0, classes_ = 0;
};

}  // namespace vibench
