// Optimistic gradient descent-ascent (Daskalakis, Ilyas, Syrgkanis & Zeng,
// "Training GANs with Optimism", ICLR 2018; Popov's method written on the
// leading points):
//   z_{t+1} = z_t − 2γ F(z_t) + γ F(z_{t−1}),   F(z_{−1}) = F(z_0),
// one operator call per step. Default step 1/(2L), as past extra-gradient
// (the two generate the same leading points).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

class OptimisticGdaRun final : public Run {
 public:
  OptimisticGdaRun(const SaddlePointOracle& oracle, const State& initial,
                   double step_size)
      : oracle_(oracle), step_size_(step_size) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    field_ = oracle_.operator_value(z);
    if (previous_.size() == 0) previous_ = field_;
    z.noalias() -= step_size_ * (2.0 * field_ - previous_);
    previous_.swap(field_);
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double step_size_;
  State state_;
  Matrix field_, previous_;  // F(z_t), F(z_{t−1})
};

struct OptimisticGdaMethod {
  static constexpr const char* kName = "optimistic_gda";
  static constexpr const char* kDescription =
      "optimistic GDA (Daskalakis et al. 2018): z <- z - 2*step*F(z_t) + "
      "step*F(z_{t-1}); 1 operator call per step; default step 1/(2L)";
  static StepFromLipschitz step() {
    return {0.5, "as past extra-gradient: γ < 1/(2L)"};
  }
};
using OptimisticGda = StepOnlySolver<OptimisticGdaMethod, OptimisticGdaRun>;

}  // namespace

VIBENCH_REGISTER_ALGORITHM(OptimisticGda);

}  // namespace vibench
