// `matrix_game`: the zero-sum matrix game min_x max_y xᵀAy over probability
// simplices x ∈ Δ_m, y ∈ Δ_n (PAPERS.md §6.8). Each strategy is stored as
// its first m − 1 (n − 1) coordinates, like every simplex of vibench
// (core/domain.hpp), and the game lives on the product of two simplices
// with the entropic mirror map: mirror prox there is two
// multiplicative-weights steps. The operator in stored coordinates is the
// chain rule of F = (Ay, −Aᵀx): F_x,i = (Ay)_i − (Ay)_m for i < m, and
// likewise for y; it is affine, so monotone, with L = ‖JᵀAJ‖₂.
//
// Payoffs: `rps` (rock–paper–scissors, value 0, equilibrium uniform);
// `random` (entries U(−1, 1) from `instance`); `intransitive` (a random
// preference matrix P with P + Pᵀ = 11ᵀ, P_ij ~ U(0, 1) above the diagonal,
// the game of Nash learning from human feedback: max_π min_π′ πᵀPπ′, here
// with A = Pᵀ so that x = π′ minimizes; value ½).
//
// With `regularization` β > 0 the game is the KL-regularized one of Nash
// learning from human feedback (PAPERS.md §6.4),
//   L(x, y) = xᵀAy + β KL(x‖ρ) − β KL(y‖ρ),   ρ = `reference` (uniform, or
// a Dirichlet(1) draw from `instance`), strongly convex-concave in the KL
// geometry with a unique equilibrium inside the simplices: x* ∝
// ρ exp(−Ay*/β), y* ∝ ρ exp(Aᵀx*/β). Its operator adds β(η(x) − η(ρ)) to
// each block (η the stored dual coordinates), its duality gap is
//   β KL(x‖ρ) + β KL(y‖ρ) + β log Σ_j ρ_j e^{(Aᵀx)_j/β}
//                         + β log Σ_i ρ_i e^{−(Ay)_i/β},
// and its equilibrium is computed at first request by the regularized
// mirror-prox iteration until its iterates stop moving, with a gap below
// 1e-13 (1 + max|A| + β)
// (tests/test_saddle_games.cpp checks the fixed-point equations above,
// not the iteration).
//
// Unregularized, the equilibrium and the value come from two linear
// programs solved by
// GLPK (core/matrix_game_lp.hpp) when first asked for; the duality gap is
// max_j (Aᵀx)_j − min_i (Ay)_i (its half is the exploitability).
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "core/block_product.hpp"
#include "core/error.hpp"
#include "core/matrix_game_lp.hpp"
#include "core/product_domain.hpp"
#include "core/rng.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class MatrixGameTask : public SaddlePoint {
 public:
  static constexpr const char* kName = "matrix_game";
  static constexpr const char* kDescription =
      "zero-sum matrix game min_x max_y x'Ay on simplex x simplex (rps, "
      "random, intransitive preferences); equilibrium and value by LP "
      "(GLPK); duality gap max_j (A'x)_j - min_i (Ay)_i";
  static constexpr const char* kDimensionRule =
      "(m − 1) + (n − 1): each strategy stored without its last coordinate";

  static ParamSpecs params() {
    return {
        ParamSpec::string("payoff", "random",
                          {"rps", "random", "intransitive", "custom"},
                          "the payoff matrix A (custom: the `matrix` given)"),
        ParamSpec::of_type(ParamType::matrix, "matrix", nullptr,
                           "A for payoff = custom: a list of rows (m × n, "
                           "m, n ≥ 2), the row player minimizing xᵀAy"),
        ParamSpec::integer("actions", 10,
                           "m = n, actions per player (random, "
                           "intransitive; rps has 3)")
            .at_least(2),
        ParamSpec::integer("instance", 0,
                           "seed of a random payoff and reference")
            .at_least(0),
        ParamSpec::real("regularization", 0.0,
                        "β of the KL regularization (0: the plain game)")
            .at_least(0.0),
        ParamSpec::string("reference", "uniform", {"uniform", "random"},
                          "ρ, the reference strategy of both players (random: "
                          "Dirichlet(1) from instance)"),
    };
  }

  explicit MatrixGameTask(const Params& p) {
    const std::string payoff = p.string("payoff");
    const Index k = p.integer("actions");
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng rng = root.child("matrix_game payoff");
    if ((payoff == "custom") != p.has("matrix"))
      throw ConfigError("matrix",
                        payoff == "custom"
                            ? "matrix_game: payoff = custom needs `matrix`"
                            : "matrix_game: `matrix` is read only with "
                              "payoff = custom");
    if (payoff == "custom") {
      a_ = p.matrix("matrix");
      if (a_.rows() < 2 || a_.cols() < 2)
        throw ConfigError("matrix",
                          fmt::format("matrix_game: the payoff matrix is "
                                      "{} × {}; each player needs at least "
                                      "2 actions",
                                      a_.rows(), a_.cols()));
      if (!a_.allFinite())
        throw ConfigError("matrix",
                          "matrix_game: the payoff matrix has an entry "
                          "that is not finite");
    } else if (payoff == "rps") {
      a_.resize(3, 3);
      a_ << 0, -1, 1, 1, 0, -1, -1, 1, 0;
    } else if (payoff == "random") {
      a_.resize(k, k);
      for (Index i = 0; i < k; ++i)
        for (Index j = 0; j < k; ++j) a_(i, j) = 2.0 * rng.uniform() - 1.0;
    } else {  // intransitive: P + Pᵀ = 11ᵀ, A = Pᵀ
      Matrix pref = Matrix::Constant(k, k, 0.5);
      for (Index i = 0; i < k; ++i)
        for (Index j = i + 1; j < k; ++j) {
          pref(i, j) = rng.uniform();
          pref(j, i) = 1.0 - pref(i, j);
        }
      a_ = pref.transpose();
    }
    const Index m = a_.rows(), n = a_.cols();
    beta_ = p.real("regularization");
    if (m != n && beta_ > 0)
      throw ConfigError("regularization",
                        "matrix_game: a regularized game needs as many "
                        "actions for both players");
    Vector reference = Vector::Constant(m, 1.0 / static_cast<double>(m));
    if (p.string("reference") == "random") {
      Rng reference_rng = root.child("matrix_game reference");
      reference =
          dirichlet_draws(reference_rng, 1, Vector::Ones(m)).row(0).transpose();
    }
    log_reference_ = reference.array().log().matrix();
    // JᵀAJ with J = [I; −1ᵀ]: the bilinear part in stored coordinates.
    reduced_ = a_.topLeftCorner(m - 1, n - 1);
    reduced_.colwise() -= a_.col(n - 1).head(m - 1);
    reduced_.rowwise() -= a_.row(m - 1).head(n - 1);
    reduced_.array() += a_(m - 1, n - 1);
    lipschitz_ = Eigen::BDCSVD<Matrix>(reduced_).singularValues()(0);
    domain_ = std::make_shared<ProductDomain>(simplex_domain(), m - 1,
                                              simplex_domain());
    reference_dual_.resize(m - 1 + n - 1);
    reference_dual_ << (log_reference_.head(m - 1).array() -
                        log_reference_(m - 1))
                           .matrix()
                           .transpose(),
        (log_reference_.head(n - 1).array() - log_reference_(n - 1))
            .matrix()
            .transpose();
  }

  Index dim_x() const override { return a_.rows() - 1; }
  Index dim_y() const override { return a_.cols() - 1; }
  const Domain& domain() const override { return *domain_; }
  Capabilities capabilities() const override {
    if (beta_ > 0)
      return {Capability::optimum, Capability::duality_gap,
              Capability::mirror_domain, Capability::kl_regularized};
    return {Capability::optimum, Capability::duality_gap,
            Capability::smoothness, Capability::mirror_domain};
  }
  // The regularized operator is monotone, but its log terms are not
  // Lipschitz near the faces.
  SaddleProperties properties() const override {
    return {.monotone = true,
            .strong_monotonicity = 0,
            .comonotonicity = 0,
            .lipschitz = beta_ > 0 ? std::numeric_limits<double>::infinity()
                                   : lipschitz_};
  }
  KlRegularization kl_regularization() const override {
    if (!(beta_ > 0)) return SaddlePoint::kl_regularization();
    return {beta_, reference_dual_};
  }

  // One product with A for all rows of the batch: F_x from Y Aᵀ, F_y
  // from X A.
  Matrix operator_value(const Matrix& z) const override {
    const Index m = a_.rows(), n = a_.cols();
    const Matrix ay = times_a_transposed(full_y(z));  // rows: (Ay)ᵀ
    const Matrix atx = times_a(full_x(z));            // rows: (Aᵀx)ᵀ
    Matrix out(z.rows(), m - 1 + n - 1);
    out.leftCols(m - 1) = ay.leftCols(m - 1).colwise() - ay.col(m - 1);
    out.rightCols(n - 1) = -(atx.leftCols(n - 1).colwise() - atx.col(n - 1));
    if (beta_ > 0)
      out += beta_ * (domain_->to_dual(z).rowwise() - reference_dual_);
    return out;
  }
  Vector value(const Matrix& z) const override {
    Vector v = times_a(full_x(z)).cwiseProduct(full_y(z)).rowwise().sum();
    if (beta_ > 0)
      v += beta_ * (kl_to_reference(full_x(z)) - kl_to_reference(full_y(z)));
    return v;
  }
  // The equilibrium from GLPK, solved at the first request only: a dense
  // LP with K = 1000 actions takes minutes, and runs whose metrics need no
  // z* (the duality gap) should not pay for it.
  Vector solution() const override {
    solve_once();
    return solution_;
  }
  Vector duality_gap(const Matrix& z) const override {
    const Matrix atx = times_a(full_x(z));
    const Matrix ay = times_a_transposed(full_y(z));
    if (!(beta_ > 0)) return atx.rowwise().maxCoeff() - ay.rowwise().minCoeff();
    return beta_ * (kl_to_reference(full_x(z)) + kl_to_reference(full_y(z)) +
                    log_mean_exp(atx / beta_) + log_mean_exp(-ay / beta_));
  }
  double game_value() const {
    solve_once();
    return value_;
  }

 private:
  // The full strategies (θ, 1 − Σθ) of each row.
  static Matrix complete(const Matrix& theta) {
    Matrix full(theta.rows(), theta.cols() + 1);
    full.leftCols(theta.cols()) = theta;
    full.col(theta.cols()) = 1.0 - theta.rowwise().sum().array();
    return full;
  }
  Matrix full_x(const Matrix& z) const { return complete(z.leftCols(dim_x())); }
  // Rows p A and q Aᵀ of a batch of strategies, by the kernel backend
  // (core/block_product.hpp: OpenBLAS natively), the operator's cost.
  Matrix times_a(const Matrix& p) const {
    Matrix out(p.rows(), a_.cols());
    block_product(1.0, p, Operand::as_is, a_, Operand::as_is, out,
                  Product::assign);
    return out;
  }
  Matrix times_a_transposed(const Matrix& q) const {
    Matrix out(q.rows(), a_.rows());
    block_product(1.0, q, Operand::as_is, a_, Operand::transposed, out,
                  Product::assign);
    return out;
  }
  Matrix full_y(const Matrix& z) const {
    return complete(z.rightCols(dim_y()));
  }

  // KL(p‖ρ) of each row of full strategies p (0 log 0 = 0).
  Vector kl_to_reference(const Matrix& p) const {
    const Matrix terms =
        (p.array() *
         (p.array().log().rowwise() - log_reference_.transpose().array()))
            .unaryExpr([](double t) { return std::isnan(t) ? 0.0 : t; });
    return terms.rowwise().sum();
  }
  // log Σ_j ρ_j e^{s_j} of each row, stably.
  Vector log_mean_exp(const Matrix& s) const {
    const Matrix shifted = s.rowwise() + log_reference_.transpose();
    const Vector top = shifted.rowwise().maxCoeff();
    return top + ((shifted.colwise() - top).array().exp().rowwise().sum())
                     .log()
                     .matrix();
  }
  void solve_once() const {
    std::call_once(solved_, [this] {
      const Index m = a_.rows(), n = a_.cols();
      solution_.resize(m - 1 + n - 1);
      if (beta_ > 0) {
        solve_regularized();
        return;
      }
      const MatrixGameSolution s = solve_matrix_game(a_);
      value_ = s.value;
      solution_ << s.x.head(m - 1), s.y.head(n - 1);
    });
  }
  static constexpr int kMaxSolveSteps = 200000;
  // The regularized equilibrium: mirror prox with the regularizer in its
  // prox (in dual coordinates, u = (η(z) + γβη(ρ) − γ g)/(1 + γβ), g the
  // unregularized operator at the leading point), from ρ, with γ = 1/‖A‖_∞
  // of entries, until the duality gap is below 1e-14.
  void solve_regularized() const {
    const double gamma = 1.0 / std::max(1e-300, a_.cwiseAbs().maxCoeff());
    Matrix z = domain_->to_primal(reference_dual_);
    auto payoff = [&](const Matrix& point) {
      return Matrix(operator_value(point) -
                    beta_ *
                        (domain_->to_dual(point).rowwise() - reference_dual_));
    };
    auto step = [&](const Matrix& from, const Matrix& g) {
      const Matrix dual =
          (domain_->to_dual(from) +
           (gamma * beta_) * reference_dual_.replicate(from.rows(), 1) -
           gamma * g) /
          (1.0 + gamma * beta_);
      return domain_->to_primal(dual);
    };
    const double tolerance = 1e-13 * (1.0 + a_.cwiseAbs().maxCoeff() + beta_);
    // The gap is quadratic in the distance (the game is strongly
    // convex-concave in KL), so iterate until the iterates stop moving,
    // then require the gap.
    for (int k = 0; k < kMaxSolveSteps; ++k) {
      const Matrix half = step(z, payoff(z));
      const Matrix next = step(z, payoff(half));
      const double moved = (next - z).cwiseAbs().maxCoeff();
      z = next;
      if (moved <= 1e-16) break;
    }
    if (!(duality_gap(z)(0) <= tolerance))
      throw std::runtime_error(fmt::format(
          "matrix_game: the regularized equilibrium did not reach a duality "
          "gap of {:g} within {} mirror-prox steps (β = {:g} may be too "
          "small for this game; use a larger regularization)",
          tolerance, kMaxSolveSteps, beta_));
    solution_ = z.row(0).transpose();
    value_ = value(z)(0);
  }

  Matrix a_, reduced_;
  double lipschitz_ = 0, beta_ = 0;
  Vector log_reference_;      // log ρ, full coordinates
  RowVector reference_dual_;  // η(ρ) of both players, stored coordinates
  mutable std::once_flag solved_;
  mutable Vector solution_;
  mutable double value_ = 0;
  std::shared_ptr<const Domain> domain_;
};

// `preference_game`: the game of Nash learning from human feedback as a
// task of its own, so that its defaults are the regularized one — random
// intransitive preferences, β = 0.1, uniform π_ref — and Nash mirror prox
// has a registered task to run on.
class PreferenceGameTask final : public MatrixGameTask {
 public:
  static constexpr const char* kName = "preference_game";
  static constexpr const char* kDescription =
      "Nash learning from human feedback: random intransitive preferences "
      "(P + P' = 11'), KL-regularized to a reference policy (beta = 0.1); "
      "matrix_game with these defaults";
  static constexpr const char* kDimensionRule = "2·(actions − 1)";
  static ParamSpecs params() {
    return {
        ParamSpec::integer("actions", 10, "K, the actions (responses)")
            .at_least(2),
        ParamSpec::real("regularization", 0.1, "β of the KL regularization")
            .above(0.0),
        ParamSpec::string("reference", "uniform", {"uniform", "random"},
                          "π_ref (random: Dirichlet(1) from instance)"),
        ParamSpec::integer("instance", 0,
                           "seed of the preferences and the reference")
            .at_least(0),
    };
  }
  explicit PreferenceGameTask(const Params& p)
      : MatrixGameTask(as_matrix_game(p)) {}

 private:
  static Params as_matrix_game(const Params& p) {
    Json json = p.json();
    json["payoff"] = "intransitive";
    return Params(std::move(json));
  }
};

}  // namespace

VIBENCH_REGISTER_TASK(MatrixGameTask);
VIBENCH_REGISTER_TASK(PreferenceGameTask);

}  // namespace vibench
