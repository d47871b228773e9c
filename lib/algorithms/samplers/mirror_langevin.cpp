// Mirrored Langevin dynamics (Hsieh, Kavis, Rolland & Cevher, "Mirrored
// Langevin Dynamics", NeurIPS 2018; PAPERS.md §2.8(a)): the unadjusted
// Langevin algorithm run on the dual density p_H, the pushforward of p by
// the mirror map ∇ψ of the task's domain, as n parallel chains:
//   η ← η + γ ∇_η log p_H(η) + √(2γ) ξ,   θ = ∇ψ*(η),
// with the dual score ∇_η log p_H = (∇²ψ)⁻¹∇_θ log p + ∇_η log det ∇²ψ*
// (Distribution::dual_score). Every chain stays strictly inside the domain;
// like ULA, the chain is biased by O(γ). On ℝ^d it is ULA. Cost per step: one
// batched dual-score call.
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class MirrorLangevinRun final : public ChainRun {
 public:
  MirrorLangevinRun(const DistributionOracle& oracle, const State& initial,
                    const ChainSettings& chains, double step_size, Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        domain_(oracle.domain()),
        step_size_(step_size),
        noise_scale_(std::sqrt(2.0 * step_size)),
        rng_(std::move(rng)) {
    dual_ = domain_.to_dual(state_.points);
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

 protected:
  void advance() override {
    const Matrix& theta = state_.points;
    rng_.fill_normal(noise_);
    dual_ += step_size_ * oracle_.dual_score(theta) + noise_scale_ * noise_;
    state_.points = domain_.to_primal(dual_);
  }

 private:
  const DistributionOracle& oracle_;
  const Domain& domain_;
  double step_size_, noise_scale_;
  Rng rng_;
  Matrix dual_;  // η = ∇ψ(θ)
  Matrix noise_;
};

class MirrorLangevin final : public ChainSampler {
 public:
  static constexpr const char* kName = "mirror_langevin";
  static constexpr const char* kDescription =
      "mirrored Langevin dynamics (Hsieh et al. 2018): ULA on the dual "
      "density of the task's mirror map, n parallel chains inside the domain";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.01,
                         "step γ in the dual space (no paper default; the "
                         "stationary bias grows as O(γ))")
             .above(0)});
  }

  explicit MirrorLangevin(const Params& p)
      : ChainSampler(p), step_size_(p.real("step_size")) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<MirrorLangevinRun>(oracle, initial, chains(),
                                               step_size_, std::move(rng));
  }

 private:
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(MirrorLangevin);

}  // namespace vibench
