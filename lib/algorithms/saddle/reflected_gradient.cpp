// Projected reflected gradient (Malitsky, "Projected reflected gradient
// methods for monotone variational inequalities", SIAM J. Optim. 2015),
// unconstrained:
//   z_{t+1} = z_t − γ F(2z_t − z_{t−1}),   z_{−1} = z_0,
// one operator call per step, at the reflected point. Default step
// (√2 − 1)/L, the bound of Malitsky's convergence theorem.
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

class ReflectedGradientRun final : public Run {
 public:
  ReflectedGradientRun(const SaddlePointOracle& oracle, const State& initial,
                       double step_size)
      : oracle_(oracle), step_size_(step_size) {
    state_.points = initial.points;
    previous_ = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    reflected_ = 2.0 * z - previous_;
    field_ = oracle_.operator_value(reflected_);
    previous_ = z;
    z.noalias() -= step_size_ * field_;
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double step_size_;
  State state_;
  Matrix previous_, reflected_, field_;
};

struct ReflectedGradientMethod {
  static constexpr const char* kName = "reflected_gradient";
  static constexpr const char* kDescription =
      "reflected gradient (Malitsky 2015): z <- z - step*F(2 z_t - "
      "z_{t-1}); 1 operator call per step; default step (sqrt(2) - 1)/L";
  static StepFromLipschitz step() {
    return {std::sqrt(2.0) - 1.0, "Malitsky 2015: γ < (√2 − 1)/L"};
  }
};
using ReflectedGradient =
    StepOnlySolver<ReflectedGradientMethod, ReflectedGradientRun>;

}  // namespace

VIBENCH_REGISTER_ALGORITHM(ReflectedGradient);

}  // namespace vibench
