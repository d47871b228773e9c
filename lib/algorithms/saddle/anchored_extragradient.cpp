// Extra-anchored gradient with a constant step (EAG-C; Yoon & Ryu,
// "Accelerated algorithms for smooth convex-concave minimax problems with
// O(1/k²) rate on squared gradient norm", ICML 2021):
//   z½     = z_k + β_k(z_0 − z_k) − α F(z_k),
//   z_{k+1} = z_k + β_k(z_0 − z_k) − α F(z½),     β_k = 1/(k+2),
// two operator calls per step, ‖F(z_k)‖² = O(1/k²) on monotone L-Lipschitz
// F for α ≤ 1/(8L) (the paper's EAG-C step, the default here).
//
// Fast extra-gradient (FEG; Lee & Kim, "Fast extra gradient methods for
// smooth structured nonconvex-nonconcave minimax problems", NeurIPS 2021,
// Algorithm 1) anchors in the same way but reaches ρ-comonotone operators:
//   z½     = z_k + β_k(z_0 − z_k) − (1 − β_k)(α + 2ρ) F(z_k),
//   z_{k+1} = z_k + β_k(z_0 − z_k) − α F(z½) − (1 − β_k) 2ρ F(z_k),
// β_k = 1/(k+1) from k = 0 (so z½ = z_0 and z_1 = z_0 − αF(z_0): the first
// step makes one operator call, the others two), α = 1/L. The paper's ρ is
// signed (⟨F(z) − F(z′), z − z′⟩ ≥ ρ‖F(z) − F(z′)‖², negative for a
// non-monotone F); vibench's `comonotonicity` is its magnitude, so the
// paper's ρ is −comonotonicity. Theorem 4.1: for ρ > −1/(2L),
// ‖F(z_k)‖² ≤ 4‖z_0 − z*‖² / ((1/L + 2ρ)² k²) for k ≥ 1 (tight on Lxy).
#include <fmt/format.h>

#include <memory>
#include <optional>

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

class FastExtragradientRun final : public Run {
 public:
  // rho: the paper's signed ρ.
  FastExtragradientRun(const SaddlePointOracle& oracle, const State& initial,
                       double alpha, double rho)
      : oracle_(oracle), alpha_(alpha), rho_(rho) {
    state_.points = initial.points;
    anchor_ = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    const double beta = 1.0 / static_cast<double>(k_ + 1);
    field_ = oracle_.operator_value(z);
    anchored_ = z + beta * (anchor_ - z);
    if (k_++ == 0) {  // β_0 = 1: z½ = z_0, whose F is already known
      z = anchored_ - alpha_ * field_;
      return;
    }
    half_ = anchored_ - (1 - beta) * (alpha_ + 2 * rho_) * field_;
    half_field_ = oracle_.operator_value(half_);
    z = anchored_ - alpha_ * half_field_ - (1 - beta) * 2 * rho_ * field_;
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double alpha_, rho_;
  long long k_ = 0;
  State state_;
  Matrix anchor_, anchored_, field_, half_, half_field_;
};

StepFromLipschitz fast_extragradient_step() {
  return {1.0, "Lee & Kim 2021, FEG: α = 1/L"};
}

class FastExtragradient final : public SaddleSolver {
 public:
  static constexpr const char* kName = "fast_extragradient";
  static constexpr const char* kDescription =
      "fast extra-gradient FEG (Lee & Kim 2021): anchored extra-gradient "
      "with beta_k = 1/(k+1) and a correction for rho-comonotone operators; "
      "2 operator calls per step; default step 1/L";
  static ParamSpecs params() {
    return {fast_extragradient_step().param(),
            ParamSpec::real("comonotonicity", nullptr,
                            "ρ ≥ 0 of ⟨F(z) − F(z′), z − z′⟩ ≥ −ρ‖F(z) − "
                            "F(z′)‖² (the paper's −ρ); default: the task's "
                            "declared value (0 when monotone); needs 2ρ < "
                            "step_size")
                .at_least(0.0)};
  }
  explicit FastExtragradient(const Params& p)
      : step_(fast_extragradient_step()) {
    step_.read(p);
    if (p.has("comonotonicity")) comonotonicity_ = p.real("comonotonicity");
  }
  Capabilities requirements() const override { return step_.requirements(); }
  // Theorem 4.1 needs α + 2ρ_paper > 0; with α = 1/L that is the paper's
  // ρ > −1/(2L). A game declaring more comonotonicity is refused.
  std::string check_task(const Task& task) const override {
    const auto& game = static_cast<const SaddlePoint&>(task);
    double alpha = step_.given();
    if (!(alpha > 0)) {
      if (!task.offers(Capability::smoothness)) return "";  // refused anyway
      alpha = 1.0 / game.lipschitz();
    }
    const double rho =
        comonotonicity_ ? *comonotonicity_ : game.properties().comonotonicity;
    if (alpha > 2 * rho) return "";
    return fmt::format(
        "FEG needs step_size > 2ρ (the paper's ρ > −1/(2L) at α = 1/L); "
        "here step_size = {} and ρ = {}{}",
        alpha, rho, comonotonicity_ ? "" : " as the task declares it");
  }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    const double alpha = step_.resolve(oracle);
    const double rho =
        comonotonicity_ ? *comonotonicity_ : oracle.properties().comonotonicity;
    if (!(alpha > 2 * rho))
      throw std::invalid_argument(fmt::format(
          "fast_extragradient: step_size = {} must exceed 2·comonotonicity "
          "= {}",
          alpha, 2 * rho));
    return std::make_unique<FastExtragradientRun>(oracle, initial, alpha, -rho);
  }

 private:
  StepFromLipschitz step_;
  std::optional<double> comonotonicity_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(AnchoredExtragradient);
VIBENCH_REGISTER_ALGORITHM(FastExtragradient);

}  // namespace vibench
