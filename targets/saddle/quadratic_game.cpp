// `quadratic_game`: L(x, y) = ½xᵀAx + xᵀBy − ½yᵀCy + b₁ᵀx − b₂ᵀy with
// controlled spectra (gamesopt's quadratic game, PAPERS.md §9.2): A and C
// Haar-rotated with eigenvalues in [mu, lipschitz] (log-spaced for mu > 0,
// evenly spaced from 0 for mu = 0: merely monotone), B with singular values
// log-spaced in [mu_b, lipschitz_b]. Its operator F(z) = Mz + q,
// M = [[A, B], [−Bᵀ, C]], q = (b₁, b₂), is mu-strongly monotone (the
// symmetric part of M is diag(A, C)); its Lipschitz constant is ‖M‖₂,
// computed at construction; z* = −M⁻¹q.
//
// For mu > 0 (strongly-convex–strongly-concave) the full duality gap has a
// closed form: with u = By + b₁ and w = Bᵀx − b₂,
//   max_y′ L(x, y′) − min_x′ L(x′, y) = ½xᵀAx + b₁ᵀx + ½wᵀC⁻¹w
//                                     + ½yᵀCy + b₂ᵀy + ½uᵀA⁻¹u.
// For any mu, the gap restricted to balls around z* is the exact one of a
// quadratic Lagrangian (tasks/quadratic_restricted_gap.hpp).
//
// As a finite sum (`components` n > 1, for variance-reduced methods):
// F = (1/n)Σ F_i with F_i(z) = M_i z + q_i, M_i = M + E_i and q_i = q + e_i,
// the perturbations centred (Σ E_i = 0, Σ e_i = 0) with entries of size
// `component_spread`·lipschitz/√(2d); a minibatch (`batch_size`) averages
// the operators of distinct components, applied without copying them.
#include <fmt/format.h>

#include <cmath>

#include "core/distinct_sample.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

// n values from lo to hi: log-spaced when lo > 0, evenly spaced otherwise.
Vector spectrum(Index n, double lo, double hi) {
  if (lo > 0) return log_spaced(n, lo, hi);
  Vector v(n);
  for (Index i = 0; i < n; ++i)
    v(i) = n == 1 ? 0.0
                  : hi * (static_cast<double>(i) / static_cast<double>(n - 1));
  return v;
}

class QuadraticGameTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "quadratic_game";
  static constexpr const char* kDescription =
      "quadratic game 1/2 x'Ax + x'By - 1/2 y'Cy + b1'x - b2'y, spectra of "
      "A, C in [mu, L], singular values of B in [mu_b, L_b]; SC-SC (closed-"
      "form duality gap) or merely monotone; optionally a finite sum";
  static constexpr const char* kDimensionRule = "2·dim";

  // About 32 d×d matrices at construction (four rotations, A, B, C, the
  // 2d × 2d operator M with its SVD and LU factorization), and one 2d × 2d
  // operator per component of a finite sum.
  static MemoryNeed memory_need(const Params& p) {
    const double d = static_cast<double>(p.integer("dim"));
    const double n = static_cast<double>(p.integer("components"));
    const double components = n > 1 ? n : 0;
    return {dense_bytes(d, d, 32) + dense_bytes(2 * d, 2 * d, components),
            4 * components > 32 ? "components" : "dim",
            "32 d×d matrices and a 2d × 2d matrix per component"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 10, "d, the dimension of x and of y")
            .at_least(1),
        ParamSpec::real("mu", 0.1,
                        "smallest eigenvalue of A and C (0: merely "
                        "monotone)")
            .at_least(0.0),
        ParamSpec::real("lipschitz", 1.0, "largest eigenvalue of A and C")
            .above(0.0),
        ParamSpec::real("mu_b", 0.1, "smallest singular value of B")
            .at_least(0.0),
        ParamSpec::real("lipschitz_b", 1.0, "largest singular value of B")
            .at_least(0.0),
        ParamSpec::boolean("linear_terms", true,
                           "true: b₁, b₂ ~ N(0, I); false: zero (z* = 0)"),
        ParamSpec::integer("components", 1,
                           "n, the number of components of the finite sum")
            .at_least(1),
        ParamSpec::real("component_spread", 0.5,
                        "size of the components' perturbations, relative "
                        "to lipschitz")
            .at_least(0.0),
        ParamSpec::integer("batch_size", 0,
                           "components per minibatch operator (distinct, "
                           "drawn at every call); 0 or ≥ components: the "
                           "full operator")
            .at_least(0),
        ParamSpec::integer("instance", 0, "seed of the rotations and vectors")
            .at_least(0),
    };
  }

  explicit QuadraticGameTask(const Params& p) : dim_(p.integer("dim")) {
    const double mu = p.real("mu"), l = p.real("lipschitz");
    const double mu_b = p.real("mu_b"), l_b = p.real("lipschitz_b");
    if (mu > l)
      throw ConfigError("mu", fmt::format("quadratic_game: mu = {} exceeds "
                                          "lipschitz = {}",
                                          mu, l));
    if (mu_b > l_b)
      throw ConfigError("mu_b", fmt::format("quadratic_game: mu_b = {} "
                                            "exceeds lipschitz_b = {}",
                                            mu_b, l_b));
    if (mu == 0 && mu_b == 0)
      throw ConfigError("mu_b",
                        "quadratic_game: with mu = 0, mu_b must be positive "
                        "(otherwise M is singular and z* is not unique)");
    const Index d = dim_, n = p.integer("components");
    const Index batch = p.integer("batch_size");
    batch_size_ = batch >= n ? 0 : batch;
    mu_ = mu;
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng rotations = root.child("quadratic_game rotations");
    const Matrix ua = rotations.orthogonal(d), uc = rotations.orthogonal(d);
    const Matrix ub = rotations.orthogonal(d), vb = rotations.orthogonal(d);
    a_ = ua * spectrum(d, mu, l).asDiagonal() * ua.transpose();
    a_ = 0.5 * (a_ + a_.transpose());
    c_ = uc * spectrum(d, mu, l).asDiagonal() * uc.transpose();
    c_ = 0.5 * (c_ + c_.transpose());
    const Matrix b = ub * spectrum(d, mu_b, l_b).asDiagonal() * vb.transpose();
    m_.resize(2 * d, 2 * d);
    m_ << a_, b, -b.transpose(), c_;
    q_ = Vector::Zero(2 * d);
    if (p.boolean("linear_terms")) {
      Rng vectors = root.child("quadratic_game vectors");
      q_ = vectors.normal_vector(2 * d);
    }
    b_ = b;
    if (mu > 0) {
      a_llt_.compute(a_);
      c_llt_.compute(c_);
    }
    lipschitz_ = Eigen::BDCSVD<Matrix>(m_).singularValues()(0);
    solution_ = -m_.partialPivLu().solve(q_);
    if (n > 1) {
      Rng spread = root.child("quadratic_game components");
      const double scale = p.real("component_spread") * l /
                           std::sqrt(static_cast<double>(2 * d));
      components_.resize(static_cast<size_t>(n));
      Matrix sum = Matrix::Zero(2 * d, 2 * d);
      for (auto& e : components_) {
        e = scale * spread.normal_matrix(2 * d, 2 * d);
        sum += e;
      }
      component_q_ = scale * spread.normal_matrix(n, 2 * d);
      const RowVector mean_q = component_q_.colwise().mean();
      component_q_.rowwise() -= mean_q;
      for (auto& e : components_) e += m_ - sum / static_cast<double>(n);
      component_q_.rowwise() += q_.transpose();
    }
  }

  Index dim_x() const override { return dim_; }
  Index dim_y() const override { return dim_; }
  Capabilities capabilities() const override {
    Capabilities c = {Capability::optimum, Capability::smoothness,
                      Capability::linear_operator, Capability::restricted_gap,
                      Capability::gradient_noise};
    if (mu_ > 0) c.insert(Capability::duality_gap);
    if (!components_.empty()) {
      c.insert(Capability::minibatch);
      c.insert(Capability::sample_terms);
    }
    return c;
  }
  Index batch_size() const override { return batch_size_; }
  // n components (0: a single operator), so that a full call counts n
  // component calls and a minibatch its share of a pass.
  Index data_size() const override {
    return static_cast<Index>(components_.size());
  }
  SaddleProperties properties() const override {
    return {.monotone = true,
            .strong_monotonicity = mu_,
            .comonotonicity = 0,
            .lipschitz = lipschitz_};
  }

  Matrix operator_value(const Matrix& z) const override {
    return affine_operator(z, m_, q_);
  }
  Index operator_minibatch(const Matrix& z, Rng& rng,
                           Matrix& field) const override {
    const std::vector<Index> picks = sample_distinct(
        static_cast<Index>(components_.size()), batch_size_, rng);
    operator_components(z, picks, field);
    return static_cast<Index>(picks.size());
  }

  void operator_components(const Matrix& z, const std::vector<Index>& rows,
                           Matrix& field) const override {
    field = Matrix::Zero(z.rows(), z.cols());
    RowVector q = RowVector::Zero(z.cols());
    for (Index i : rows) {
      field.noalias() += z * components_[static_cast<size_t>(i)].transpose();
      q += component_q_.row(i);
    }
    const double inv = 1.0 / static_cast<double>(rows.size());
    field *= inv;
    field.rowwise() += q * inv;
  }

  Vector value(const Matrix& z) const override {
    const auto x = z.leftCols(dim_);
    const auto y = z.rightCols(dim_);
    return 0.5 * (x * a_).cwiseProduct(x).rowwise().sum() +
           (x * b_).cwiseProduct(y).rowwise().sum() -
           0.5 * (y * c_).cwiseProduct(y).rowwise().sum() + x * q_.head(dim_) -
           y * q_.tail(dim_);
  }

  Vector solution() const override { return solution_; }

  Vector duality_gap(const Matrix& z) const override {
    if (!(mu_ > 0)) return SaddlePoint::duality_gap(z);
    const auto x = z.leftCols(dim_);
    const auto y = z.rightCols(dim_);
    const Matrix u = (y * b_.transpose()).rowwise() + q_.head(dim_).transpose();
    const Matrix w = (x * b_).rowwise() - q_.tail(dim_).transpose();
    const Matrix a_inv_u = a_llt_.solve(u.transpose()).transpose();
    const Matrix c_inv_w = c_llt_.solve(w.transpose()).transpose();
    return 0.5 * (x * a_).cwiseProduct(x).rowwise().sum() + x * q_.head(dim_) +
           0.5 * w.cwiseProduct(c_inv_w).rowwise().sum() +
           0.5 * (y * c_).cwiseProduct(y).rowwise().sum() + y * q_.tail(dim_) +
           0.5 * u.cwiseProduct(a_inv_u).rowwise().sum();
  }

  void linear_operator(Matrix& m, Vector& q) const override {
    m = m_;
    q = q_;
  }

 private:
  Index dim_;
  Index batch_size_ = 0;
  double mu_ = 0, lipschitz_ = 0;
  Matrix a_, b_, c_, m_;
  Eigen::LLT<Matrix> a_llt_, c_llt_;  // factors of A and C (mu > 0)
  Vector q_, solution_;
  std::vector<Matrix> components_;  // M_i
  Matrix component_q_;              // row i: q_i
};

}  // namespace

VIBENCH_REGISTER_TASK(QuadraticGameTask);

}  // namespace vibench
