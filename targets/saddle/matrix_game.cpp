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
// The equilibrium and the value come from two linear programs solved by
// GLPK (core/matrix_game_lp.hpp) when first asked for; the duality gap is
// max_j (Aᵀx)_j − min_i (Ay)_i (its half is the exploitability).
#include <fmt/format.h>

#include <cmath>
#include <mutex>

#include "core/error.hpp"
#include "core/matrix_game_lp.hpp"
#include "core/product_domain.hpp"
#include "core/rng.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class MatrixGameTask final : public SaddlePoint {
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
        ParamSpec::string("payoff", "random", {"rps", "random", "intransitive"},
                          "the payoff matrix A"),
        ParamSpec::integer("actions", 10,
                           "m = n, actions per player (random, "
                           "intransitive; rps has 3)")
            .at_least(2),
        ParamSpec::integer("instance", 0, "seed of a random payoff")
            .at_least(0),
    };
  }

  explicit MatrixGameTask(const Params& p) {
    const std::string payoff = p.string("payoff");
    const Index k = p.integer("actions");
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng rng = root.child("matrix_game payoff");
    if (payoff == "rps") {
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
    // JᵀAJ with J = [I; −1ᵀ]: the bilinear part in stored coordinates.
    reduced_ = a_.topLeftCorner(m - 1, n - 1);
    reduced_.colwise() -= a_.col(n - 1).head(m - 1);
    reduced_.rowwise() -= a_.row(m - 1).head(n - 1);
    reduced_.array() += a_(m - 1, n - 1);
    lipschitz_ = Eigen::BDCSVD<Matrix>(reduced_).singularValues()(0);
    domain_ = std::make_shared<ProductDomain>(simplex_domain(), m - 1,
                                              simplex_domain());
  }

  Index dim_x() const override { return a_.rows() - 1; }
  Index dim_y() const override { return a_.cols() - 1; }
  const Domain& domain() const override { return *domain_; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::duality_gap,
            Capability::smoothness, Capability::mirror_domain};
  }
  SaddleProperties properties() const override {
    return {.monotone = true,
            .strong_monotonicity = 0,
            .comonotonicity = 0,
            .lipschitz = lipschitz_};
  }

  // One product with A for all rows of the batch: F_x from Y Aᵀ, F_y
  // from X A.
  Matrix operator_value(const Matrix& z) const override {
    const Index m = a_.rows(), n = a_.cols();
    const Matrix ay = full_y(z) * a_.transpose();  // rows: (Ay)ᵀ
    const Matrix atx = full_x(z) * a_;             // rows: (Aᵀx)ᵀ
    Matrix out(z.rows(), m - 1 + n - 1);
    out.leftCols(m - 1) = ay.leftCols(m - 1).colwise() - ay.col(m - 1);
    out.rightCols(n - 1) = -(atx.leftCols(n - 1).colwise() - atx.col(n - 1));
    return out;
  }
  Vector value(const Matrix& z) const override {
    return (full_x(z) * a_).cwiseProduct(full_y(z)).rowwise().sum();
  }
  // The equilibrium from GLPK, solved at the first request only: a dense
  // LP with K = 1000 actions takes minutes, and runs whose metrics need no
  // z* (the duality gap) should not pay for it.
  Vector solution() const override {
    solve_once();
    return solution_;
  }
  Vector duality_gap(const Matrix& z) const override {
    return (full_x(z) * a_).rowwise().maxCoeff() -
           (full_y(z) * a_.transpose()).rowwise().minCoeff();
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
  Matrix full_y(const Matrix& z) const {
    return complete(z.rightCols(dim_y()));
  }

  void solve_once() const {
    std::call_once(solved_, [this] {
      const MatrixGameSolution s = solve_matrix_game(a_);
      const Index m = a_.rows(), n = a_.cols();
      value_ = s.value;
      solution_.resize(m - 1 + n - 1);
      solution_ << s.x.head(m - 1), s.y.head(n - 1);
    });
  }

  Matrix a_, reduced_;
  double lipschitz_ = 0;
  mutable std::once_flag solved_;
  mutable Vector solution_;
  mutable double value_ = 0;
  std::shared_ptr<const Domain> domain_;
};

}  // namespace

VIBENCH_REGISTER_TASK(MatrixGameTask);

}  // namespace vibench
