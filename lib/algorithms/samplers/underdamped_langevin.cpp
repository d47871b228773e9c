// Underdamped (kinetic) Langevin dynamics with unit mass,
//   dx = v dt,  dv = ∇log π(x) dt − γ v dt + √(2γ) dW,
// integrated by the BAOAB splitting of Leimkuhler & Matthews (2013, "Rational
// construction of stochastic numerical methods for molecular sampling"),
// whose configurational marginal has O(h²) bias in general and none on
// Gaussian targets (their harmonic-oscillator analysis: the x-variance is
// exact for any friction and any stable h), with one step of size h
//   B: v ← v + (h/2) ∇log π(x)
//   A: x ← x + (h/2) v
//   O: v ← e^{−γh} v + √(1 − e^{−2γh}) ξ,  ξ ~ N(0, I)
//   A: x ← x + (h/2) v
//   B: v ← v + (h/2) ∇log π(x)
// No Metropolis correction. The score at x is cached between steps, so a
// step costs one batched gradient call on the n chains; start() evaluates the
// initial points and draws v ~ N(0, I) (the stationary velocity law).
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class UnderdampedLangevinRun final : public ChainRun {
 public:
  UnderdampedLangevinRun(const DistributionOracle& oracle, const State& initial,
                         const ChainSettings& chains, double step_size,
                         double friction, Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        h_(step_size),
        decay_(std::exp(-friction * step_size)),
        noise_scale_(std::sqrt(1.0 - std::exp(-2.0 * friction * step_size))),
        rng_(std::move(rng)) {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    velocity_.resize(state_.points.rows(), state_.points.cols());
    noise_.resize(velocity_.rows(), velocity_.cols());
    rng_.fill_normal(velocity_);
  }

 protected:
  void advance() override {
    Matrix& x = state_.points;
    velocity_ += 0.5 * h_ * score_;
    x += 0.5 * h_ * velocity_;
    rng_.fill_normal(noise_);
    velocity_ = decay_ * velocity_ + noise_scale_ * noise_;
    x += 0.5 * h_ * velocity_;
    oracle_.log_prob_grad(x, logp_, score_);
    velocity_ += 0.5 * h_ * score_;
  }

 private:
  const DistributionOracle& oracle_;
  double h_, decay_, noise_scale_;
  Rng rng_;
  Vector logp_;
  Matrix score_, velocity_, noise_;
};

class UnderdampedLangevin final : public ChainSampler {
 public:
  static constexpr const char* kName = "underdamped_langevin";
  static constexpr const char* kDescription =
      "underdamped Langevin dynamics, BAOAB splitting (Leimkuhler & Matthews "
      "2013), unit mass, n parallel chains";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.1,
                         "time step h (no paper default; BAOAB is stable "
                         "for h < 2/√L on an L-smooth target)")
             .above(0),
         ParamSpec::real("gamma", 1.0,
                         "friction γ (1 is of the order of the critical "
                         "damping 2√m for unit-curvature targets)")
             .above(0)});
  }

  explicit UnderdampedLangevin(const Params& p)
      : ChainSampler(p),
        step_size_(p.real("step_size")),
        friction_(p.real("gamma")) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<UnderdampedLangevinRun>(
        oracle, initial, chains(), step_size_, friction_, std::move(rng));
  }

 private:
  double step_size_, friction_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(UnderdampedLangevin);

}  // namespace vibench
