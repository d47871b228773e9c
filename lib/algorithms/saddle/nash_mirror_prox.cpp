// Nash mirror prox (Tiapkin et al., "Accelerating Nash learning from human
// feedback via mirror prox", 2025; PAPERS.md §6.4) on a game regularized by
// β·KL to references ρ (Capability::kl_regularized): mirror prox whose
// proximal steps keep the regularizer exact, both anchored at z_k,
//   z½  = argmin_u γ⟨g(z_k), u⟩ + γβ KL(u‖ρ) + KL(u‖z_k),
//   z⁺  = argmin_u γ⟨g(z½), u⟩ + γβ KL(u‖ρ) + KL(u‖z_k),
// g the unregularized payoff operator; in closed form
// u ∝ z_k^{1/(1+γβ)} ρ^{γβ/(1+γβ)} exp(−γ g/(1 + γβ)), which in the stored
// dual coordinates η is u = (η(z_k) + γβ η(ρ) − γ g)/(1 + γβ). g is read
// from the counted operator as F − β(η(z) − η(ρ)): two operator calls per
// step.
//
// The scheme is the two-step form of the paper as summarized by a
// third-party review and derived above; the paper's own text (its step
// size and constants) could not be read offline, so the default step is
// mirror prox's γ = 1/L of the ℓ1 geometry for payoffs in [−1, 1].
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class NashMirrorProxRun final : public Run {
 public:
  NashMirrorProxRun(const SaddlePointOracle& oracle, const State& initial,
                    double gamma)
      : oracle_(oracle),
        gamma_(gamma),
        regularization_(oracle.kl_regularization()) {
    state_.points = initial.points;
  }
  void step() override {
    const Domain& domain = oracle_.domain();
    Matrix& z = state_.points;
    anchor_ = domain.to_dual(z);
    half_ = prox_step(z, anchor_, anchor_);
    z = prox_step(half_, domain.to_dual(half_), anchor_);
  }
  const State& state() const override { return state_; }

 private:
  // The closed-form step from the anchor's dual coordinates, with the
  // payoff operator evaluated at `at` (whose dual coordinates are `at_dual`).
  Matrix prox_step(const Matrix& at, const Matrix& at_dual,
                   const Matrix& anchor_dual) {
    const Domain& domain = oracle_.domain();
    const double beta = regularization_.beta;
    const RowVector& ref = regularization_.reference_dual;
    payoff_ = oracle_.operator_value(at) - beta * (at_dual.rowwise() - ref);
    const Matrix dual =
        ((anchor_dual - gamma_ * payoff_).rowwise() + gamma_ * beta * ref) /
        (1.0 + gamma_ * beta);
    return domain.to_primal(dual);
  }

  const SaddlePointOracle& oracle_;
  double gamma_;
  KlRegularization regularization_;
  State state_;
  Matrix anchor_, half_, payoff_;
};

class NashMirrorProx final : public SaddleSolver {
 public:
  static constexpr const char* kName = "nash_mirror_prox";
  static constexpr const char* kDescription =
      "Nash mirror prox (Tiapkin et al. 2025): mirror prox on a "
      "KL-regularized game with the regularizer exact in both proximal "
      "steps, anchored at z_k; 2 operator calls per step";
  static ParamSpecs params() {
    return {ParamSpec::real("step_size", 1.0,
                            "γ; default 1 = 1/max|A_ij| for the payoffs in "
                            "[−1, 1] vibench generates (mirror prox's γ ≤ 1/L "
                            "in the ℓ1 geometry); the paper's own default "
                            "could not be read")
                .above(0.0)};
  }
  explicit NashMirrorProx(const Params& p) : gamma_(p.real("step_size")) {}
  Capabilities requirements() const override {
    return {Capability::mirror_domain, Capability::kl_regularized};
  }
  Capabilities handles() const override { return {Capability::mirror_domain}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<NashMirrorProxRun>(oracle, initial, gamma_);
  }

 private:
  double gamma_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(NashMirrorProx);

}  // namespace vibench
