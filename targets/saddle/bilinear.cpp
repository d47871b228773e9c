// `bilinear`: the saddle point problem min_x max_y L(x, y) = xᵀAy + bᵀx + cᵀy
// with A = U diag(σ) Vᵀ (d_x × d_y, rank r = min(d_x, d_y)) of chosen
// singular values. Its operator F(z) = (Ay + b, −(Aᵀx + c)) = Mz + q is
// monotone but not strongly monotone, L = σ_max: the classic case where
// simultaneous gradient descent-ascent diverges.
//
// Saddle points solve Ay = −b and Aᵀx = −c. A square game has exactly one.
// A rectangular one has a whole affine set of them (the null space of A or
// Aᵀ), and b or c is drawn in the range of A or Aᵀ so that the set is not
// empty: solution() is its least-norm point and distance_to_solution
// measures to the set. The full duality gap is infinite (L is linear in
// each player), so the game offers the gap restricted to balls of radius
// R around x* and y* (PAPERS.md §6.8):
//   [bᵀx + (Aᵀx + c)ᵀy* + R‖Aᵀx + c‖] − [cᵀy + (Ay + b)ᵀx* − R‖Ay + b‖].
//
// On a box (`box_radius` r: x, y ∈ [−r, r]^d, a square game whose z* lies
// strictly inside, so that it is still the saddle point) the full duality
// gap is finite and in closed form, each player's best response sitting on
// a vertex:
//   max_{y′} L(x, y′) − min_{x′} L(x′, y)
//     = bᵀx − cᵀy + r(‖Aᵀx + c‖₁ + ‖Ay + b‖₁).
// `box_geometry` says how methods see the box: "projection" (a feasible
// box: projected GDA and extra-gradient clamp into it) or "mirror" (the
// open box with its mirror map, core/domain.hpp: mirror prox and optimistic
// mirror descent move in its dual coordinates).
#include <fmt/format.h>

#include <cmath>

#include "core/domain.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class BilinearTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "bilinear";
  static constexpr const char* kDescription =
      "Bilinear saddle point xᵀAy + bᵀx + cᵀy, A = U diag(σ) Vᵀ random "
      "(d_x × d_y) with singular values log-spaced in [sigma_min, "
      "sigma_max]; b, c ~ N(0, I) in the ranges of A, Aᵀ, or zero; restricted "
      "gap in closed form";
  static constexpr const char* kDimensionRule =
      "dim + dim_y (x has dim coordinates, y has dim_y, default dim)";

  // The rotations of both sides (d_x² and d_y²) and A, U, V (about three
  // d_x × d_y), allocated at construction.
  static MemoryNeed memory_need(const Params& p) {
    const double dx = static_cast<double>(p.integer("dim"));
    const double dy =
        p.has("dim_y") ? static_cast<double>(p.integer("dim_y")) : dx;
    return {dense_bytes(dx, dx) + dense_bytes(dy, dy) + dense_bytes(dx, dy, 3),
            dy > dx ? "dim_y" : "dim",
            "the rotations (d_x² + d_y²) and three d_x × d_y matrices"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 5, "d_x, the dimension of x").at_least(1),
        ParamSpec::integer("dim_y", nullptr, "d_y (default: dim)").at_least(1),
        ParamSpec::real("sigma_min", 0.5, "smallest singular value of A")
            .above(0.0),
        ParamSpec::real("sigma_max", 2.0,
                        "largest singular value of A (≥ sigma_min)")
            .above(0.0),
        ParamSpec::boolean("linear_terms", true,
                           "true: b, c ~ N(0, I) (projected on the ranges "
                           "of A and Aᵀ); false: b = c = 0, z* = 0"),
        ParamSpec::integer("instance", 0, "seed of U, V, b and c").at_least(0),
        ParamSpec::real("box_radius", nullptr,
                        "r: x and y constrained to [-r, r]^d (square games "
                        "whose z* lies inside); default: unconstrained")
            .above(0.0),
        ParamSpec::string("box_geometry", "projection",
                          {"projection", "mirror"},
                          "with box_radius: a feasible box for projected "
                          "methods, or the open box's mirror map for mirror "
                          "methods"),
    };
  }

  explicit BilinearTask(const Params& p) {
    const Index dx = static_cast<Index>(p.integer("dim"));
    const Index dy =
        p.has("dim_y") ? static_cast<Index>(p.integer("dim_y")) : dx;
    const Index r = std::min(dx, dy);
    const double lo = p.real("sigma_min"), hi = p.real("sigma_max");
    if (lo > hi)
      throw ConfigError("sigma_min",
                        fmt::format("bilinear: sigma_min = {} exceeds "
                                    "sigma_max = {}",
                                    lo, hi));
    // A rank-one game has the single singular value sigma_min.
    const Vector sigma = log_spaced(r, lo, hi);
    sigma_max_ = sigma.maxCoeff();
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng matrix_rng = root.child("matrix");
    u_ = matrix_rng.orthogonal(dx).leftCols(r);
    v_ = matrix_rng.orthogonal(dy).leftCols(r);
    Rng vector_rng = root.child("vectors");
    b_ = vector_rng.normal_vector(dx);
    c_ = vector_rng.normal_vector(dy);
    if (!p.boolean("linear_terms")) {
      b_.setZero();
      c_.setZero();
    }
    // A solution exists only if b ∈ range(A) and c ∈ range(Aᵀ).
    if (dx > r) b_ = u_ * (u_.transpose() * b_);
    if (dy > r) c_ = v_ * (v_.transpose() * c_);
    a_ = u_ * sigma.asDiagonal() * v_.transpose();
    // Least-norm solutions of Aᵀx = −c and Ay = −b: A⁺ = V diag(1/σ) Uᵀ.
    const Vector inv_sigma = sigma.cwiseInverse();
    solution_.resize(dx + dy);
    solution_.head(dx) = -u_ * (inv_sigma.asDiagonal() * (v_.transpose() * c_));
    solution_.tail(dy) = -v_ * (inv_sigma.asDiagonal() * (u_.transpose() * b_));
    if (p.has("box_radius"))
      set_box(p.real("box_radius"), p.string("box_geometry") == "mirror");
  }

  Index dim_x() const override { return b_.size(); }
  Index dim_y() const override { return c_.size(); }
  Capabilities capabilities() const override {
    if (box_radius_ > 0)  // the exact resolvent and the balls ignore the box
      return {
          Capability::optimum, Capability::gradient_noise,
          Capability::smoothness, Capability::duality_gap,
          box_domain_ ? Capability::mirror_domain : Capability::feasible_set};
    return {Capability::optimum, Capability::gradient_noise,
            Capability::smoothness, Capability::restricted_gap,
            Capability::linear_operator};
  }
  const Domain& domain() const override {
    return box_domain_ ? *box_domain_ : SaddlePoint::domain();
  }
  Matrix feasible_box() const override {
    if (!(box_radius_ > 0) || box_domain_) return {};
    Matrix box(2, dim());
    box.row(0).setConstant(-box_radius_);
    box.row(1).setConstant(box_radius_);
    return box;
  }
  // Inside the box: its mirror map's image of standard normal points.
  Matrix initial_points(Index n, Rng& rng) const override {
    if (!(box_radius_ > 0)) return SaddlePoint::initial_points(n, rng);
    return open_box().to_primal(rng.normal_matrix(n, dim()));
  }
  Vector duality_gap(const Matrix& z) const override {
    if (!(box_radius_ > 0)) return SaddlePoint::duality_gap(z);
    const auto x = z.leftCols(dim_x());
    const auto y = z.rightCols(dim_y());
    const Matrix x_side = (x * a_).rowwise() + c_.transpose();  // (Aᵀx + c)ᵀ
    const Matrix y_side =
        (y * a_.transpose()).rowwise() + b_.transpose();  // (Ay + b)ᵀ
    return x * b_ - y * c_ +
           box_radius_ * (x_side.cwiseAbs().rowwise().sum() +
                          y_side.cwiseAbs().rowwise().sum());
  }
  SaddleProperties properties() const override {
    return {.monotone = true,
            .strong_monotonicity = 0,
            .comonotonicity = 0,
            .lipschitz = sigma_max_};
  }

  Matrix operator_value(const Matrix& z) const override {
    const Index dx = dim_x(), dy = dim_y();
    Matrix out(z.rows(), dx + dy);
    out.leftCols(dx).noalias() = z.rightCols(dy) * a_.transpose();
    out.leftCols(dx).rowwise() += b_.transpose();
    out.rightCols(dy).noalias() = -z.leftCols(dx) * a_;
    out.rightCols(dy).rowwise() -= c_.transpose();
    return out;
  }

  Vector value(const Matrix& z) const override {
    const auto x = z.leftCols(dim_x());
    const auto y = z.rightCols(dim_y());
    const Matrix xa = x * a_;
    return (xa.array() * y.array()).rowwise().sum().matrix() + x * b_ + y * c_;
  }

  Vector solution() const override { return solution_; }

  // Square games: ‖z − z*‖ (the default). Rectangular ones: the solution
  // set is z* + null(Aᵀ) × null(A), so only the components in the ranges of
  // U and V count.
  Vector distance_to_solution(const Matrix& z) const override {
    if (dim_x() == dim_y()) return SaddlePoint::distance_to_solution(z);
    const Matrix gap = z.rowwise() - solution_.transpose();
    const Matrix in_x = gap.leftCols(dim_x()) * u_;
    const Matrix in_y = gap.rightCols(dim_y()) * v_;
    return (in_x.rowwise().squaredNorm() + in_y.rowwise().squaredNorm())
        .cwiseSqrt();
  }

  Vector restricted_gap(const Matrix& z, double radius) const override {
    const Index dx = dim_x(), dy = dim_y();
    const auto x = z.leftCols(dx);
    const auto y = z.rightCols(dy);
    const Matrix x_side = (x * a_).rowwise() + c_.transpose();  // (Aᵀx + c)ᵀ
    const Matrix y_side =
        (y * a_.transpose()).rowwise() + b_.transpose();  // (Ay + b)ᵀ
    const Vector best_y =
        x * b_ + x_side * solution_.tail(dy) + radius * x_side.rowwise().norm();
    const Vector best_x =
        y * c_ + y_side * solution_.head(dx) - radius * y_side.rowwise().norm();
    return best_y - best_x;
  }

  void linear_operator(Matrix& m, Vector& q) const override {
    if (box_radius_ > 0) SaddlePoint::linear_operator(m, q);  // not offered
    const Index dx = dim_x(), dy = dim_y();
    m = Matrix::Zero(dx + dy, dx + dy);
    m.topRightCorner(dx, dy) = a_;
    m.bottomLeftCorner(dy, dx) = -a_.transpose();
    q.resize(dx + dy);
    q << b_, -c_;
  }

 private:
  void set_box(double radius, bool mirror) {
    if (dim_x() != dim_y())
      throw ConfigError("box_radius",
                        "bilinear: a box needs a square game (dim_y = dim), "
                        "whose saddle point is unique");
    const double largest = solution_.cwiseAbs().maxCoeff();
    if (!(largest < radius))
      throw ConfigError(
          "box_radius",
          fmt::format("bilinear: the saddle point has a coordinate of "
                      "magnitude {:.4g}, not inside the box [-{}, {}]; raise "
                      "box_radius or set linear_terms to false",
                      largest, radius, radius));
    box_radius_ = radius;
    if (mirror) box_domain_ = std::make_shared<BoxDomain>(open_box());
  }
  BoxDomain open_box() const {
    return BoxDomain(Vector::Constant(dim(), -box_radius_),
                     Vector::Constant(dim(), box_radius_));
  }

  Matrix a_, u_, v_;
  Vector b_, c_, solution_;
  double sigma_max_ = 0;
  double box_radius_ = 0;                        // 0: unconstrained
  std::shared_ptr<const BoxDomain> box_domain_;  // set: the mirror geometry
};

}  // namespace

VIBENCH_REGISTER_TASK(BilinearTask);

}  // namespace vibench
