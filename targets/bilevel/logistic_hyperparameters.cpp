// `logistic_hyperparameters`: L2-regularized logistic regression with one
// regularizer per feature, tuned on validation rows (benchopt's ijcnn1-style
// problem on vibench's bundled tables; PAPERS.md §9.2).
//   inner  g(x, w) = (1/n) Σ_i ℓ(w; a_i, t_i) + ½ Σ_j e^{x_j} w_j²
//   outer  f(x, w) = (1/m) Σ_j ℓ(w; a_j, t_j)          (validation rows)
// with ℓ the logistic loss softplus(aᵀw) − t·aᵀw for labels t ∈ {0, 1}; the
// intercept column is regularized like the others. Every oracle goes through
// the shared batched likelihood kernels (targets/models/logistic_model.hpp):
// one matrix product over the data for all points. With
// H(x, w) = (1/n) Aᵀdiag(σ′(Aw))A + diag(e^x):
//   ∇²_ww g·v = H v,  ∇²_xw g·v = e^x ⊙ w ⊙ v,
//   w*(x) by Newton's method to ‖∇_w g‖∞ ≤ 1e-12,
//   ∇F(x) = −e^x ⊙ w* ⊙ H⁻¹∇_w f   (a dense solve).
// Rows: the table's test split (test_fraction) is held out; the rest is cut
// into validation (validation_fraction of all rows) and training rows,
// standardized on both.
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "targets/bilevel/implicit_hypergradient.hpp"
#include "targets/bilevel/last_solution_cache.hpp"
#include "targets/models/classification_data.hpp"
#include "targets/models/logistic_model.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

class LogisticHyperparametersTask final : public Bilevel {
 public:
  static constexpr const char* kName = "logistic_hyperparameters";
  static constexpr const char* kDescription =
      "Logistic regression with one log-regularizer per feature tuned on "
      "validation rows of the bundled tables (or synthetic data); w*(x) by "
      "Newton, exact hypergradient by a dense solve, validation and test "
      "error rates";
  static constexpr const char* kDimensionRule =
      "features + 1 (x and w both: one per feature and the intercept)";

  static MemoryNeed memory_need(const Params& p) {
    return classification_memory_need(p);
  }

  static ParamSpecs params() {
    ParamSpecs specs = classification_task_params(
        0.25, "fraction of the rows held out for testing");
    specs.push_back(ParamSpec::real("validation_fraction", 0.25,
                                    "fraction of all rows used as "
                                    "validation (upper-level) rows")
                        .above(0.0)
                        .below(1.0));
    return specs;
  }

  explicit LogisticHyperparametersTask(const Params& p) {
    const ClassificationSplit split = load_classification_split(p);
    test_x_ = split.test_x;
    test_y_ = split.test_y;
    const ValidationSplit rows = split_validation_rows(
        split.train_x.rows(), split.train_x.rows() + split.test_x.rows(),
        p.real("validation_fraction"),
        static_cast<std::uint64_t>(p.integer("split_seed")));
    validation_x_ = split.train_x(rows.validation, Eigen::all);
    validation_y_ = split.train_y(rows.validation);
    train_x_ = split.train_x(rows.train, Eigen::all);
    train_y_ = split.train_y(rows.train);
    // σ′ ≤ ¼: the data's curvature is at most ¼ of the mean Gram matrix's.
    train_curvature_max_ = 0.25 * mean_gram_spectrum(train_x_).maxCoeff();
    outer_smoothness_ = 0.25 * mean_gram_spectrum(validation_x_).maxCoeff();
    const Index batch = static_cast<Index>(p.integer("batch_size"));
    batch_ =
        batch > 0 && batch < std::min(train_x_.rows(), validation_x_.rows())
            ? batch
            : 0;
  }

  Index dim_x() const override { return train_x_.cols(); }
  Index dim_y() const override { return train_x_.cols(); }
  Capabilities capabilities() const override {
    Capabilities caps = {Capability::hypergradient, Capability::hessian_vector,
                         Capability::error_rates, Capability::error_bounds,
                         Capability::sample_terms};
    if (batch_ > 0) caps.insert(Capability::minibatch);
    return caps;
  }
  // ∇²_ww g = (1/n)Aᵀdiag(σ′)A + diag(e^x) with 0 < σ′ ≤ ¼.
  Vector inner_strong_convexity(const Matrix& x) const override {
    return x.array().exp().rowwise().minCoeff().matrix();
  }
  Vector inner_smoothness_at(const Matrix& x) const override {
    return (train_curvature_max_ + x.array().exp().rowwise().maxCoeff())
        .matrix();
  }
  double outer_smoothness() const override { return outer_smoothness_; }
  Index outer_data_size() const override { return validation_x_.rows(); }
  Index inner_data_size() const override { return train_x_.rows(); }
  Index batch_size() const override { return batch_; }
  // e^0 = 1 on every feature, and w = 0.
  Matrix initial_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_x());
  }
  Matrix initial_inner_points(Index n, Rng&) const override {
    return Matrix::Zero(n, dim_y());
  }

  Vector outer_value(const Matrix&, const Matrix& w) const override {
    return mean_loss(validation_x_, validation_y_, w);
  }
  void outer_grad(const Matrix& x, const Matrix& w, Matrix& fx,
                  Matrix& fy) const override {
    fx = Matrix::Zero(x.rows(), x.cols());
    fy = mean_loss_grad(validation_x_, validation_y_, w);
  }
  Vector inner_value(const Matrix& x, const Matrix& w) const override {
    return mean_loss(train_x_, train_y_, w) +
           0.5 *
               (x.array().exp() * w.array().square()).rowwise().sum().matrix();
  }
  void inner_grad(const Matrix& x, const Matrix& w, Matrix& gx,
                  Matrix& gy) const override {
    inner_grad_on(train_x_, train_y_, x, w, gx, gy);
  }
  Matrix inner_hvp_yy(const Matrix& x, const Matrix& w,
                      const Matrix& v) const override {
    return hvp_on(train_x_, x, w, v);
  }
  Matrix inner_cross(const Matrix& x, const Matrix& w,
                     const Matrix& v) const override {
    return (x.array().exp() * w.array() * v.array()).matrix();
  }

  Index outer_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& fx, Matrix& fy) const override {
    RowMatrix bx;
    Vector by;
    logistic::draw_minibatch(validation_x_, validation_y_, batch_, rng, bx, by);
    fx = Matrix::Zero(x.rows(), x.cols());
    fy = mean_loss_grad(bx, by, w);
    return batch_;
  }
  Index inner_grad_minibatch(const Matrix& x, const Matrix& w, Rng& rng,
                             Matrix& gx, Matrix& gy) const override {
    RowMatrix bx;
    Vector by;
    logistic::draw_minibatch(train_x_, train_y_, batch_, rng, bx, by);
    inner_grad_on(bx, by, x, w, gx, gy);
    return batch_;
  }
  Index inner_hvp_yy_minibatch(const Matrix& x, const Matrix& w,
                               const Matrix& v, Rng& rng,
                               Matrix& out) const override {
    RowMatrix bx;
    Vector by;
    logistic::draw_minibatch(train_x_, train_y_, batch_, rng, bx, by);
    out = hvp_on(bx, x, w, v);
    return batch_;
  }
  // The cross term comes from the regularizer alone: exact, no data read.
  Index inner_cross_minibatch(const Matrix& x, const Matrix& w, const Matrix& v,
                              Rng&, Matrix& out) const override {
    out = inner_cross(x, w, v);
    return 0;
  }

  // Row i of g's finite sum, ℓ_i(w) + ½Σ_j e^{x_j} w_j² (their mean is g),
  // and row j of f's, ℓ_j(w): (σ(aᵀw) − t)a and σ′(aᵀw)(aᵀv)a.
  void inner_sample_terms(const RowVector& x, const RowVector& w,
                          const RowVector& v, const std::vector<Index>& rows,
                          Matrix& gy, Matrix& hvp,
                          Matrix& cross) const override {
    const RowMatrix a = train_x_(rows, Eigen::all);
    const Vector z = a * w.transpose();
    const Vector p = z.unaryExpr([](double t) { return logistic::sigmoid(t); });
    const RowVector scale = x.array().exp().matrix();
    gy = (p - train_y_(rows)).asDiagonal() * a;
    gy.rowwise() += scale.cwiseProduct(w);
    const Vector curvature = p.cwiseProduct(Vector::Ones(p.size()) - p)
                                 .cwiseProduct(a * v.transpose());
    hvp = curvature.asDiagonal() * a;
    hvp.rowwise() += scale.cwiseProduct(v);
    cross = scale.cwiseProduct(w).cwiseProduct(v).replicate(a.rows(), 1);
  }
  void outer_sample_terms(const RowVector& x, const RowVector& w,
                          const std::vector<Index>& rows, Matrix& fx,
                          Matrix& fy) const override {
    const RowMatrix a = validation_x_(rows, Eigen::all);
    const Vector p = (a * w.transpose()).unaryExpr([](double t) {
      return logistic::sigmoid(t);
    });
    fx = Matrix::Zero(a.rows(), x.size());
    fy = (p - validation_y_(rows)).asDiagonal() * a;
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
    const RowMatrix& a = split == Split::test ? test_x_ : validation_x_;
    const Vector& t = split == Split::test ? test_y_ : validation_y_;
    const Matrix logits = a * w.transpose();  // rows × points
    Vector out(w.rows());
    for (Index p = 0; p < w.rows(); ++p)
      out(p) = ((logits.col(p).array() > 0.0).cast<double>() != t.array())
                   .cast<double>()
                   .mean();
    return out;
  }

 private:
  // Mean logistic loss over the rows (minus the mean log-likelihood).
  static Vector mean_loss(const RowMatrix& a, const Vector& t,
                          const Matrix& w) {
    Vector loglik;
    Matrix grad;
    logistic::log_likelihood_grad(a, t, w, loglik, grad);
    return -loglik / static_cast<double>(a.rows());
  }
  static Matrix mean_loss_grad(const RowMatrix& a, const Vector& t,
                               const Matrix& w) {
    Vector loglik;
    Matrix grad;
    logistic::log_likelihood_grad(a, t, w, loglik, grad);
    return -grad / static_cast<double>(a.rows());
  }
  static void inner_grad_on(const RowMatrix& a, const Vector& t,
                            const Matrix& x, const Matrix& w, Matrix& gx,
                            Matrix& gy) {
    const Matrix scale = x.array().exp().matrix();
    gy = mean_loss_grad(a, t, w);
    gy.array() += scale.array() * w.array();
    gx = 0.5 * scale.array() * w.array().square();
  }
  static Matrix hvp_on(const RowMatrix& a, const Matrix& x, const Matrix& w,
                       const Matrix& v) {
    Matrix out = -logistic::log_likelihood_hessian_vector(a, w, v) /
                 static_cast<double>(a.rows());
    out.array() += x.array().exp() * v.array();
    return out;
  }

  using Solution = InnerSolution;
  Solution solve(const RowVector& x) const {
    return solutions_.get(x,
                          [this](const RowVector& at) { return newton(at); });
  }
  // From w = 0, full Newton steps with backtracking on g far from w*; the
  // objective is strongly convex (e^x > 0), so the steps converge.
  Solution newton(const RowVector& x) const {
    const Matrix xm = x;
    const double n = static_cast<double>(train_x_.rows());
    Solution sol{RowVector::Zero(dim_y()), {}};
    for (int iteration = 0; iteration < 100; ++iteration) {
      Matrix gx, gy;
      inner_grad(xm, sol.y, gx, gy);
      Matrix h = logistic::likelihood_fisher(train_x_, sol.y).front() / n;
      h.diagonal().array() += x.array().exp().transpose();
      sol.hessian.compute(h);
      const double norm = gy.cwiseAbs().maxCoeff();
      if (norm <= 1e-12) return sol;
      const RowVector step =
          sol.hessian.solve(gy.row(0).transpose()).transpose();
      const double value = inner_value(xm, sol.y)(0);
      double t = 1.0;
      for (int k = 0; k < 50 && norm >= 1e-3; ++k, t *= 0.5)
        if (inner_value(xm, sol.y - t * step)(0) <=
            value - 1e-4 * t * gy.row(0).dot(step))
          break;
      sol.y -= t * step;
    }
    throw std::runtime_error(
        "logistic_hyperparameters: Newton's method did not reach "
        "‖∇_w g‖∞ ≤ 1e-12 in 100 iterations");
  }

  RowMatrix train_x_, validation_x_, test_x_;
  Vector train_y_, validation_y_, test_y_;
  Index batch_ = 0;
  double train_curvature_max_ = 0, outer_smoothness_ = 0;
  LastSolutionCache<Solution> solutions_;
};

}  // namespace

VIBENCH_REGISTER_TASK(LogisticHyperparametersTask);

}  // namespace vibench
