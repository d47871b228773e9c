// MYULA, the Moreau–Yosida regularised unadjusted Langevin algorithm
// (Durmus, Moulines & Pereyra, "Efficient Bayesian computation by proximal
// Markov chain Monte Carlo: when Langevin meets Moreau", SIAM J. Imaging
// Sci. 2018; arXiv 1612.07471), for composite targets π ∝ exp(−f − g), f
// smooth and g convex but possibly nonsmooth with a proximal operator
// (Capability::composite). It is ULA on π^λ ∝ exp(−f − g^λ), g^λ the
// Moreau–Yosida envelope of g, whose gradient is (x − prox_{λg}(x))/λ:
//   x ← x − γ∇f(x) − (γ/λ)(x − prox_{λg}(x)) + √(2γ) ξ,   ξ ~ N(0, I),
// run as n parallel chains. ∇(f + g^λ) is (L + 1/λ)-Lipschitz (L that of
// ∇f), and the paper's convergence theory takes γ ≤ 1/(L + 1/λ) =
// λ/(λL + 1). No Metropolis correction: the chains target π^λ, whose
// distance to π vanishes as λ → 0, up to ULA's O(γ) bias.
//
// Defaults, when the task declares L (Capability::smoothness): λ = 1/L,
// the order of 1/L at which f and g^λ contribute equally to the Lipschitz
// constant of the drift, and γ = λ/(λL + 1), the largest step of the
// convergence theory (γ = 1/(2L) with both defaults). Either can be given
// instead; a task that declares no L then needs both.
//
// The drift γ·[−∇f(x) − (x − prox_{λg}(x))/λ] is formed as γ times one
// matrix, ULA's update with the score replaced: with g = 0 (prox the
// identity) the chains are ULA's bit for bit.
// Cost per step: one batched smooth-part score call and one batched prox
// call on the n chains (Counters::grad_evals and prox_evals).
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class MyulaRun final : public ChainRun {
 public:
  MyulaRun(const DistributionOracle& oracle, const State& initial,
           const ChainSettings& chains, double step_size,
           double moreau_parameter, Rng rng)
      : ChainRun(initial, chains),
        oracle_(oracle),
        step_size_(step_size),
        moreau_parameter_(moreau_parameter),
        noise_scale_(std::sqrt(2.0 * step_size)),
        rng_(std::move(rng)) {
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

  Json run_diagnostics() const override {
    return {{"step_size", step_size_}, {"moreau_parameter", moreau_parameter_}};
  }

 protected:
  void advance() override {
    Matrix& x = state_.points;
    oracle_.smooth_log_prob_grad(x, logp_, drift_);  // −∇f
    proximal_ = x;
    oracle_.prox(proximal_, moreau_parameter_);
    // ∇log π^λ = −∇f − (x − prox_{λg}(x))/λ.
    drift_ -= (x - proximal_) / moreau_parameter_;
    rng_.fill_normal(noise_);
    x += step_size_ * drift_ + noise_scale_ * noise_;
  }

 private:
  const DistributionOracle& oracle_;
  double step_size_, moreau_parameter_, noise_scale_;
  Rng rng_;
  Vector logp_;
  Matrix drift_, proximal_, noise_;
};

class Myula final : public ChainSampler {
 public:
  static constexpr const char* kName = "myula";
  static constexpr const char* kDescription =
      "MYULA (Durmus, Moulines & Pereyra 2018): ULA on the Moreau-Yosida "
      "envelope of a composite target's nonsmooth part, x <- x - step*grad "
      "f(x) - (step/lambda)*(x - prox_{lambda g}(x)) + sqrt(2*step)*N(0, I); "
      "composite tasks only; 1 smooth gradient and 1 prox per chain per step";

  static ParamSpecs params() {
    return chain_params(
        0, "nothing is adapted, so 0 records from the first iteration",
        {ParamSpec::real("step_size", 0.0,
                         "γ; 0 (default) means λ/(λL + 1) = 1/(L + 1/λ), the "
                         "largest step of the paper's convergence theory, L "
                         "the task's declared Lipschitz constant of ∇f. The "
                         "stationary bias grows as O(γ)")
             .at_least(0.0),
         ParamSpec::real("moreau_parameter", 0.0,
                         "λ of the Moreau–Yosida envelope g^λ (the chains "
                         "target exp(−f − g^λ), within O(λ) of the target); "
                         "0 (default) means 1/L from the task's declared "
                         "smoothness")
             .at_least(0.0)});
  }

  explicit Myula(const Params& p)
      : ChainSampler(p),
        step_size_(p.real("step_size")),
        moreau_parameter_(p.real("moreau_parameter")) {}

  Capabilities requirements() const override {
    if (step_size_ > 0 && moreau_parameter_ > 0) return {Capability::composite};
    return {Capability::composite, Capability::smoothness};
  }
  Capabilities handles() const override { return {Capability::composite}; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    double lambda = moreau_parameter_, step = step_size_;
    if (!(lambda > 0) || !(step > 0)) {
      const double lipschitz = oracle.smoothness();
      if (!(lipschitz > 0) || !std::isfinite(lipschitz))
        throw std::invalid_argument(fmt::format(
            "myula: the task declares L = {} for ∇f; give step_size and "
            "moreau_parameter",
            lipschitz));
      if (!(lambda > 0)) lambda = 1.0 / lipschitz;
      if (!(step > 0)) step = lambda / (lambda * lipschitz + 1.0);
    }
    return std::make_unique<MyulaRun>(oracle, initial, chains(), step, lambda,
                                      std::move(rng));
  }

 private:
  double step_size_, moreau_parameter_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Myula);

}  // namespace vibench
