// `simplex_least_squares`: F(p) = ½‖Ap − b‖² over the probability simplex
// Δ_K, for mirror descent (exponentiated gradient) and the Frank–Wolfe gap.
// A point is stored as its first d = K − 1 coordinates θ (p_K = 1 − Σθ),
// like every simplex task of vibench (core/domain.hpp), so the gradient in
// stored coordinates is ∂f/∂θ_i = g_i − g_K with g = ∇_p F = Aᵀ(Ap − b).
//
// Data from `instance`: A is m×K with N(0, 1/m) entries, b = A p♮ + σε with
// p♮ supported on `support` random components, so the minimizer lies on a
// face. x* is computed exactly at construction: projected gradient finds
// the support S, then the KKT system of the equality-constrained problem on
// S is solved directly, [A_SᵀA_S 1; 1ᵀ 0][p_S; ν] = [A_Sᵀb; 1], and the
// KKT conditions (p_S > 0, g_i ≥ −ν off S) are verified; with m ≥ K, AᵀA
// is positive definite and the minimizer unique.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

// Euclidean projection of v onto the probability simplex (sort-based).
Vector project_to_simplex(const Vector& v) {
  Vector sorted = v;
  std::sort(sorted.data(), sorted.data() + sorted.size(), std::greater<>());
  double cumulative = 0, tau = 0;
  for (Index i = 0; i < sorted.size(); ++i) {
    cumulative += sorted(i);
    const double candidate = (cumulative - 1.0) / static_cast<double>(i + 1);
    if (sorted(i) - candidate > 0) tau = candidate;
  }
  return (v.array() - tau).max(0.0).matrix();
}

class SimplexLeastSquaresTask final : public Objective {
 public:
  static constexpr const char* kName = "simplex_least_squares";
  static constexpr const char* kDescription =
      "1/2|A p - b|^2 over the probability simplex (K = dim + 1 components, "
      "stored as the first dim); minimizer on a face, solved exactly (KKT on "
      "its support); for mirror descent and the Frank-Wolfe gap";
  static constexpr const char* kDimensionRule = "components - 1";
  static ParamSpecs params() {
    return {
        ParamSpec::integer("components", 20, "K, the simplex's components")
            .at_least(2),
        ParamSpec::integer("rows", 40, "m, rows of A (at least K)").at_least(2),
        ParamSpec::integer("support", 5, "components of p♮ that are nonzero")
            .at_least(1),
        ParamSpec::real("noise", 0.1, "σ of the noise on b").at_least(0.0),
        ParamSpec::integer("instance", 0, "seed of A, p♮ and the noise")
            .at_least(0),
    };
  }

  explicit SimplexLeastSquaresTask(const Params& p) {
    const Index k = static_cast<Index>(p.integer("components"));
    const Index m = static_cast<Index>(p.integer("rows"));
    const Index support = static_cast<Index>(p.integer("support"));
    if (m < k)
      throw ConfigError("rows", fmt::format("simplex_least_squares: rows = {} "
                                            "< components = {}; A must have "
                                            "full column rank",
                                            m, k));
    if (support > k)
      throw ConfigError("support",
                        fmt::format("simplex_least_squares: support = {} "
                                    "exceeds components = {}",
                                    support, k));
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng a_rng = root.child("simplex_least_squares A");
    a_ = a_rng.normal_matrix(m, k) / std::sqrt(static_cast<double>(m));
    Rng p_rng = root.child("simplex_least_squares p");
    Vector natural = Vector::Zero(k);
    for (Index j : sample_distinct(k, support, p_rng))
      natural(j) = 0.5 + p_rng.uniform();
    natural /= natural.sum();
    Rng noise_rng = root.child("simplex_least_squares noise");
    b_ = a_ * natural + p.real("noise") * noise_rng.normal_vector(m);
    solve_exactly();
    // In stored coordinates θ, p = Jθ + e_K with J = [I; −1ᵀ], so the
    // Hessian is JᵀAᵀAJ.
    Matrix j = Matrix::Zero(k, k - 1);
    j.topRows(k - 1).setIdentity();
    j.row(k - 1).setConstant(-1.0);
    const Matrix aj = a_ * j;
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(aj.transpose() * aj,
                                                    Eigen::EigenvaluesOnly);
    properties_ = {true, std::max(0.0, eig.eigenvalues().minCoeff()),
                   eig.eigenvalues().maxCoeff()};
  }
  ObjectiveProperties properties() const override { return properties_; }

  Index dim() const override { return a_.cols() - 1; }
  const Domain& domain() const override { return *simplex_domain(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::mirror_domain};
  }
  void value_grad(const Matrix& theta, Vector& f, Matrix& grad) const override {
    const Index n = theta.rows(), d = dim();
    Matrix full(n, d + 1);  // rows: p
    full.leftCols(d) = theta;
    full.col(d) = Vector::Ones(n) - theta.rowwise().sum();
    const Matrix residual = (full * a_.transpose()).rowwise() - b_.transpose();
    f = 0.5 * residual.rowwise().squaredNorm();
    const Matrix g = residual * a_;  // rows: ∇_p F
    grad = g.leftCols(d).colwise() - g.col(d);
  }
  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_.head(dim()); }

 private:
  Vector full_gradient(const Vector& p) const {
    return a_.transpose() * (a_ * p - b_);
  }
  void solve_exactly() {
    const Index k = a_.cols();
    // Accelerated projected gradient to find the support.
    const Eigen::SelfAdjointEigenSolver<Matrix> eig(a_.transpose() * a_,
                                                    Eigen::EigenvaluesOnly);
    const double step = 1.0 / eig.eigenvalues().maxCoeff();
    Vector p = Vector::Constant(k, 1.0 / static_cast<double>(k)), y = p;
    double t = 1;
    for (int it = 0; it < 20000; ++it) {
      const Vector next = project_to_simplex(y - step * full_gradient(y));
      const double t_next = 0.5 * (1 + std::sqrt(1 + 4 * t * t));
      y = next + ((t - 1) / t_next) * (next - p);
      t = t_next;
      const double change = (next - p).cwiseAbs().maxCoeff();
      p = next;
      if (change < 1e-15) break;
    }
    std::vector<Index> support;
    for (Index i = 0; i < k; ++i)
      if (p(i) > 1e-9) support.push_back(i);
    const Index s = static_cast<Index>(support.size());
    Matrix kkt = Matrix::Zero(s + 1, s + 1);
    Vector rhs(s + 1);
    Matrix a_s(a_.rows(), s);
    for (Index j = 0; j < s; ++j) a_s.col(j) = a_.col(support[j]);
    kkt.topLeftCorner(s, s) = a_s.transpose() * a_s;
    kkt.topRightCorner(s, 1).setOnes();
    kkt.bottomLeftCorner(1, s).setOnes();
    rhs.head(s) = a_s.transpose() * b_;
    rhs(s) = 1.0;
    const Vector solution = kkt.fullPivLu().solve(rhs);
    optimum_ = Vector::Zero(k);
    for (Index j = 0; j < s; ++j) optimum_(support[j]) = solution(j);
    const double nu = solution(s);
    // KKT: p_S > 0 and, with g = ∇F(p*), g_i = −ν on S and g_i ≥ −ν off it.
    const Vector g = full_gradient(optimum_);
    const double scale = 1.0 + g.cwiseAbs().maxCoeff();
    bool ok = optimum_.minCoeff() >= 0;
    for (Index i = 0; i < k; ++i) ok = ok && g(i) + nu >= -1e-10 * scale;
    if (!ok)
      throw ConfigError("",
                        "simplex_least_squares: the exact solve did not "
                        "verify the KKT conditions; try another instance");
    optimal_value_ = 0.5 * (a_ * optimum_ - b_).squaredNorm();
  }

  Matrix a_;
  Vector b_;
  ObjectiveProperties properties_;
  Vector optimum_;
  double optimal_value_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(SimplexLeastSquaresTask);

}  // namespace vibench
