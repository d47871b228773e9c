// `quadratic`: f(x) = ½ (x − x*)ᵀ H (x − x*), a strongly convex quadratic
// whose Hessian has eigenvalues log-spaced in [1, condition_number].
#include <cmath>

#include "core/rng.hpp"
#include "core/spectrum.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

class QuadraticTask final : public Objective {
 public:
  static constexpr const char* kName = "quadratic";
  static constexpr const char* kDescription =
      "Quadratic ½(x−x*)ᵀH(x−x*), H eigenvalues log-spaced in [1, "
      "condition_number], randomly rotated or diagonal; x* ~ N(0, I); f* = 0";
  static constexpr const char* kDimensionRule = "dim";

  // Four dense d×d matrices at construction (H, stored dense even when
  // diagonal, the rotation Q and the products' temporaries): declared so
  // that a dimension too large is refused before they are allocated.
  static MemoryNeed memory_need(const Params& p) {
    const double d = static_cast<double>(p.integer("dim"));
    return {dense_bytes(d, d, 4), "dim", "4 dense d×d matrices"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("dim", 10, "dimension d").at_least(1),
        ParamSpec::real("condition_number", 10.0,
                        "largest / smallest eigenvalue of H (smallest is 1)")
            .at_least(1.0),
        ParamSpec::boolean("rotate", true,
                           "true: H = Q Λ Qᵀ with Q random orthogonal from "
                           "`instance`; false: H = Λ diagonal"),
        ParamSpec::integer("instance", 0, "seed of x* and of the rotation Q")
            .at_least(0),
    };
  }

  explicit QuadraticTask(const Params& p) {
    const Index d = static_cast<Index>(p.integer("dim"));
    const double kappa = p.real("condition_number");
    kappa_ = kappa;
    const Vector eigenvalues = log_spaced(d, 1.0, kappa);
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    // Separate streams: x* is the same whether or not H is rotated.
    Rng optimum_rng = root.child("optimum");
    optimum_ = optimum_rng.normal_vector(d);
    if (p.boolean("rotate")) {
      Rng rotation_rng = root.child("rotation");
      const Matrix q = rotation_rng.orthogonal(d);
      hessian_ = q * eigenvalues.asDiagonal() * q.transpose();
      hessian_ = 0.5 * (hessian_ + hessian_.transpose());
    } else {
      hessian_ = eigenvalues.asDiagonal();
    }
  }

  Index dim() const override { return optimum_.size(); }
  ObjectiveProperties properties() const override {
    return {true, 1.0, kappa_};
  }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::gradient_noise};
  }

  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    const Matrix centered = x.rowwise() - optimum_.transpose();
    grad.noalias() = centered * hessian_;
    f = (0.5 * (centered.array() * grad.array()).rowwise().sum()).matrix();
  }

  double optimal_value() const override { return 0.0; }
  Vector optimum() const override { return optimum_; }

 private:
  double kappa_ = 1;
  Vector optimum_;
  Matrix hessian_;
};

}  // namespace

VIBENCH_REGISTER_TASK(QuadraticTask);

}  // namespace vibench
