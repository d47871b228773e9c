// `lasso`: P(β) = ½‖y − Xβ‖² + λ‖β‖₁, a composite problem (the smooth part
// f = ½‖y − Xβ‖² through value_grad, g = λ‖·‖₁ through its proximal
// operator, soft thresholding), with λ = reg·λ_max, λ_max = ‖Xᵀy‖_∞ (the
// smallest λ for which β = 0 is optimal), as in benchopt's lasso benchmark.
//
// Its metric is the certified duality gap of benchopt (PAPERS.md §9.2):
// with r = y − Xβ, the dual point θ = r / max(1, ‖Xᵀr‖_∞/λ) is feasible
// (‖Xᵀθ‖_∞ ≤ λ), and P(β) − D(θ), D(θ) = ½‖y‖² − ½‖y − θ‖², bounds
// P(β) − P* from above, with no P* needed.
//
// Data (synthetic, from `instance`): the rows of X are N(0, Σ) with
// Σ_ij = ρ^{|i−j|} (an AR(1) recursion per row, so correlated neighbours as
// in benchopt's simulated data), β_true has `nonzeros` entries of ±1 at
// random coordinates, y = Xβ_true + σε with σ chosen for the signal-to-noise
// ratio ‖Xβ_true‖/‖σε‖ = snr in expectation.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class LassoTask final : public Objective {
 public:
  static constexpr const char* kName = "lasso";
  static constexpr const char* kDescription =
      "Lasso 1/2|y - X b|^2 + lambda |b|_1, lambda = reg * |X'y|_inf, on "
      "synthetic correlated data; composite (soft-thresholding prox), L = "
      "|X|_2^2, certified duality gap";
  static constexpr const char* kDimensionRule = "n_features";

  // X (n × d) and its draw, then XᵀX or XXᵀ (the smaller side squared)
  // with its eigendecomposition, at construction.
  static MemoryNeed memory_need(const Params& p) {
    const double n = static_cast<double>(p.integer("n_samples"));
    const double d = static_cast<double>(p.integer("n_features"));
    const double side = std::min(n, d);
    return {dense_bytes(n, d, 2) + dense_bytes(side, side, 3),
            d > n ? "n_features" : "n_samples",
            "X (n_samples × n_features) twice and the Gram matrix's "
            "eigendecomposition"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("n_samples", 100, "rows of X").at_least(1),
        ParamSpec::integer("n_features", 200, "columns of X (the dimension)")
            .at_least(1),
        ParamSpec::real("reg", 0.1, "λ / λ_max").above(0.0).at_most(1.0),
        ParamSpec::real("rho", 0.5,
                        "correlation ρ^|i−j| between features i and j")
            .at_least(0.0)
            .below(1.0),
        ParamSpec::integer("nonzeros", 10, "nonzero entries of β_true")
            .at_least(0),
        ParamSpec::real("snr", 3.0, "signal-to-noise ratio of y").above(0.0),
        ParamSpec::integer("instance", 0, "seed of X, β_true and the noise")
            .at_least(0),
        ParamSpec::integer("batch_size", 0,
                           "rows per minibatch gradient of the smooth part "
                           "(drawn without replacement at every call, "
                           "scaled by n/b so the sum is unbiased); 0 or ≥ "
                           "n_samples: full gradients")
            .at_least(0),
    };
  }

  explicit LassoTask(const Params& p) {
    const Index n = static_cast<Index>(p.integer("n_samples"));
    const Index d = static_cast<Index>(p.integer("n_features"));
    const Index k = static_cast<Index>(p.integer("nonzeros"));
    const Index b = static_cast<Index>(p.integer("batch_size"));
    batch_size_ = b >= n ? 0 : b;
    if (k > d)
      throw ConfigError("nonzeros",
                        fmt::format("lasso: nonzeros = {} exceeds n_features "
                                    "= {}",
                                    k, d));
    const double rho = p.real("rho");
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng x_rng = root.child("lasso X");
    // AR(1) across columns: x_j = ρ x_{j−1} + √(1−ρ²) z_j has unit variance
    // and Cov(x_i, x_j) = ρ^|i−j|.
    x_ = x_rng.normal_matrix(n, d);
    const double innovation = std::sqrt(1.0 - rho * rho);
    for (Index j = 1; j < d; ++j)
      x_.col(j) = rho * x_.col(j - 1) + innovation * x_.col(j);
    Rng beta_rng = root.child("lasso beta");
    Vector beta_true = Vector::Zero(d);
    for (Index j : sample_distinct(d, k, beta_rng))
      beta_true(j) = beta_rng.uniform() < 0.5 ? -1.0 : 1.0;
    Rng noise_rng = root.child("lasso noise");
    const Vector signal = x_ * beta_true;
    const Vector noise = noise_rng.normal_vector(n);
    const double sigma =
        k == 0 ? 1.0 : signal.norm() / (p.real("snr") * std::sqrt(double(n)));
    y_ = signal + sigma * noise;
    lambda_ = p.real("reg") * (x_.transpose() * y_).cwiseAbs().maxCoeff();
    if (!(lambda_ > 0))
      throw ConfigError("reg",
                        "lasso: Xᵀy = 0, so every λ makes β = 0 "
                        "optimal; change instance or the data size");
    // L = ‖X‖₂², the largest eigenvalue of XᵀX.
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(
        d <= n ? Matrix(x_.transpose() * x_) : Matrix(x_ * x_.transpose()),
        Eigen::EigenvaluesOnly);
    smoothness_ = eig.eigenvalues().maxCoeff();
    // XᵀX is positive definite only with at least as many rows as columns.
    strong_convexity_ =
        d <= n ? std::max(0.0, eig.eigenvalues().minCoeff()) : 0.0;
  }

  Index dim() const override { return x_.cols(); }
  Capabilities capabilities() const override {
    return {Capability::composite, Capability::smoothness,
            Capability::duality_gap, Capability::minibatch};
  }
  Index data_size() const override { return x_.rows(); }
  Index batch_size() const override { return batch_size_; }
  // Lasso solvers start at β = 0 (benchopt's convention); rows beyond the
  // first are N(0, I) so that several iterates differ.
  Matrix initial_points(Index n, Rng& rng) const override {
    Matrix x = rng.normal_matrix(n, dim());
    x.row(0).setZero();
    return x;
  }
  // f(β) = ½‖y − Xβ‖², ∇f = −Xᵀ(y − Xβ), batched: one product for all rows.
  void value_grad(const Matrix& beta, Vector& f, Matrix& grad) const override {
    const Matrix residual = (-(beta * x_.transpose())).rowwise() +
                            y_.transpose();  // rows: (y − Xβ_i)ᵀ
    f = 0.5 * residual.rowwise().squaredNorm();
    grad = -residual * x_;
  }
  // The same on `batch_size` rows, times n/b: unbiased for the sum.
  Index value_grad_minibatch(const Matrix& beta, Rng& rng, Vector& f,
                             Matrix& grad) const override {
    const std::vector<Index> rows =
        sample_distinct(x_.rows(), batch_size_, rng);
    const Index b = static_cast<Index>(rows.size());
    Matrix xb(b, x_.cols());
    Vector yb(b);
    for (Index k = 0; k < b; ++k) {
      xb.row(k) = x_.row(rows[static_cast<size_t>(k)]);
      yb(k) = y_(rows[static_cast<size_t>(k)]);
    }
    const double scale =
        static_cast<double>(x_.rows()) / static_cast<double>(b);
    const Matrix residual =
        (-(beta * xb.transpose())).rowwise() + yb.transpose();
    f = (0.5 * scale) * residual.rowwise().squaredNorm();
    grad = -scale * (residual * xb);
    return b;
  }
  Vector regularizer(const Matrix& beta) const override {
    return lambda_ * beta.cwiseAbs().rowwise().sum();
  }
  // Soft thresholding at step·λ.
  void prox(Matrix& beta, double step) const override {
    const double t = step * lambda_;
    beta = beta.array().sign() * (beta.array().abs() - t).max(0.0);
  }
  ObjectiveProperties properties() const override {
    return {true, strong_convexity_, smoothness_};
  }
  Vector duality_gap(const Matrix& beta) const override {
    const Matrix residual =
        (-(beta * x_.transpose())).rowwise() + y_.transpose();
    const Vector correlation =
        (residual * x_).cwiseAbs().rowwise().maxCoeff();  // ‖Xᵀr‖_∞
    Vector gap(beta.rows());
    for (Index i = 0; i < beta.rows(); ++i) {
      const double scale = std::max(1.0, correlation(i) / lambda_);
      const Vector theta = residual.row(i).transpose() / scale;
      const double primal = 0.5 * residual.row(i).squaredNorm() +
                            lambda_ * beta.row(i).cwiseAbs().sum();
      const double dual =
          0.5 * y_.squaredNorm() - 0.5 * (y_ - theta).squaredNorm();
      gap(i) = primal - dual;
    }
    return gap;
  }
  double lambda() const { return lambda_; }

 private:
  Index batch_size_ = 0;
  Matrix x_;
  Vector y_;
  double lambda_ = 0, smoothness_ = 0, strong_convexity_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(LassoTask);

}  // namespace vibench
