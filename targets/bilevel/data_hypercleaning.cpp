// `data_hypercleaning`: learn one weight per training sample so that a
// softmax classifier trained on partly corrupted labels does well on clean
// validation rows (F2SA's and benchopt's hyper-cleaning experiment, on the
// bundled `digits` table; PAPERS.md §7.7, §9.2).
//
//   inner  g(x, W) = (1/n) Σ_i σ(x_i) CE(W; a_i, ỹ_i) + r‖W‖²
//   outer  f(x, W) = (1/m) Σ_j CE(W; a_j, y_j)          (validation rows)
//
// with CE(W; a, y) = logsumexp(Wᵀa) − (Wᵀa)_y, W ∈ ℝ^{d×C} (the features,
// standardized on the training and validation rows, plus an intercept),
// and ỹ the training labels of which a fraction `corruption` was replaced by
// a uniformly random class (possibly the same one). x ∈ ℝ^n has one entry
// per training row; y = vec(W) row by row (entry j·C + c is W_jc).
// Oracles, batched over points: the logits of all points are one product
// A·[W_1 … W_P] over the data. With P = softmax(AW), s_i = σ(x_i):
//   ∇_W g = Aᵀ(s ⊙ (P − Y))/n + 2rW,       ∂g/∂x_i = σ'(x_i) CE_i / n
//   ∇²_WW g·V = Aᵀ(s ⊙ (P ⊙ U − P ⊙ rowsum(P ⊙ U)))/n + 2rV,  U = AV
//   (∇²_xW g·V)_i = σ'(x_i) ⟨P_i − Y_i, U_i⟩ / n.
// W*(x) by Newton's method with a dense Hessian (Kronecker blocks
// Aᵀdiag(s ⊙ S_cc')A/n) to ‖∇_W g‖ ≤ 1e-11, and ∇F(x) = −∇²_xW g·H⁻¹∇_W f
// with the same factorization. Validation and test error rates are those
// of the solver's own W. The softmax kernels and Newton's method are
// shared with softmax_hyperparameters (targets/models/softmax_model.hpp,
// targets/bilevel/softmax_newton.hpp).
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <cmath>
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
#include "targets/models/logistic_model.hpp"
#include "targets/models/softmax_model.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

class DataHypercleaningTask final : public SoftmaxBilevel {
 public:
  static constexpr const char* kName = "data_hypercleaning";
  static constexpr const char* kDescription =
      "Data hyper-cleaning on the bundled digits table (10 classes): "
      "per-sample weights σ(x_i) on training rows with partly random "
      "labels, softmax lower level with r‖W‖², validation cross-entropy "
      "upper level; W*(x) by Newton, exact hypergradient by a dense solve, "
      "validation and test error rates";
  static constexpr const char* kDimensionRule =
      "training rows (the inner variable W has (features + 1) × 10)";

  static ParamSpecs params() {
    ParamSpecs specs = data_params();
    specs.push_back(ParamSpec::real("corruption", 0.5,
                                    "fraction of training labels replaced by "
                                    "a uniform random class (benchopt: 0.5, "
                                    "0.7, 0.9)")
                        .at_least(0.0)
                        .below(1.0));
    specs.push_back(ParamSpec::real("regularization", 0.2,
                                    "r of the lower level's r‖W‖² (benchopt: "
                                    "0.2)")
                        .above(0.0));
    specs.push_back(
        ParamSpec::integer("instance", 0, "seed of the label corruption")
            .at_least(0));
    return specs;
  }

  explicit DataHypercleaningTask(const Params& p)
      : SoftmaxBilevel(p), regularization_(p.real("regularization")) {
    Rng corrupt = make_rng(static_cast<std::uint64_t>(p.integer("instance")))
                      .child("label corruption");
    const double corruption = p.real("corruption");
    for (Index i = 0; i < train_.size(); ++i)
      if (corrupt.uniform() < corruption)
        train_.labels(i) = static_cast<double>(corrupt.index(kClasses));
    train_ = make_softmax_rows(train_.a, train_.labels, kClasses);
    finish();
  }

  // ∇²_WW g = Aᵀ(s ⊙ softmax curvature)A/n + 2rI with s = σ(x) ∈ (0, 1)
  // and the softmax Hessian diag(p) − ppᵀ ≤ ½I: μ = 2r and
  // L ≤ ½λ_max(AᵀA/n) + 2r whatever x; f's curvature is likewise at most
  // ½λ_max(A_vᵀA_v/m).
  Vector inner_strong_convexity(const Matrix& x) const override {
    return Vector::Constant(x.rows(), 2.0 * regularization_);
  }
  Vector inner_smoothness_at(const Matrix& x) const override {
    return Vector::Constant(x.rows(),
                            train_curvature_max_ + 2.0 * regularization_);
  }

  Index dim_x() const override { return train_.size(); }
  Capabilities capabilities() const override {
    Capabilities caps = {Capability::hypergradient, Capability::hessian_vector,
                         Capability::error_rates, Capability::error_bounds,
                         Capability::sample_terms};
    if (batch_ > 0) caps.insert(Capability::minibatch);
    return caps;
  }
  // Every sample weight σ(0) = ½.
  Matrix initial_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_x());
  }
  Vector inner_value(const Matrix& x, const Matrix& w) const override {
    const Fit fit = evaluate(train_, w);
    const Matrix s = sigmoid(x);
    Vector out(w.rows());
    for (Index p = 0; p < w.rows(); ++p)
      out(p) =
          s.row(p).dot(fit.loss.col(p)) / static_cast<double>(train_.size()) +
          regularization_ * w.row(p).squaredNorm();
    return out;
  }
  void inner_grad(const Matrix& x, const Matrix& w, Matrix& gx,
                  Matrix& gy) const override {
    inner_grad_rows(train_, nullptr, x, w, gx, gy);
  }
  Matrix inner_hvp_yy(const Matrix& x, const Matrix& w,
                      const Matrix& v) const override {
    return hvp_rows(train_, nullptr, x, w, v);
  }
  Matrix inner_cross(const Matrix& x, const Matrix& w,
                     const Matrix& v) const override {
    return cross_rows(train_, nullptr, x, w, v);
  }

  Index inner_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& gx, Matrix& gy) const override {
    const std::vector<Index> s = sample_distinct(train_.size(), batch_, rng);
    inner_grad_rows(train_.subset(s), &s, x, w, gx, gy);
    return batch_;
  }
  Index inner_hvp_yy_minibatch(const Matrix& x, const Matrix& w,
                               const Matrix& v, Rng& rng,
                               Matrix& out) const override {
    const std::vector<Index> s = sample_distinct(train_.size(), batch_, rng);
    out = hvp_rows(train_.subset(s), &s, x, w, v);
    return batch_;
  }
  Index inner_cross_minibatch(const Matrix& x, const Matrix& w, const Matrix& v,
                              Rng& rng, Matrix& out) const override {
    const std::vector<Index> s = sample_distinct(train_.size(), batch_, rng);
    out = cross_rows(train_.subset(s), &s, x, w, v);
    return batch_;
  }

  // Row i of g's finite sum: σ(x_i) CE_i(W) + r‖W‖² (their mean is g).
  void inner_sample_terms(const RowVector& x, const RowVector& y,
                          const RowVector& v, const std::vector<Index>& rows,
                          Matrix& gy, Matrix& hvp,
                          Matrix& cross) const override {
    const SoftmaxRows part = train_.subset(rows);
    const Matrix w = y, vm = v;
    Vector s(part.size());
    for (Index k = 0; k < part.size(); ++k)
      s(k) = logistic::sigmoid(x(rows[static_cast<size_t>(k)]));
    const Fit fit = model_.evaluate(part, w);
    gy = model_.row_gradients(part, fit, &s);
    gy.rowwise() += 2.0 * regularization_ * y;
    hvp = model_.row_hessian_vectors(part, fit, vm, &s);
    hvp.rowwise() += 2.0 * regularization_ * v;
    const Vector dots = model_.row_residual_dots(part, fit, vm);
    cross = Matrix::Zero(part.size(), dim_x());
    for (Index k = 0; k < part.size(); ++k)
      cross(k, rows[static_cast<size_t>(k)]) = s(k) * (1.0 - s(k)) * dots(k);
  }

 private:
  using Fit = SoftmaxModel::Fit;
  Fit evaluate(const SoftmaxRows& rows, const Matrix& w) const {
    return model_.evaluate(rows, w);
  }
  static Matrix sigmoid(const Matrix& x) {
    return x.unaryExpr([](double t) { return logistic::sigmoid(t); });
  }
  // Sample weights of the training rows used: σ(x) on the columns `cols`
  // of x (a minibatch), or on all of them (cols == nullptr).
  static Matrix row_weights(const Matrix& x, const std::vector<Index>* cols) {
    return cols ? sigmoid(x(Eigen::all, *cols)) : sigmoid(x);
  }

  // Aᵀ(s ⊙ (P − Y))/rows, unstacked, from the rows' fit at w (whose
  // probabilities it turns into the residuals in place); s = 1 when
  // `weights` is null; plus 2rW when `w_for_ridge` is given.
  Matrix weight_gradient(const SoftmaxRows& rows, const Matrix& w, Fit fit,
                         const Matrix* weights,
                         const Matrix* w_for_ridge) const {
    Matrix g = model_.loss_gradient(rows, w.rows(), std::move(fit), weights);
    if (w_for_ridge) g += 2.0 * regularization_ * *w_for_ridge;
    return g;
  }
  void inner_grad_rows(const SoftmaxRows& rows, const std::vector<Index>* cols,
                       const Matrix& x, const Matrix& w, Matrix& gx,
                       Matrix& gy) const {
    const Matrix s = row_weights(x, cols);
    Fit fit = evaluate(rows, w);
    // ∂g/∂x_i = σ'(x_i) CE_i / n, unbiased over a batch by the scale n/B
    // (only the batch's entries are nonzero).
    const double n = static_cast<double>(train_.size());
    const double scale = n / static_cast<double>(rows.size());
    gx = Matrix::Zero(x.rows(), x.cols());
    for (Index p = 0; p < x.rows(); ++p)
      for (Index k = 0; k < rows.size(); ++k) {
        const Index i = cols ? (*cols)[static_cast<size_t>(k)] : k;
        gx(p, i) = scale * s(p, k) * (1.0 - s(p, k)) * fit.loss(k, p) / n;
      }
    gy = weight_gradient(rows, w, std::move(fit), &s, &w);
  }
  Matrix hvp_rows(const SoftmaxRows& rows, const std::vector<Index>* cols,
                  const Matrix& x, const Matrix& w, const Matrix& v) const {
    const Matrix s = row_weights(x, cols);
    return model_.loss_hessian_vector(rows, evaluate(rows, w), &s, v) +
           2.0 * regularization_ * v;
  }
  Matrix cross_rows(const SoftmaxRows& rows, const std::vector<Index>* cols,
                    const Matrix& x, const Matrix& w, const Matrix& v) const {
    const Matrix s = row_weights(x, cols);
    const Fit fit = evaluate(rows, w);
    const Matrix u = rows.a * model_.stacked(v);
    const double n = static_cast<double>(train_.size());
    const double scale = n / static_cast<double>(rows.size());
    Matrix out = Matrix::Zero(x.rows(), x.cols());
    for (Index p = 0; p < x.rows(); ++p) {
      const Matrix residual =
          fit.probabilities.middleCols(p * kClasses, kClasses) - rows.onehot;
      const Vector inner =
          residual.cwiseProduct(u.middleCols(p * kClasses, kClasses))
              .rowwise()
              .sum();
      for (Index k = 0; k < rows.size(); ++k) {
        const Index i = cols ? (*cols)[static_cast<size_t>(k)] : k;
        out(p, i) = scale * s(p, k) * (1.0 - s(p, k)) * inner(k) / n;
      }
    }
    return out;
  }

  // Newton's method to ‖∇_W g‖ ≤ 1e-11 (softmax_newton.hpp).
  InnerSolution solve_inner(const RowVector& x) const override {
    const Matrix xm = x;
    const Matrix weights = sigmoid(xm);
    const RowVector ridge = RowVector::Constant(dim_y(), 2.0 * regularization_);
    return softmax_newton(
        model_, train_, &weights, ridge,
        [&](const Matrix& w) { return inner_value(xm, w)(0); }, 1e-11,
        "data_hypercleaning");
  }

  double regularization_;
};

}  // namespace

VIBENCH_REGISTER_TASK(DataHypercleaningTask);

}  // namespace vibench
