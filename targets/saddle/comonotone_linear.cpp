// `comonotone_linear`: the linear operator F(z) = Mz with
// M = [[−a, b], [−b, −a]] ⊗ I_d on z = (x, y) ∈ ℝ^d × ℝ^d (PAPERS.md §6.6),
// the gradient field of L(x, y) = −(a/2)‖x‖² + b xᵀy + (a/2)‖y‖²
// (concave in x, convex in y: not monotone for a > 0). Since
// ⟨Mz, z⟩ = −a‖z‖² and ‖Mz‖² = (a² + b²)‖z‖², F is exactly
// ρ-comonotone, ⟨F(z) − F(z′), z − z′⟩ ≥ −ρ‖F(z) − F(z′)‖², with
// ρ = a/(a² + b²), and L-Lipschitz with L = √(a² + b²). The task takes ρ and
// L and sets a = ρL², b = √(L² − a²): the family reaches every ρ in
// [0, 1/L], so a suite can sweep ρ across the thresholds of the proximal
// point and extragradient analyses (Gorbunov et al. 2023). z* = 0.
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "tasks/saddle_point.hpp"

namespace vibench {
namespace {

class ComonotoneLinearTask final : public SaddlePoint {
 public:
  static constexpr const char* kName = "comonotone_linear";
  static constexpr const char* kDescription =
      "negatively comonotone linear operator F(z) = [[-a, b], [-b, -a]] (x) "
      "I z with rho = a/(a^2 + b^2) and L = sqrt(a^2 + b^2) as parameters; "
      "z* = 0";
  static constexpr const char* kDimensionRule = "2·dim";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 1, "d, the dimension of x and of y")
            .at_least(1),
        ParamSpec::real("rho", 0.1,
                        "ρ, the comonotonicity: ⟨ΔF, Δz⟩ ≥ −ρ‖ΔF‖² (0: "
                        "monotone, a rotation); at most 1/lipschitz")
            .at_least(0.0),
        ParamSpec::real("lipschitz", 1.0, "L = √(a² + b²)").above(0.0),
    };
  }

  explicit ComonotoneLinearTask(const Params& p)
      : dim_(p.integer("dim")),
        rho_(p.real("rho")),
        lipschitz_(p.real("lipschitz")) {
    if (rho_ * lipschitz_ > 1.0)
      throw ConfigError(
          "rho", fmt::format("comonotone_linear: ρ = {} is out of reach for "
                             "L = {}: the family [[−a, b], [−b, −a]] has "
                             "ρ = a/(a² + b²) ≤ 1/L (here 1/L = {})",
                             rho_, lipschitz_, 1.0 / lipschitz_));
    a_ = rho_ * lipschitz_ * lipschitz_;
    b_ = std::sqrt(std::max(0.0, lipschitz_ * lipschitz_ - a_ * a_));
  }

  Index dim_x() const override { return dim_; }
  Index dim_y() const override { return dim_; }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::smoothness,
            Capability::linear_operator, Capability::gradient_noise};
  }
  SaddleProperties properties() const override {
    return {.monotone = rho_ == 0,
            .strong_monotonicity = 0,
            .comonotonicity = rho_,
            .lipschitz = lipschitz_};
  }
  Matrix operator_value(const Matrix& z) const override {
    const auto x = z.leftCols(dim_);
    const auto y = z.rightCols(dim_);
    Matrix out(z.rows(), 2 * dim_);
    out.leftCols(dim_) = -a_ * x + b_ * y;
    out.rightCols(dim_) = -b_ * x - a_ * y;
    return out;
  }
  Vector value(const Matrix& z) const override {
    const auto x = z.leftCols(dim_);
    const auto y = z.rightCols(dim_);
    return -0.5 * a_ * x.rowwise().squaredNorm() +
           b_ * x.cwiseProduct(y).rowwise().sum() +
           0.5 * a_ * y.rowwise().squaredNorm();
  }
  Vector solution() const override { return Vector::Zero(2 * dim_); }
  void linear_operator(Matrix& m, Vector& q) const override {
    const Matrix identity = Matrix::Identity(dim_, dim_);
    m.resize(2 * dim_, 2 * dim_);
    m << -a_ * identity, b_ * identity, -b_ * identity, -a_ * identity;
    q = Vector::Zero(2 * dim_);
  }

 private:
  Index dim_;
  double rho_, lipschitz_, a_ = 0, b_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(ComonotoneLinearTask);

}  // namespace vibench
