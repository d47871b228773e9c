// `ridge_hyperparameters`: ridge regression with one regularizer per
// feature, tuned on a validation set (PAPERS.md §7.7).
//   inner  g(x, w) = (1/2n)‖Xw − t‖² + ½ Σ_j e^{x_j} w_j²
//   outer  f(x, w) = (1/2m)‖X_v w − t_v‖²
// With H(x) = XᵀX/n + diag(e^x):
//   w*(x) = H⁻¹Xᵀt/n,
//   ∇F(x) = −e^x ⊙ w* ⊙ H⁻¹X_vᵀ(X_v w* − t_v)/m
// (∇²_xy g·v = e^x ⊙ w ⊙ v, and f does not depend on x). The log-scale
// regularizers keep every x feasible. The data are synthetic and seeded: a
// weight vector whose first `informative` coordinates are N(0, 1) and the
// rest 0, rows N(0, I) and targets with N(0, noise²) noise, so that a good
// x regularizes the uninformative features hard.
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <vector>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

class RidgeHyperparametersTask final : public Bilevel {
 public:
  static constexpr const char* kName = "ridge_hyperparameters";
  static constexpr const char* kDescription =
      "Ridge regression with one log-regularizer per feature tuned on "
      "validation rows (synthetic seeded data); exact w*(x) and "
      "hypergradient by dense solves";
  static constexpr const char* kDimensionRule = "dim (x and w both have dim)";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 20, "features (and regularizers)")
            .at_least(1),
        ParamSpec::integer("n_train", 100, "training rows (inner level)")
            .at_least(1),
        ParamSpec::integer("n_validation", 100, "validation rows (outer level)")
            .at_least(1),
        ParamSpec::integer("informative", 5,
                           "features with a nonzero true weight")
            .at_least(0),
        ParamSpec::real("noise", 0.5, "standard deviation of target noise")
            .at_least(0.0),
        ParamSpec::integer("instance", 0, "seed of the data").at_least(0),
        ParamSpec::integer("batch_size", 0,
                           "rows per minibatch of the gradient and "
                           "Hessian-vector oracles (0: full data)")
            .at_least(0),
    };
  }

  explicit RidgeHyperparametersTask(const Params& p)
      : n_train_(static_cast<Index>(p.integer("n_train"))),
        n_validation_(static_cast<Index>(p.integer("n_validation"))),
        batch_(static_cast<Index>(p.integer("batch_size"))) {
    if (batch_ > std::min(n_train_, n_validation_))
      throw ConfigError("batch_size",
                        fmt::format("batch_size = {} exceeds the {} "
                                    "validation or {} training rows",
                                    batch_, n_validation_, n_train_));
    const Index d = static_cast<Index>(p.integer("dim"));
    const Index informative = static_cast<Index>(p.integer("informative"));
    if (informative > d)
      throw ConfigError(
          "informative",
          fmt::format("informative = {} exceeds dim = {}", informative, d));
    Rng rng = make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Vector truth = Vector::Zero(d);
    truth.head(informative) = rng.normal_vector(informative);
    const double noise = p.real("noise");
    x_train_ = rng.normal_matrix(n_train_, d);
    t_train_ = x_train_ * truth + noise * rng.normal_vector(n_train_);
    const Matrix& x_train = x_train_;
    const Vector& t_train = t_train_;
    x_validation_ = rng.normal_matrix(n_validation_, d);
    t_validation_ =
        x_validation_ * truth + noise * rng.normal_vector(n_validation_);
    const double n = static_cast<double>(n_train_);
    gram_ = x_train.transpose() * x_train / n;
    moment_ = (x_train.transpose() * t_train / n).transpose();
    target_energy_ = t_train.squaredNorm() / n;
    gram_spectrum_ = mean_gram_spectrum(x_train);
    outer_smoothness_ = mean_gram_spectrum(x_validation_).maxCoeff();
  }

  Index dim_x() const override { return gram_.rows(); }
  Index dim_y() const override { return gram_.rows(); }
  Capabilities capabilities() const override {
    Capabilities caps = {Capability::hypergradient, Capability::hessian_vector,
                         Capability::error_bounds};
    if (batch_ > 0) caps.insert(Capability::minibatch);
    return caps;
  }
  Index batch_size() const override { return batch_; }

  // Minibatches of distinct rows of a level: the same oracles on the
  // batch's moments (the cross term is the regularizer's, exact).
  Index outer_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& fx, Matrix& fy) const override {
    fx = Matrix::Zero(x.rows(), x.cols());
    fy = batch_loss_gradient(x_validation_, t_validation_, w, rng);
    return batch_;
  }
  Index inner_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& gx, Matrix& gy) const override {
    const Matrix scale = x.array().exp().matrix();
    gy = batch_loss_gradient(x_train_, t_train_, w, rng);
    gy.array() += scale.array() * w.array();
    gx = 0.5 * scale.array() * w.array().square();
    return batch_;
  }
  Index inner_hvp_yy_minibatch(const Matrix& x, const Matrix&, const Matrix& v,
                               Rng& rng, Matrix& out) const override {
    const std::vector<Index> rows = sample_distinct(n_train_, batch_, rng);
    const Matrix a = x_train_(rows, Eigen::all);
    out = (v * a.transpose()) * a / static_cast<double>(batch_);
    out.array() += x.array().exp() * v.array();
    return batch_;
  }
  Index inner_cross_minibatch(const Matrix& x, const Matrix& w, const Matrix& v,
                              Rng&, Matrix& out) const override {
    out = inner_cross(x, w, v);
    return 0;
  }
  // ∇²_ww g = G + diag(e^x): Weyl's bounds λ_min(G) + min e^x and
  // λ_max(G) + max e^x; f's Hessian in w is X_vᵀX_v/m.
  Vector inner_strong_convexity(const Matrix& x) const override {
    return (gram_spectrum_(0) + x.array().exp().rowwise().minCoeff()).matrix();
  }
  Vector inner_smoothness_at(const Matrix& x) const override {
    return (gram_spectrum_(gram_spectrum_.size() - 1) +
            x.array().exp().rowwise().maxCoeff())
        .matrix();
  }
  double outer_smoothness() const override { return outer_smoothness_; }
  Index outer_data_size() const override { return n_validation_; }
  Index inner_data_size() const override { return n_train_; }

  Vector outer_value(const Matrix&, const Matrix& w) const override {
    const Matrix r = validation_residuals(w);
    return 0.5 * r.rowwise().squaredNorm() / static_cast<double>(n_validation_);
  }
  void outer_grad(const Matrix& x, const Matrix& w, Matrix& fx,
                  Matrix& fy) const override {
    fx = Matrix::Zero(x.rows(), x.cols());
    fy = validation_residuals(w) * x_validation_ /
         static_cast<double>(n_validation_);
  }
  // ½wᵀGw − mᵀw + ½‖t‖²/n with G = XᵀX/n, m = Xᵀt/n: the data are read
  // through their moments.
  Vector inner_value(const Matrix& x, const Matrix& w) const override {
    const Matrix wg = w * gram_;
    return 0.5 * wg.cwiseProduct(w).rowwise().sum() - w * moment_.transpose() +
           Vector::Constant(w.rows(), 0.5 * target_energy_) +
           0.5 *
               (x.array().exp() * w.array().square()).rowwise().sum().matrix();
  }
  void inner_grad(const Matrix& x, const Matrix& w, Matrix& gx,
                  Matrix& gy) const override {
    const Matrix scale = x.array().exp().matrix();
    gy.noalias() = w * gram_;
    gy.rowwise() -= moment_;
    gy.array() += scale.array() * w.array();
    gx = 0.5 * scale.array() * w.array().square();
  }
  Matrix inner_hvp_yy(const Matrix& x, const Matrix&,
                      const Matrix& v) const override {
    Matrix out = v * gram_;
    out.array() += x.array().exp() * v.array();
    return out;
  }
  Matrix inner_cross(const Matrix& x, const Matrix& w,
                     const Matrix& v) const override {
    return (x.array().exp() * w.array() * v.array()).matrix();
  }

  Matrix inner_solution(const Matrix& x) const override {
    Matrix w(x.rows(), x.cols());
    for (Index i = 0; i < x.rows(); ++i)
      w.row(i) = hessian(x.row(i)).solve(moment_.transpose()).transpose();
    return w;
  }
  Matrix hypergradient(const Matrix& x) const override {
    const Matrix w = inner_solution(x);
    Matrix fx, fy;
    outer_grad(x, w, fx, fy);
    Matrix v(x.rows(), x.cols());
    for (Index i = 0; i < x.rows(); ++i)
      v.row(i) = hessian(x.row(i)).solve(fy.row(i).transpose()).transpose();
    return fx - inner_cross(x, w, v);
  }

 private:
  // (1/B) Σ_{i∈batch} (wᵀa_i − t_i) a_i over a fresh batch of the level's
  // rows: the gradient of its mean half squared residual.
  Matrix batch_loss_gradient(const Matrix& a_all, const Vector& t_all,
                             const Matrix& w, Rng& rng) const {
    const std::vector<Index> rows = sample_distinct(a_all.rows(), batch_, rng);
    const Matrix a = a_all(rows, Eigen::all);
    Matrix r = w * a.transpose();
    r.rowwise() -= t_all(rows).transpose();
    return r * a / static_cast<double>(batch_);
  }
  Eigen::LLT<Matrix> hessian(const RowVector& x) const {
    Matrix h = gram_;
    h.diagonal().array() += x.array().exp().transpose();
    return Eigen::LLT<Matrix>(h);
  }
  Matrix validation_residuals(const Matrix& w) const {
    Matrix r = w * x_validation_.transpose();
    r.rowwise() -= t_validation_.transpose();
    return r;
  }
  Index n_train_, n_validation_, batch_;
  Matrix gram_, x_train_, x_validation_;
  Vector t_train_;
  RowVector moment_;
  Vector t_validation_;
  double target_energy_ = 0;
  Vector gram_spectrum_;  // of G, ascending
  double outer_smoothness_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(RidgeHyperparametersTask);

}  // namespace vibench
