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
#include "targets/bilevel/softmax_newton.hpp"
#include "targets/models/classification_data.hpp"
#include "targets/models/softmax_model.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

constexpr int kClasses = 10;

class SoftmaxHyperparametersTask final : public Bilevel {
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
    return {
        ParamSpec::string("data", "digits", {},
                          "a bundled table or CSV path with integer labels "
                          "0–9 in a last column 'label'"),
        ParamSpec::string("regularizers", "per_weight",
                          {"per_weight", "per_feature", "per_class"},
                          "one log-regularizer e^{x} per weight W_jc (MAID's "
                          "choice), per feature j, or per class c"),
        ParamSpec::real("validation_fraction", 0.25,
                        "fraction of the rows held out for validation")
            .above(0.0)
            .below(1.0),
        ParamSpec::real("test_fraction", 0.25,
                        "fraction of the rows held out for testing")
            .above(0.0)
            .below(1.0),
        ParamSpec::integer("split_seed", 0, "seed of the three-way split")
            .at_least(0),
        ParamSpec::integer("batch_size", 0,
                           "rows per minibatch of each oracle call (0: full "
                           "data)")
            .at_least(0),
    };
  }

  explicit SoftmaxHyperparametersTask(const Params& p)
      : batch_(static_cast<Index>(p.integer("batch_size"))) {
    const double validation = p.real("validation_fraction");
    const double test = p.real("test_fraction");
    if (validation + test >= 1.0)
      throw ConfigError("test_fraction",
                        fmt::format("validation_fraction + test_fraction = "
                                    "{} leaves no training rows",
                                    validation + test));
    const ClassificationTable table =
        read_classification_table(p.string("data"), "data", kClasses);
    const ClassificationSplit split = split_and_standardize(
        table, test, static_cast<std::uint64_t>(p.integer("split_seed")));
    test_ = make_softmax_rows(split.test_x, split.test_y, kClasses);
    const ValidationSplit rows = split_validation_rows(
        split.train_x.rows(), table.labels.size(), validation,
        static_cast<std::uint64_t>(p.integer("split_seed")));
    const SoftmaxRows all =
        make_softmax_rows(split.train_x, split.train_y, kClasses);
    validation_ = all.subset(rows.validation);
    train_ = all.subset(rows.train);
    if (batch_ > std::min(train_.size(), validation_.size()))
      throw ConfigError("batch_size",
                        fmt::format("batch_size = {} exceeds the {} "
                                    "validation or {} training rows",
                                    batch_, validation_.size(), train_.size()));
    model_ = SoftmaxModel(train_.a.cols(), kClasses);
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
    // The softmax Hessian diag(p) − ppᵀ is at most ½I.
    train_curvature_max_ = 0.5 * mean_gram_spectrum(train_.a).maxCoeff();
    outer_smoothness_ = 0.5 * mean_gram_spectrum(validation_.a).maxCoeff();
  }

  Index dim_x() const override { return regularizers_; }
  Index dim_y() const override { return model_.dim(); }
  Capabilities capabilities() const override {
    Capabilities caps = {Capability::hypergradient, Capability::hessian_vector,
                         Capability::error_rates, Capability::error_bounds,
                         Capability::sample_terms};
    if (batch_ > 0) caps.insert(Capability::minibatch);
    return caps;
  }
  Index outer_data_size() const override { return validation_.size(); }
  Index inner_data_size() const override { return train_.size(); }
  Index batch_size() const override { return batch_; }
  // e^0 = 1 on every weight, and W = 0.
  Matrix initial_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_x());
  }
  Matrix initial_inner_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_y());
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
  double outer_smoothness() const override { return outer_smoothness_; }

  Vector outer_value(const Matrix&, const Matrix& w) const override {
    return model_.mean_loss(validation_, w);
  }
  void outer_grad(const Matrix& x, const Matrix& w, Matrix& fx,
                  Matrix& fy) const override {
    fx = Matrix::Zero(x.rows(), x.cols());
    fy = model_.loss_gradient(validation_, w.rows(),
                              model_.evaluate(validation_, w), nullptr);
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

  Index outer_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& fx, Matrix& fy) const override {
    const SoftmaxRows batch =
        validation_.subset(sample_distinct(validation_.size(), batch_, rng));
    fx = Matrix::Zero(x.rows(), x.cols());
    fy = model_.loss_gradient(batch, w.rows(), model_.evaluate(batch, w),
                              nullptr);
    return batch_;
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

  // Row i of g's finite sum, CE_i(W) + ½Σ_k ρ_k W_k² (their mean is g),
  // and row j of f's, CE_j(W).
  void inner_sample_terms(const RowVector& x, const RowVector& y,
                          const RowVector& v, const std::vector<Index>& rows,
                          Matrix& gy, Matrix& hvp,
                          Matrix& cross) const override {
    const SoftmaxRows part = train_.subset(rows);
    const Matrix xm = x, w = y, vm = v;
    const RowVector rho = ridge(xm).row(0);
    gy = model_.row_gradients(part, w, nullptr);
    gy.rowwise() += rho.cwiseProduct(y);
    hvp = model_.row_hessian_vectors(part, w, vm, nullptr);
    hvp.rowwise() += rho.cwiseProduct(v);
    cross = inner_cross(xm, w, vm).replicate(part.size(), 1);
  }
  void outer_sample_terms(const RowVector&, const RowVector& y,
                          const std::vector<Index>& rows, Matrix& fx,
                          Matrix& fy) const override {
    fx = Matrix::Zero(static_cast<Index>(rows.size()), dim_x());
    fy = model_.row_gradients(validation_.subset(rows), y, nullptr);
  }

  Matrix inner_solution(const Matrix& x) const override {
    return inner_solutions(x, dim_y(),
                           [this](const RowVector& at) { return solve(at); });
  }
  Matrix hypergradient(const Matrix& x) const override {
    return implicit_hypergradient(
        *this, x, [this](const RowVector& at) { return solve(at); });
  }
  Vector error_rate(const Matrix&, const Matrix& w,
                    Split split) const override {
    return model_.error_rate(split == Split::test ? test_ : validation_, w);
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

  InnerSolution solve(const RowVector& x) const {
    return solutions_.get(x, [this](const RowVector& at) {
      const Matrix xm = at;
      return softmax_newton(
          model_, train_, nullptr, RowVector(ridge(xm).row(0)),
          [&](const Matrix& w) { return inner_value(xm, w)(0); }, 1e-11, kName);
    });
  }

  SoftmaxRows train_, validation_, test_;
  SoftmaxModel model_;
  std::vector<Index> regularizer_of_;
  Index regularizers_ = 0;
  Index batch_;
  double train_curvature_max_ = 0, outer_smoothness_ = 0;
  LastSolutionCache<InnerSolution> solutions_;
};

}  // namespace

VIBENCH_REGISTER_TASK(SoftmaxHyperparametersTask);

}  // namespace vibench
