// `logistic_loss`: L2-regularized logistic regression as an objective (the
// MAP estimate of the `logistic_regression` posterior with a Gaussian prior,
// in the per-row scale of empirical risk),
//   f(w) = (1/N) Σ_r [softplus(x_rᵀw) − y_r x_rᵀw] + (λ/2) Σ_{j<p} w_j²,
// on a bundled UCI table or synthetic data, features standardized on the
// training rows and an intercept column last, which is not penalized. A
// finite sum: with batch_size B > 0 the oracle returns the unbiased minibatch
// estimate (1/B) Σ_{r∈batch} [...] + the exact penalty, B rows drawn
// without replacement from the cell's stream. x* and f* come from Newton's
// method with a backtracking line search at construction, run until
// ‖∇f‖∞ ≤ 1e-12 (an error if it does not get there).
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "targets/models/classification_data.hpp"
#include "targets/models/logistic_model.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class LogisticLossTask final : public Objective {
 public:
  static constexpr const char* kName = "logistic_loss";
  static constexpr const char* kDescription =
      "L2-regularized logistic regression (mean loss + reg/2 |w|^2, "
      "intercept unpenalized) on a bundled UCI table or synthetic data; "
      "minibatch gradients; x*, f* by Newton's method to 1e-12";
  static constexpr const char* kDimensionRule = "kept features + 1 (intercept)";

  static MemoryNeed memory_need(const Params& p) {
    return classification_memory_need(p);
  }

  static ParamSpecs params() {
    ParamSpecs specs = classification_task_params(
        0.0,
        "fraction of rows held out (not used by the objective); 0 keeps "
        "every row");
    specs.push_back(ParamSpec::real("reg", 0.01,
                                    "λ of the penalty (λ/2)‖w‖² on the "
                                    "feature weights (no paper default; λ > "
                                    "0 keeps the optimum finite on separable "
                                    "data)")
                        .above(0.0));
    return specs;
  }

  explicit LogisticLossTask(const Params& p) : reg_(p.real("reg")) {
    split_ = load_classification_split(p);
    batch_size_ = minibatch_size(p, split_);
    penalty_ = Vector::Ones(split_.train_x.cols());
    penalty_(penalty_.size() - 1) = 0.0;  // the intercept
    {
      const Matrix x(split_.train_x);
      const Eigen::SelfAdjointEigenSolver<Matrix> eig(x.transpose() * x,
                                                      Eigen::EigenvaluesOnly);
      smoothness_ =
          eig.eigenvalues().maxCoeff() / (4.0 * static_cast<double>(x.rows())) +
          reg_;
    }
    solve_by_newton();
  }

  Index dim() const override { return split_.train_x.cols(); }
  // Convex; not strongly (the intercept is unpenalized); ∇²f ⪯ XᵀX/(4N) +
  // reg·I since σ'(t) ≤ ¼.
  ObjectiveProperties properties() const override {
    return {true, 0.0, smoothness_};
  }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::minibatch};
  }
  Index data_size() const override { return split_.train_x.rows(); }
  Index batch_size() const override { return batch_size_; }

  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    loss_grad(split_.train_x, split_.train_y, x, f, grad);
  }

  Index value_grad_minibatch(const Matrix& x, Rng& rng, Vector& f,
                             Matrix& grad) const override {
    RowMatrix bx;
    Vector by;
    logistic::draw_minibatch(split_.train_x, split_.train_y, batch_size_, rng,
                             bx, by);
    loss_grad(bx, by, x, f, grad);
    return batch_size_;
  }

  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_; }
  Matrix initial_points(Index n, Rng& rng) const override {
    // Near the centre of standardized features' weights: N(0, I).
    return rng.normal_matrix(n, dim());
  }

 private:
  double smoothness_ = 0;
  // The mean loss over the rows of (x, y) plus the penalty, for each row of
  // w, through the shared batched likelihood kernels.
  void loss_grad(const RowMatrix& x, const Vector& y, const Matrix& w,
                 Vector& f, Matrix& grad) const {
    Vector loglik;
    Matrix loglik_grad;
    logistic::log_likelihood_grad(x, y, w, loglik, loglik_grad);
    const double inv_rows = 1.0 / static_cast<double>(x.rows());
    const Matrix penalized = w.array().rowwise() * penalty_.transpose().array();
    f = -inv_rows * loglik +
        0.5 * reg_ * (penalized.array() * w.array()).rowwise().sum().matrix();
    grad = -inv_rows * loglik_grad + reg_ * penalized;
  }

  void solve_by_newton() {
    const Index p = dim();
    const double inv_rows = 1.0 / static_cast<double>(split_.train_x.rows());
    Matrix w = Matrix::Zero(1, p);
    Vector f;
    Matrix grad;
    value_grad(w, f, grad);
    for (int iteration = 0; iteration < 100; ++iteration) {
      if (grad.cwiseAbs().maxCoeff() <= kTolerance) {
        optimum_ = w.row(0).transpose();
        optimal_value_ = f(0);
        return;
      }
      Matrix hessian =
          inv_rows * logistic::likelihood_fisher(split_.train_x, w)[0];
      hessian.diagonal() += reg_ * penalty_;
      const Vector step = -hessian.ldlt().solve(grad.row(0).transpose());
      // Backtracking (Armijo) on f; near the optimum the full step is taken.
      double t = 1.0;
      const double slope = grad.row(0).dot(step);
      Vector f_new;
      Matrix grad_new;
      bool accepted = false;
      for (int halving = 0; halving < 60 && !accepted; ++halving, t *= 0.5) {
        const Matrix candidate = w + t * step.transpose();
        value_grad(candidate, f_new, grad_new);
        accepted = f_new(0) <= f(0) + 1e-4 * t * slope ||
                   grad_new.cwiseAbs().maxCoeff() <= kTolerance;
        if (accepted) w = candidate;
      }
      if (!accepted) break;  // no decrease left at this precision
      f = f_new;
      grad = grad_new;
    }
    throw ConfigError(
        "", fmt::format("logistic_loss: Newton's method did not reach "
                        "‖∇f‖∞ ≤ {} in 100 iterations (‖∇f‖∞ = {}); try a "
                        "larger reg",
                        kTolerance, grad.cwiseAbs().maxCoeff()));
  }

  static constexpr double kTolerance = 1e-12;
  double reg_;
  ClassificationSplit split_;
  Vector penalty_;  // 1 for feature weights, 0 for the intercept
  Index batch_size_ = 0;
  Vector optimum_;
  double optimal_value_ = 0.0;
};

}  // namespace

VIBENCH_REGISTER_TASK(LogisticLossTask);

}  // namespace vibench
