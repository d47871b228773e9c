// Gradient descent–ascent on min_x max_y L(x, y) through the operator
// F(z) = (∇_x L, −∇_y L), z = (x, y).
//   simultaneous:  z ← z − γ F(z)                        (1 operator call)
//   alternating:   x ← x − γ_x F_x(x, y),
//                  y ← y − γ_y F_y(x_new, y)             (2 operator calls)
// The alternating form uses the new x in the y update; since the oracle
// returns the whole F, it costs two full operator calls per step (both
// counted). step_size_y (default: step_size) gives two-timescale GDA. Each
// block moves by its own copy of the update rule (`rule`, default sgd: the
// plain steps above), with the step of the schedule.
// On a game with a feasible box (a clipped discriminator), each block is
// clamped into it after its move: projected GDA.
// On a bilinear L = xᵀAy, simultaneous GDA multiplies the distance to z* by
// √(1 + γ²σ²) per step (diverges); alternating GDA stays bounded for γσ < 2.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/first_order_step.hpp"

namespace vibench {
namespace {

class GdaRun final : public Run {
 public:
  GdaRun(const SaddlePointOracle& oracle, const State& initial,
         const FirstOrderConfig& x_config, const FirstOrderConfig& y_config,
         bool alternating)
      : oracle_(oracle),
        step_x_(x_config),
        step_y_(y_config),
        alternating_(alternating),
        dim_x_(oracle.dim_x()),
        dim_y_(oracle.dim_y()) {
    state_.points = initial.points;
  }

  void step() override {
    field_ = oracle_.operator_value(state_.points);
    move_block(step_x_, 0, dim_x_);
    if (alternating_) field_ = oracle_.operator_value(state_.points);
    move_block(step_y_, dim_x_, dim_y_);
  }
  const State& state() const override { return state_; }

 private:
  // The block's columns of z move by its rule along d = −F(z) there.
  void move_block(FirstOrderStep& step, Index first, Index cols) {
    block_ = state_.points.middleCols(first, cols);
    direction_ = -field_.middleCols(first, cols);
    step.apply(block_, direction_);
    state_.points.middleCols(first, cols) = block_;
    oracle_.project_feasible(state_.points);
  }

  const SaddlePointOracle& oracle_;
  FirstOrderStep step_x_, step_y_;
  bool alternating_;
  Index dim_x_, dim_y_;
  State state_;
  Matrix field_, block_, direction_;
};

class Gda final : public SaddleSolver {
 public:
  static constexpr const char* kName = "gda";
  static constexpr const char* kDescription =
      "gradient descent-ascent z <- z + move(-F(z)) by any update rule, "
      "simultaneous or alternating (2 operator calls per step)";

  static ParamSpecs params() {
    ParamSpecs specs = FirstOrderConfig::params_with_rule(
        0.1, "γ_x of the x block; no paper default", "sgd");
    specs.push_back(ParamSpec::real("step_size_y", nullptr,
                                    "step γ_y of the y block (two-timescale "
                                    "GDA); default: step_size")
                        .above(0));
    specs.push_back(ParamSpec::boolean(
        "alternating", false,
        "false: simultaneous updates (1 operator call per step); true: x "
        "first, then y at the new x (2 operator calls per step)"));
    return specs;
  }
  explicit Gda(const Params& p)
      : x_config_(FirstOrderConfig::from_params(p)),
        y_config_(x_config_),
        alternating_(p.boolean("alternating")) {
    if (p.has("step_size_y")) y_config_.step_size = p.real("step_size_y");
  }
  Capabilities handles() const override { return {Capability::feasible_set}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<GdaRun>(oracle, initial, x_config_, y_config_,
                                    alternating_);
  }

 private:
  FirstOrderConfig x_config_, y_config_;
  bool alternating_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Gda);

}  // namespace vibench
