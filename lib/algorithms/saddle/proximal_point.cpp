// Proximal point, z⁺ = (I + γF)⁻¹ z (Rockafellar 1976), with the exact
// resolvent of a linear operator (SaddlePointOracle::resolvent: one solve,
// counted as one operator call). On a ρ-comonotone operator it converges
// for γ > 2ρ (Gorbunov, Taylor, Horváth & Gidel, "Convergence of proximal
// point and extragradient-based methods beyond monotonicity: the case of
// negative comonotonicity", ICML 2023), the threshold a suite sweeps with
// `comonotone_linear`.
//
// `halpern` anchors the same resolvent to the start (Halpern 1967; Lieder
// 2021 for the O(1/k) rate of ‖z_k − J(z_k)‖):
//   z_{k+1} = β_k z_0 + (1 − β_k) J_{γF}(z_k),   β_k = 1/(k+2).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"

namespace vibench {
namespace {

class ResolventRun final : public Run {
 public:
  ResolventRun(const SaddlePointOracle& oracle, const State& initial,
               double gamma, bool anchored)
      : oracle_(oracle), gamma_(gamma), anchored_(anchored) {
    state_.points = initial.points;
    anchor_ = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    z = oracle_.resolvent(z, gamma_);
    if (anchored_) {
      const double beta = halpern_anchor_weight(k_++);
      z = beta * anchor_ + (1.0 - beta) * z;
    }
  }
  const State& state() const override { return state_; }

 private:
  const SaddlePointOracle& oracle_;
  double gamma_;
  bool anchored_;
  long long k_ = 0;
  State state_;
  Matrix anchor_;
};

template <bool kAnchored>
class ResolventMethod : public SaddleSolver {
 public:
  static ParamSpecs params() {
    return {ParamSpec::real("step_size", 1.0,
                            "γ of the resolvent (I + γF)⁻¹ (no paper "
                            "default: any γ > 0 on monotone F, γ > 2ρ on "
                            "ρ-comonotone F)")
                .above(0.0)};
  }
  explicit ResolventMethod(const Params& p) : gamma_(p.real("step_size")) {}
  Capabilities requirements() const override {
    return {Capability::linear_operator};
  }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ResolventRun>(oracle, initial, gamma_, kAnchored);
  }

 private:
  double gamma_;
};

class ProximalPoint final : public ResolventMethod<false> {
 public:
  using ResolventMethod::ResolventMethod;
  static constexpr const char* kName = "proximal_point";
  static constexpr const char* kDescription =
      "proximal point z <- (I + step*F)^{-1} z, exact for linear operators "
      "(one solve, counted as one operator call)";
};

class Halpern final : public ResolventMethod<true> {
 public:
  using ResolventMethod::ResolventMethod;
  static constexpr const char* kName = "halpern";
  static constexpr const char* kDescription =
      "Halpern iteration z <- b_k z_0 + (1 - b_k) (I + step*F)^{-1} z, "
      "b_k = 1/(k+2), exact resolvent of a linear operator (one operator "
      "call per step)";
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(ProximalPoint);
VIBENCH_REGISTER_ALGORITHM(Halpern);

}  // namespace vibench
