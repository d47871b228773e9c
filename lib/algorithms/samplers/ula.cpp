// Unadjusted Langevin algorithm (Roberts & Tweedie 1996): the Euler–Maruyama
// discretisation of the Langevin diffusion, run as n parallel chains,
//   x ← x + γ ∇log p(x) + √(2γ) ξ,   ξ ~ N(0, I).
// No Metropolis correction: the chain's stationary law is biased by O(γ)
// (on N(0, σ²) its variance is σ²/(1 − γ/(2σ²))).
// Cost per step: one batched score call on the n chains.
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class UlaRun final : public ChainRun {
 public:
  UlaRun(const DistributionOracle& oracle, const State& initial,
         const ChainSettings& chains, double step_size, Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        step_size_(step_size),
        noise_scale_(std::sqrt(2.0 * step_size)),
        rng_(std::move(rng)) {
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

 protected:
  void advance() override {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    rng_.fill_normal(noise_);
    state_.points += step_size_ * score_ + noise_scale_ * noise_;
  }

 private:
  const DistributionOracle& oracle_;
  double step_size_, noise_scale_;
  Rng rng_;
  Vector logp_;
  Matrix score_, noise_;
};

class Ula final : public ChainSampler {
 public:
  static constexpr const char* kName = "ula";
  static constexpr const char* kDescription =
      "unadjusted Langevin algorithm: x <- x + step*grad log p(x) + "
      "sqrt(2*step)*N(0, I), n parallel chains";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.01,
                         "step γ (no paper default; the stationary bias "
                         "grows as O(γ))")
             .above(0)});
  }

  explicit Ula(const Params& p)
      : ChainSampler(p), step_size_(p.real("step_size")) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<UlaRun>(oracle, initial, chains(), step_size_,
                                    std::move(rng));
  }

 private:
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Ula);

}  // namespace vibench
