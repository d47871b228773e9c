// `finite_sum_quadratic`: the simulated quadratic bilevel problem of
// benchopt's benchmark_bilevel (the SOBA/SABA experiments), a finite sum of
// rank-one quadratics on both levels, with every quantity by dense solves.
//
//   g(x, y) = (1/n) Σ_i ½(p_iᵀy)² + ½(q_iᵀx)² + (a_iᵀx)(b_iᵀy) + c_iᵀy + d_iᵀx
//   f(x, y) = (1/m) Σ_j ½(p'_jᵀy)² + ½(q'_jᵀx)² + c'_jᵀy + d'_jᵀx
//
// p_i = M u_i with u_i ~ N(0, I) and M = U diag(√λ) Uᵀ, λ log-spaced in
// [μ, L], so E[p pᵀ] = M² has its spectrum in [μ, L] while each sample's
// Hessian has rank one (likewise q, p', q'); the cross term a_i b_iᵀ has
// mean U_c Σ V_cᵀ with singular values log-spaced in [μ, L_cross]. The
// linear terms are N(0, I). Unlike the anchor, the upper level has no cross
// term, which keeps F strongly convex (F's Hessian is Ḡ_x + JᵀḠ_yJ) so
// that x* exists for every instance.
//
// With the sample means H̄ = mean p pᵀ, C̄ = mean a bᵀ (dim_x × dim_y):
//   y*(x) = −H̄⁻¹(C̄ᵀx + c̄),
//   ∇F(x) = ∇_x f − C̄ H̄⁻¹ ∇_y f   at (x, y*(x)),
//   x* = −(Ḡ_x + JᵀḠ_yJ)⁻¹ (d̄' + Jᵀ(Ḡ_y k + c̄')),  J = −H̄⁻¹C̄ᵀ, k = −H̄⁻¹c̄.
// Full-data oracles use the means (one product per call); minibatch ones
// (batch_size > 0) read a fresh batch of distinct rows of their level.
#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "tasks/bilevel.hpp"

namespace vibench {
namespace {

// Rows r_i = M u_i, u_i ~ N(0, I), M = U diag(√λ) Uᵀ with λ log-spaced in
// [low, high]: rank-one samples r rᵀ with mean spectrum in [low, high].
Matrix rank_one_factors(Index rows, Index dim, double low, double high,
                        Rng& rng) {
  const Matrix u = rng.orthogonal(dim);
  const Matrix m =
      u * log_spaced(dim, low, high).cwiseSqrt().asDiagonal() * u.transpose();
  return rng.normal_matrix(rows, dim) * m;  // m symmetric
}

// One level's rows, and their means for the full-data oracles.
struct Level {
  Matrix p, q;  // y- and x-Hessian factors (rows × dim_y, rows × dim_x)
  Matrix a, b;  // cross factors (rows × dim_x, rows × dim_y); empty: none
  Matrix c, d;  // linear terms (rows × dim_y, rows × dim_x)
  Matrix h_y, h_x, cross;  // means p pᵀ, q qᵀ, a bᵀ (dim_x × dim_y)
  RowVector c_mean, d_mean;

  Index rows() const { return p.rows(); }
  void finish() {
    const double n = static_cast<double>(rows());
    h_y = p.transpose() * p / n;
    h_x = q.transpose() * q / n;
    cross = a.size() ? Matrix(a.transpose() * b / n)
                     : Matrix::Zero(q.cols(), p.cols());
    c_mean = c.colwise().mean();
    d_mean = d.colwise().mean();
  }
  Vector value(const Matrix& x, const Matrix& y) const {
    return 0.5 * ((y * h_y).cwiseProduct(y).rowwise().sum() +
                  (x * h_x).cwiseProduct(x).rowwise().sum()) +
           (x * cross).cwiseProduct(y).rowwise().sum() +
           y * c_mean.transpose() + x * d_mean.transpose();
  }
  void grad(const Matrix& x, const Matrix& y, Matrix& gx, Matrix& gy) const {
    gy.noalias() = y * h_y;
    gy.noalias() += x * cross;
    gy.rowwise() += c_mean;
    gx.noalias() = x * h_x;
    gx.noalias() += y * cross.transpose();
    gx.rowwise() += d_mean;
  }
  // The same from the rows `s` only: products over the batch, never a
  // dim × dim matrix.
  void grad_rows(const std::vector<Index>& s, const Matrix& x, const Matrix& y,
                 Matrix& gx, Matrix& gy) const {
    const double inv = 1.0 / static_cast<double>(s.size());
    const Matrix ps = p(s, Eigen::all);
    const Matrix qs = q(s, Eigen::all);
    gy.noalias() = (y * ps.transpose()) * ps * inv;
    gx.noalias() = (x * qs.transpose()) * qs * inv;
    if (a.size()) {
      const Matrix as = a(s, Eigen::all);
      const Matrix bs = b(s, Eigen::all);
      gy.noalias() += (x * as.transpose()) * bs * inv;
      gx.noalias() += (y * bs.transpose()) * as * inv;
    }
    gy.rowwise() += c(s, Eigen::all).colwise().mean();
    gx.rowwise() += d(s, Eigen::all).colwise().mean();
  }
};

class FiniteSumQuadraticTask final : public Bilevel {
 public:
  static constexpr const char* kName = "finite_sum_quadratic";
  static constexpr const char* kDescription =
      "benchopt's simulated finite-sum quadratic bilevel problem: rank-one "
      "per-sample Hessians whose means have spectra log-spaced in [μ, L], "
      "cross term with singular values in [μ, L_cross]; exact y*(x), "
      "hypergradient and x* by dense solves; minibatch oracles";
  static constexpr const char* kDimensionRule =
      "dim_x (inner variable y has dim_y)";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim_x", 100, "dimension of the outer variable x")
            .at_least(1),
        ParamSpec::integer("dim_y", 100, "dimension of the inner variable y")
            .at_least(1),
        ParamSpec::integer("n_inner", 1024, "samples of the inner sum g")
            .at_least(1),
        ParamSpec::integer("n_outer", 1024, "samples of the outer sum f")
            .at_least(1),
        ParamSpec::real("mu", 0.1,
                        "lower end μ of every spectrum (inner strong "
                        "convexity in expectation)")
            .above(0.0),
        ParamSpec::real("L_inner", 1.0,
                        "upper end of the spectra of g's Hessians in y and x")
            .above(0.0),
        ParamSpec::real("L_outer", 1.0,
                        "upper end of the spectra of f's Hessians in y and x")
            .above(0.0),
        ParamSpec::real("L_cross", 0.1,
                        "largest singular value of g's mean cross term")
            .above(0.0),
        ParamSpec::integer("batch_size", 0,
                           "rows per minibatch of each oracle call (0: full "
                           "sums)")
            .at_least(0),
        ParamSpec::integer("instance", 0, "seed of the random draws")
            .at_least(0),
    };
  }

  explicit FiniteSumQuadraticTask(const Params& p)
      : batch_(static_cast<Index>(p.integer("batch_size"))) {
    const Index dx = static_cast<Index>(p.integer("dim_x"));
    const Index dy = static_cast<Index>(p.integer("dim_y"));
    const Index n_in = static_cast<Index>(p.integer("n_inner"));
    const Index n_out = static_cast<Index>(p.integer("n_outer"));
    const double mu = p.real("mu");
    for (const char* name : {"L_inner", "L_outer", "L_cross"})
      if (p.real(name) < mu)
        throw ConfigError(name, fmt::format("{} = {} is below mu = {}: the "
                                            "spectrum [mu, {}] is empty",
                                            name, p.real(name), mu, name));
    if (batch_ > std::min(n_in, n_out))
      throw ConfigError("batch_size",
                        fmt::format("batch_size = {} exceeds the smaller "
                                    "sum's {} samples",
                                    batch_, std::min(n_in, n_out)));
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng rng = root.child("inner");
    inner_.p = rank_one_factors(n_in, dy, mu, p.real("L_inner"), rng);
    inner_.q = rank_one_factors(n_in, dx, mu, p.real("L_inner"), rng);
    {
      // a_i = U Σ w_i, b_i = V w_i with w_i ~ N(0, I_dy): E[a bᵀ] = U Σ Vᵀ.
      const Matrix u = rng.orthogonal(dx), v = rng.orthogonal(dy);
      const Index k = std::min(dx, dy);
      Matrix sigma = Matrix::Zero(dx, dy);
      sigma.diagonal().head(k) = log_spaced(k, mu, p.real("L_cross"));
      const Matrix w = rng.normal_matrix(n_in, dy);
      inner_.a = w * (u * sigma).transpose();
      inner_.b = w * v.transpose();
    }
    inner_.c = rng.normal_matrix(n_in, dy);
    inner_.d = rng.normal_matrix(n_in, dx);
    inner_.finish();
    Rng outer_rng = root.child("outer");
    outer_.p = rank_one_factors(n_out, dy, mu, p.real("L_outer"), outer_rng);
    outer_.q = rank_one_factors(n_out, dx, mu, p.real("L_outer"), outer_rng);
    outer_.c = outer_rng.normal_matrix(n_out, dy);
    outer_.d = outer_rng.normal_matrix(n_out, dx);
    outer_.finish();

    inner_hessian_.compute(inner_.h_y);
    if (inner_hessian_.info() != Eigen::Success ||
        inner_hessian_.vectorD().minCoeff() <= 0)
      throw ConfigError("n_inner",
                        "finite_sum_quadratic: the mean inner Hessian is "
                        "singular for this instance (too few samples for "
                        "dim_y); raise n_inner");
    const Vector inner_spectrum = Eigen::SelfAdjointEigenSolver<Matrix>(
                                      inner_.h_y, Eigen::EigenvaluesOnly)
                                      .eigenvalues();
    inner_smoothness_ = inner_spectrum.maxCoeff();
    inner_strong_convexity_ = inner_spectrum.minCoeff();
    outer_smoothness_ = Eigen::SelfAdjointEigenSolver<Matrix>(
                            outer_.h_y, Eigen::EigenvaluesOnly)
                            .eigenvalues()
                            .maxCoeff();
    // x* from F's Hessian Ḡ_x + JᵀḠ_yJ and gradient at 0.
    const Matrix j = -inner_hessian_.solve(inner_.cross.transpose());
    const Vector k = -inner_hessian_.solve(inner_.c_mean.transpose());
    const Matrix hessian_f = outer_.h_x + j.transpose() * outer_.h_y * j;
    const Vector grad_at_0 =
        outer_.d_mean.transpose() +
        j.transpose() * (outer_.h_y * k + outer_.c_mean.transpose());
    const Eigen::LDLT<Matrix> f_ldlt(hessian_f);
    if (f_ldlt.info() != Eigen::Success || f_ldlt.vectorD().minCoeff() <= 0)
      throw ConfigError("n_outer",
                        "finite_sum_quadratic: the outer problem is not "
                        "strongly convex for this instance; raise n_outer");
    optimum_ = -f_ldlt.solve(grad_at_0);
  }

  Index dim_x() const override { return inner_.q.cols(); }
  Index dim_y() const override { return inner_.p.cols(); }
  Capabilities capabilities() const override {
    Capabilities caps = {Capability::hypergradient, Capability::hessian_vector,
                         Capability::optimum,       Capability::smoothness,
                         Capability::sample_terms,  Capability::error_bounds};
    if (batch_ > 0) caps.insert(Capability::minibatch);
    return caps;
  }
  Index outer_data_size() const override { return outer_.rows(); }
  Index inner_data_size() const override { return inner_.rows(); }
  Index batch_size() const override { return batch_; }

  Vector outer_value(const Matrix& x, const Matrix& y) const override {
    return outer_.value(x, y);
  }
  void outer_grad(const Matrix& x, const Matrix& y, Matrix& fx,
                  Matrix& fy) const override {
    outer_.grad(x, y, fx, fy);
  }
  Vector inner_value(const Matrix& x, const Matrix& y) const override {
    return inner_.value(x, y);
  }
  void inner_grad(const Matrix& x, const Matrix& y, Matrix& gx,
                  Matrix& gy) const override {
    inner_.grad(x, y, gx, gy);
  }
  Matrix inner_hvp_yy(const Matrix&, const Matrix&,
                      const Matrix& v) const override {
    return v * inner_.h_y;
  }
  Matrix inner_cross(const Matrix&, const Matrix&,
                     const Matrix& v) const override {
    return v * inner_.cross.transpose();
  }

  Index outer_grad_minibatch(const Matrix& x, const Matrix& y, Rng& rng,
                             Matrix& fx, Matrix& fy) const override {
    outer_.grad_rows(sample_distinct(outer_.rows(), batch_, rng), x, y, fx, fy);
    return batch_;
  }
  Index inner_grad_minibatch(const Matrix& x, const Matrix& y, Rng& rng,
                             Matrix& gx, Matrix& gy) const override {
    inner_.grad_rows(sample_distinct(inner_.rows(), batch_, rng), x, y, gx, gy);
    return batch_;
  }
  Index inner_hvp_yy_minibatch(const Matrix&, const Matrix&, const Matrix& v,
                               Rng& rng, Matrix& out) const override {
    const Matrix ps =
        inner_.p(sample_distinct(inner_.rows(), batch_, rng), Eigen::all);
    out.noalias() = (v * ps.transpose()) * ps / static_cast<double>(batch_);
    return batch_;
  }
  Index inner_cross_minibatch(const Matrix&, const Matrix&, const Matrix& v,
                              Rng& rng, Matrix& out) const override {
    const std::vector<Index> s = sample_distinct(inner_.rows(), batch_, rng);
    const Matrix as = inner_.a(s, Eigen::all);
    const Matrix bs = inner_.b(s, Eigen::all);
    out.noalias() = (v * bs.transpose()) * as / static_cast<double>(batch_);
    return batch_;
  }

  // Row i: p_i(p_iᵀy) + b_i(a_iᵀx) + c_i, p_i(p_iᵀv), a_i(b_iᵀv).
  void inner_sample_terms(const RowVector& x, const RowVector& y,
                          const RowVector& v, const std::vector<Index>& rows,
                          Matrix& gy, Matrix& hvp,
                          Matrix& cross) const override {
    using Eigen::all;
    const Matrix ps = inner_.p(rows, all), as = inner_.a(rows, all),
                 bs = inner_.b(rows, all);
    gy = (ps * y.transpose()).asDiagonal() * ps;
    gy += (as * x.transpose()).asDiagonal() * bs;
    gy += inner_.c(rows, all);
    hvp = (ps * v.transpose()).asDiagonal() * ps;
    cross = (bs * v.transpose()).asDiagonal() * as;
  }
  // Row j: q'_j(q'_jᵀx) + d'_j and p'_j(p'_jᵀy) + c'_j.
  void outer_sample_terms(const RowVector& x, const RowVector& y,
                          const std::vector<Index>& rows, Matrix& fx,
                          Matrix& fy) const override {
    using Eigen::all;
    const Matrix ps = outer_.p(rows, all), qs = outer_.q(rows, all);
    fx = (qs * x.transpose()).asDiagonal() * qs;
    fx += outer_.d(rows, all);
    fy = (ps * y.transpose()).asDiagonal() * ps;
    fy += outer_.c(rows, all);
  }

  Matrix inner_solution(const Matrix& x) const override {
    Matrix rhs = x * inner_.cross;
    rhs.rowwise() += inner_.c_mean;
    return -inner_hessian_.solve(rhs.transpose()).transpose();
  }
  Matrix hypergradient(const Matrix& x) const override {
    const Matrix y = inner_solution(x);
    Matrix fx, fy;
    outer_.grad(x, y, fx, fy);
    const Matrix v = inner_hessian_.solve(fy.transpose()).transpose();
    return fx - v * inner_.cross.transpose();
  }
  Vector optimum() const override { return optimum_; }
  // The mean inner Hessian's largest eigenvalue: L of the full-data ∇_y g
  // (a single sample's can be larger).
  double inner_smoothness() const override { return inner_smoothness_; }
  // The mean inner Hessian's smallest eigenvalue, and the mean outer
  // Hessian's largest in y (∇_x f does not depend on y).
  Vector inner_strong_convexity(const Matrix& x) const override {
    return Vector::Constant(x.rows(), inner_strong_convexity_);
  }
  double outer_smoothness() const override { return outer_smoothness_; }

 private:
  Index batch_;
  double inner_smoothness_ = 0, inner_strong_convexity_ = 0,
         outer_smoothness_ = 0;
  Level inner_, outer_;
  Eigen::LDLT<Matrix> inner_hessian_;
  Vector optimum_;
};

}  // namespace

VIBENCH_REGISTER_TASK(FiniteSumQuadraticTask);

}  // namespace vibench
