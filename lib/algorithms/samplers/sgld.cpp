// Stochastic gradient Langevin dynamics (Welling & Teh 2011), n parallel
// chains:
//   x ← x + (ε_t/2) ∇log π̂(x) + N(0, ε_t I),
// where ∇log π̂ is whatever the oracle returns: a minibatch estimate
// (N/|B|)Σ_B ∇log p(y_i|x) + ∇log p(x) on a task with a batch_size, the full
// gradient otherwise (then SGLD is ULA with step ε/2). Step sizes
//   ε_t = a (b + t)^(−γ),  t = 0, 1, ...
// as in the paper (§3, which takes γ ∈ (0.5, 1] so that Σε_t = ∞ and
// Σε_t² < ∞, and uses γ = 0.55 in its experiments); the default γ = 0 is a
// fixed step ε = a, the common practical choice, whose stationary law is
// biased by the discretisation and the gradient noise. No Metropolis step.
// Cost per step: one batched (minibatch) gradient call on the n chains.
#include <cmath>
#include <memory>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class SgldRun final : public ChainRun {
 public:
  SgldRun(const DistributionOracle& oracle, const State& initial,
          const ChainSettings& chains, double a, double b, double power,
          Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        a_(a),
        b_(b),
        power_(power),
        rng_(std::move(rng)) {
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

  Json run_diagnostics() const override { return {{"last_step_size", last_}}; }

 protected:
  void advance() override {
    const double epsilon =
        power_ == 0.0
            ? a_
            : a_ * std::pow(b_ + static_cast<double>(iteration()), -power_);
    last_ = epsilon;
    oracle_.log_prob_grad(state_.points, logp_, score_);
    rng_.fill_normal(noise_);
    // Written as ULA with γ = ε/2 (√(2γ) = √ε), so that the two agree to
    // the last bit on full gradients.
    const double half = epsilon / 2.0;
    state_.points += half * score_ + std::sqrt(2.0 * half) * noise_;
  }

 private:
  const DistributionOracle& oracle_;
  double a_, b_, power_, last_ = 0.0;
  Rng rng_;
  Vector logp_;
  Matrix score_, noise_;
};

class Sgld final : public ChainSampler {
 public:
  static constexpr const char* kName = "sgld";
  static constexpr const char* kDescription =
      "stochastic gradient Langevin dynamics (Welling & Teh 2011): x <- x + "
      "(eps_t/2)*grad log p^(x) + N(0, eps_t I), eps_t = a (b + t)^-gamma, "
      "minibatch gradients when the task has a batch_size";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.001,
                         "a in ε_t = a (b + t)^(−γ) (no paper default; the "
                         "fixed step when decay_power = 0)")
             .above(0),
         ParamSpec::real("decay_offset", 1.0,
                         "b in ε_t = a (b + t)^(−γ); with b = 1 the first "
                         "step is a")
             .above(0),
         ParamSpec::real("decay_power", 0.0,
                         "γ in ε_t = a (b + t)^(−γ); 0 (default) fixes the "
                         "step, the paper takes γ ∈ (0.5, 1] (0.55 in its "
                         "experiments)")
             .at_least(0)
             .at_most(1)});
  }

  explicit Sgld(const Params& p)
      : ChainSampler(p),
        a_(p.real("step_size")),
        b_(p.real("decay_offset")),
        power_(p.real("decay_power")) {}

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<SgldRun>(oracle, initial, chains(), a_, b_, power_,
                                     std::move(rng));
  }

 private:
  double a_, b_, power_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Sgld);

}  // namespace vibench
