// `softmax_hyperparameters`: multinomial logistic regression with its own
// log-regularizers, tuned on validation rows (the multiclass problem of
// MAID's experiments — one regularizer per weight on MNIST — on the bundled
// `digits` table; PAPERS.md §7.6, §9.2).
//
//   inner  g(x, W) = (1/n) Σ_i CE(W; a_i, y_i) + ½ Σ_k e^{x_{r(k)}} W_k²
//   outer  f(x, W) = (1/m) Σ_j CE(W; a_j, y_j)          (validation rows)
//
// with W ∈ ℝ^{d×C} stored row by row (k = j·C + c; d features, standardized
// on the training and validation rows, plus an intercept) and r(k) the
// regularizer of weight k: k itself (`per_weight`, dim_x = d·C), its
// feature j (`per_feature`, d) or its class c (`per_class`, C). The
// softmax kernels and Newton's method are shared with data_hypercleaning
// (targets/models/softmax_model.hpp, softmax_newton.hpp). With
// ρ_k = e^{x_{r(k)}}:
//   ∇_W g = Aᵀ(P − Y)/n + ρ ⊙ W,   ∂g/∂x_r = ½ Σ_{r(k)=r} ρ_k W_k²,
//   ∇²_WW g·V = (softmax Hessian)·V + ρ ⊙ V,
//   (∇²_xW g·V)_r = Σ_{r(k)=r} ρ_k W_k V_k   (the regularizer alone),
// W*(x) by Newton's method to ‖∇_W g‖ ≤ 1e-11 and ∇F(x) by a dense solve.
#include <fmt/format.h>

#include <utility>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "targets/bilevel/implicit_hypergradient.hpp"
#include "targets/bilevel/last_solution_cache.hpp"
#include "targets/bilevel/softmax_bilevel.hpp"
#include "targets/bilevel/softmax_newton.hpp"
#include "targets/models/classification_data.hpp"
#include "targets/models/softmax_model.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

class SoftmaxHyperparametersTask final : public SoftmaxBilevel {
 public:
  static constexpr const char* kName = "softmax_hyperparameters";
  static constexpr const char* kDescription =
      "Multinomial logistic regression on the bundled digits table with one "
      "log-regularizer per weight, feature or class, tuned on validation "
      "rows; W*(x) by Newton, exact hypergradient by a dense solve, "
      "validation and test error rates";
  static constexpr const char* kDimensionRule =
      "(features + 1) × 10 per_weight, features + 1 per_feature, 10 "
      "per_class (the inner variable W has (features + 1) × 10)";

  static ParamSpecs params() {
    ParamSpecs specs = data_params();
    specs.push_back(ParamSpec::string(
        "regularizers", "per_weight",
        {"per_weight", "per_feature", "per_class"},
        "one log-regularizer e^{x} per weight W_jc (MAID's choice), per "
        "feature j, or per class c"));
    return specs;
  }

  explicit SoftmaxHyperparametersTask(const Params& p) : SoftmaxBilevel(p) {
    finish();
    const std::string kind = p.string("regularizers");
    const Index d = model_.features();
    regularizer_of_.resize(model_.dim());
    for (Index j = 0; j < d; ++j)
      for (Index c = 0; c < kClasses; ++c)
        regularizer_of_[j * kClasses + c] = kind == "per_weight"
                                                ? j * kClasses + c
                                            : kind == "per_feature" ? j
                                                                    : c;
    regularizers_ = kind == "per_weight"    ? model_.dim()
                    : kind == "per_feature" ? d
                                            : kClasses;
  }

  Index dim_x() const override { return regularizers_; }
  Capabilities capabilities() const override {
    Capabilities caps = {Capability::hypergradient, Capability::hessian_vector,
                         Capability::error_rates, Capability::error_bounds,
                         Capability::sample_terms};
    if (batch_ > 0) caps.insert(Capability::minibatch);
    return caps;
  }
  // e^0 = 1 on every weight.
  Matrix initial_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_x());
  }
  // ∇²_WW g = softmax curvature + diag(ρ): μ ≥ min e^x, L ≤ ½λ_max(AᵀA/n)
  // + max e^x; f's curvature is at most ½λ_max(A_vᵀA_v/m).
  Vector inner_strong_convexity(const Matrix& x) const override {
    return x.array().exp().rowwise().minCoeff().matrix();
  }
  Vector inner_smoothness_at(const Matrix& x) const override {
    return (train_curvature_max_ + x.array().exp().rowwise().maxCoeff())
        .matrix();
  }
  Vector inner_value(const Matrix& x, const Matrix& w) const override {
    return model_.mean_loss(train_, w) +
           0.5 *
               (ridge(x).array() * w.array().square()).rowwise().sum().matrix();
  }
  void inner_grad(const Matrix& x, const Matrix& w, Matrix& gx,
                  Matrix& gy) const override {
    inner_grad_on(train_, x, w, gx, gy);
  }
  Matrix inner_hvp_yy(const Matrix& x, const Matrix& w,
                      const Matrix& v) const override {
    return hvp_on(train_, x, w, v);
  }
  Matrix inner_cross(const Matrix& x, const Matrix& w,
                     const Matrix& v) const override {
    return to_regularizers((ridge(x).array() * w.array() * v.array()).matrix());
  }

  Index inner_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& gx, Matrix& gy) const override {
    inner_grad_on(train_.subset(sample_distinct(train_.size(), batch_, rng)), x,
                  w, gx, gy);
    return batch_;
  }
  Index inner_hvp_yy_minibatch(const Matrix& x, const Matrix& w,
                               const Matrix& v, Rng& rng,
                               Matrix& out) const override {
    out = hvp_on(train_.subset(sample_distinct(train_.size(), batch_, rng)), x,
                 w, v);
    return batch_;
  }
  // The cross term comes from the regularizer alone: exact, no data read.
  Index inner_cross_minibatch(const Matrix& x, const Matrix& w, const Matrix& v,
                              Rng&, Matrix& out) const override {
    out = inner_cross(x, w, v);
    return 0;
  }

  // Row i of g's finite sum: CE_i(W) + ½Σ_k ρ_k W_k² (their mean is g).
  void inner_sample_terms(const RowVector& x, const RowVector& y,
                          const RowVector& v, const std::vector<Index>& rows,
                          Matrix& gy, Matrix& hvp,
                          Matrix& cross) const override {
    const SoftmaxRows part = train_.subset(rows);
    const Matrix xm = x, w = y, vm = v;
    const RowVector rho = ridge(xm).row(0);
    const SoftmaxModel::Fit fit = model_.evaluate(part, w);
    gy = model_.row_gradients(part, fit, nullptr);
    gy.rowwise() += rho.cwiseProduct(y);
    hvp = model_.row_hessian_vectors(part, fit, vm, nullptr);
    hvp.rowwise() += rho.cwiseProduct(v);
    cross = inner_cross(xm, w, vm).replicate(part.size(), 1);
  }

 private:
  // ρ = e^{x_{r(k)}} for every weight k, one row per point.
  Matrix ridge(const Matrix& x) const {
    Matrix out(x.rows(), dim_y());
    for (Index k = 0; k < dim_y(); ++k)
      out.col(k) = x.col(regularizer_of_[k]).array().exp().matrix();
    return out;
  }
  // Σ over the weights of each regularizer: points × dim_y → points × dim_x.
  Matrix to_regularizers(const Matrix& per_weight) const {
    Matrix out = Matrix::Zero(per_weight.rows(), dim_x());
    for (Index k = 0; k < dim_y(); ++k)
      out.col(regularizer_of_[k]) += per_weight.col(k);
    return out;
  }
  void inner_grad_on(const SoftmaxRows& rows, const Matrix& x, const Matrix& w,
                     Matrix& gx, Matrix& gy) const {
    const Matrix rho = ridge(x);
    gy =
        model_.loss_gradient(rows, w.rows(), model_.evaluate(rows, w), nullptr);
    gy.array() += rho.array() * w.array();
    gx = to_regularizers(0.5 * (rho.array() * w.array().square()).matrix());
  }
  Matrix hvp_on(const SoftmaxRows& rows, const Matrix& x, const Matrix& w,
                const Matrix& v) const {
    return model_.loss_hessian_vector(rows, model_.evaluate(rows, w), nullptr,
                                      v) +
           (ridge(x).array() * v.array()).matrix();
  }

  InnerSolution solve_inner(const RowVector& x) const override {
    const Matrix xm = x;
    return softmax_newton(
        model_, train_, nullptr, RowVector(ridge(xm).row(0)),
        [&](const Matrix& w) { return inner_value(xm, w)(0); }, 1e-11, kName);
  }

  std::vector<Index> regularizer_of_;
  Index regularizers_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(SoftmaxHyperparametersTask);

}  // namespace vibench
