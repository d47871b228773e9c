// Extragradient (Korpelevich 1976) on the operator F(z) = (∇_x L, −∇_y L):
//   z½ = z − γ F(z),   z⁺ = z − γ F(z½).
// Cost per step: two operator calls. On a bilinear L = xᵀAy with A = σI it
// contracts the distance to z* by √(1 − γ²σ² + γ⁴σ⁴) per step.
// The state is the last iterate; the runner averages it on request. The
// step γ_t follows the schedule (`schedule`, default constant), the same γ_t
// for the extrapolation and the update of step t.
//
// `mirror_prox` (Nemirovski 2004) is the same method in the task's mirror
// geometry, z½ = ∇ψ*(∇ψ(z) − γF(z)), z⁺ = ∇ψ*(∇ψ(z) − γF(z½)): on a
// product of simplices, two multiplicative-weights steps per step. Its
// default step is 1/L (Nemirovski's γ ≤ 1/L for a 1-strongly convex ψ);
// O(1/t) ergodic gap on monotone problems.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

class ExtragradientRun final : public Run {
 public:
  ExtragradientRun(const SaddlePointOracle& oracle, const State& initial,
                   double step_size, const Schedule& schedule,
                   bool mirror = false)
      : oracle_(oracle),
        step_size_(step_size),
        schedule_(schedule),
        mirror_(mirror) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    const double gamma = step_size_ * schedule_.factor(t_++);
    field_ = oracle_.operator_value(z);
    if (mirror_) {
      const Domain& domain = oracle_.domain();
      dual_ = domain.to_dual(z);
      half_ = domain.to_primal(dual_ - gamma * field_);
      field_ = oracle_.operator_value(half_);
      z = domain.to_primal(dual_ - gamma * field_);
      return;
    }
    half_ = z - gamma * field_;
    field_ = oracle_.operator_value(half_);
    z.noalias() -= gamma * field_;
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double step_size_;
  Schedule schedule_;
  bool mirror_;
  long long t_ = 0;
  State state_;
  Matrix field_, half_, dual_;
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
        schedule_param(),
    };
  }
  explicit Extragradient(const Params& p)
      : step_size_(p.real("step_size")),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {}

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(oracle, initial, step_size_,
                                              schedule_);
  }

 private:
  double step_size_;
  Schedule schedule_;
};

StepFromLipschitz mirror_prox_step() {
  return {1.0, "Nemirovski 2004: γ ≤ 1/L"};
}

class MirrorProx final : public SaddleSolver {
 public:
  static constexpr const char* kName = "mirror_prox";
  static constexpr const char* kDescription =
      "mirror prox (Nemirovski 2004): extra-gradient in the task's mirror "
      "geometry (multiplicative weights on simplices); 2 operator calls per "
      "step; default step 1/L";
  static ParamSpecs params() {
    return {mirror_prox_step().param(), schedule_param()};
  }
  explicit MirrorProx(const Params& p)
      : step_(mirror_prox_step()),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {
    step_.read(p);
  }
  Capabilities requirements() const override {
    Capabilities c = step_.requirements();
    c.insert(Capability::mirror_domain);
    return c;
  }
  Capabilities handles() const override { return {Capability::mirror_domain}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(
        oracle, initial, step_.resolve(oracle), schedule_, /*mirror=*/true);
  }

 private:
  StepFromLipschitz step_;
  Schedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Extragradient);
VIBENCH_REGISTER_ALGORITHM(MirrorProx);

}  // namespace vibench
