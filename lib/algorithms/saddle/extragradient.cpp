// Extragradient (Korpelevich 1976) on the operator F(z) = (∇_x L, −∇_y L):
//   z½ = z − γ F(z),   z⁺ = z − γ F(z½).
// Cost per step: two operator calls. On a bilinear L = xᵀAy with A = σI it
// contracts the distance to z* by √(1 − γ²σ² + γ⁴σ⁴) per step.
// The state is the last iterate (not the ergodic average).
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class ExtragradientRun final : public Run {
 public:
  ExtragradientRun(const SaddlePointOracle& oracle, const State& initial,
                   double step_size)
      : oracle_(oracle), step_size_(step_size) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    field_ = oracle_.operator_value(z);
    half_ = z - step_size_ * field_;
    field_ = oracle_.operator_value(half_);
    z.noalias() -= step_size_ * field_;
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double step_size_;
  State state_;
  Matrix field_, half_;
};

class Extragradient final : public SaddleSolver {
 public:
  static constexpr const char* kName = "extragradient";
  static constexpr const char* kDescription =
      "extragradient (Korpelevich): z_half = z - step*F(z), z <- z - "
      "step*F(z_half); 2 operator calls per step";

  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "step γ (theory: γ < 1/L for an L-Lipschitz F; no "
                        "paper default)")
            .above(0),
    };
  }
  explicit Extragradient(const Params& p) : step_size_(p.real("step_size")) {}

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(oracle, initial, step_size_);
  }

 private:
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Extragradient);

}  // namespace vibench
