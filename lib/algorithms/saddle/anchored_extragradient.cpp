// Extra-anchored gradient with a constant step (EAG-C; Yoon & Ryu,
// "Accelerated algorithms for smooth convex-concave minimax problems with
// O(1/k²) rate on squared gradient norm", ICML 2021):
//   z½     = z_k + β_k(z_0 − z_k) − α F(z_k),
//   z_{k+1} = z_k + β_k(z_0 − z_k) − α F(z½),     β_k = 1/(k+2),
// two operator calls per step, ‖F(z_k)‖² = O(1/k²) on monotone L-Lipschitz
// F for α ≤ 1/(8L) (the paper's EAG-C step, the default here).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

class AnchoredExtragradientRun final : public Run {
 public:
  AnchoredExtragradientRun(const SaddlePointOracle& oracle,
                           const State& initial, double alpha)
      : oracle_(oracle), alpha_(alpha) {
    state_.points = initial.points;
    anchor_ = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    const double beta = halpern_anchor_weight(k_++);
    anchored_ = z + beta * (anchor_ - z);
    field_ = oracle_.operator_value(z);
    half_ = anchored_ - alpha_ * field_;
    field_ = oracle_.operator_value(half_);
    z = anchored_ - alpha_ * field_;
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double alpha_;
  long long k_ = 0;
  State state_;
  Matrix anchor_, anchored_, field_, half_;
};

struct AnchoredExtragradientMethod {
  static constexpr const char* kName = "eag";
  static constexpr const char* kDescription =
      "extra-anchored gradient EAG-C (Yoon & Ryu 2021): extra-gradient "
      "anchored to z_0 with weight 1/(k+2); 2 operator calls per step; "
      "default step 1/(8L)";
  static StepFromLipschitz step() {
    return {0.125, "Yoon & Ryu 2021, EAG-C: α ≤ 1/(8L)"};
  }
};
using AnchoredExtragradient =
    StepOnlySolver<AnchoredExtragradientMethod, AnchoredExtragradientRun>;

}  // namespace

VIBENCH_REGISTER_ALGORITHM(AnchoredExtragradient);

}  // namespace vibench
