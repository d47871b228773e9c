// Gradient descent–ascent on min_x max_y L(x, y) through the operator
// F(z) = (∇_x L, −∇_y L), z = (x, y).
//   simultaneous:  z ← z − γ F(z)                        (1 operator call)
//   alternating:   x ← x − γ_x F_x(x, y),
//                  y ← y − γ_y F_y(x_new, y)             (2 operator calls)
// The alternating form uses the new x in the y update; since the oracle
// returns the whole F, it costs two full operator calls per step (both
// counted). step_size_y (default: step_size) gives two-timescale GDA.
// On a bilinear L = xᵀAy, simultaneous GDA multiplies the distance to z* by
// √(1 + γ²σ²) per step (diverges); alternating GDA stays bounded for γσ < 2.
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class GdaRun final : public Run {
 public:
  GdaRun(const SaddlePointOracle& oracle, const State& initial, double step_x,
         double step_y, bool alternating)
      : oracle_(oracle),
        step_x_(step_x),
        step_y_(step_y),
        alternating_(alternating),
        dim_x_(oracle.dim_x()),
        dim_y_(oracle.dim_y()) {
    state_.points = initial.points;
  }

  void step() override {
    Matrix& z = state_.points;
    field_ = oracle_.operator_value(z);
    if (!alternating_) {
      z.leftCols(dim_x_) -= step_x_ * field_.leftCols(dim_x_);
      z.rightCols(dim_y_) -= step_y_ * field_.rightCols(dim_y_);
      return;
    }
    z.leftCols(dim_x_) -= step_x_ * field_.leftCols(dim_x_);
    field_ = oracle_.operator_value(z);
    z.rightCols(dim_y_) -= step_y_ * field_.rightCols(dim_y_);
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double step_x_, step_y_;
  bool alternating_;
  Index dim_x_, dim_y_;
  State state_;
  Matrix field_;
};

class Gda final : public SaddleSolver {
 public:
  static constexpr const char* kName = "gda";
  static constexpr const char* kDescription =
      "gradient descent-ascent z <- z - step*F(z), simultaneous or "
      "alternating (2 operator calls per step)";

  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "step γ (γ_x of the x block; no paper default)")
            .above(0),
        ParamSpec::real("step_size_y", nullptr,
                        "step γ_y of the y block (two-timescale GDA); "
                        "default: step_size")
            .above(0),
        ParamSpec::boolean("alternating", false,
                           "false: simultaneous updates (1 operator call per "
                           "step); true: x first, then y at the new x (2 "
                           "operator calls per step)"),
    };
  }
  explicit Gda(const Params& p)
      : step_x_(p.real("step_size")),
        step_y_(p.has("step_size_y") ? p.real("step_size_y") : step_x_),
        alternating_(p.boolean("alternating")) {}

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<GdaRun>(oracle, initial, step_x_, step_y_,
                                    alternating_);
  }

 private:
  double step_x_, step_y_;
  bool alternating_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Gda);

}  // namespace vibench
