// Unadjusted Langevin algorithm (Roberts & Tweedie 1996): the Euler–Maruyama
// discretisation of the Langevin diffusion, run as n parallel chains,
//   x ← x + γ ∇log p(x) + √(2γ) ξ,   ξ ~ N(0, I).
// No Metropolis correction: the chain's stationary law is biased by O(γ)
// (on N(0, σ²) its variance is σ²/(1 − γ/(2σ²))).
// Cost per step: one batched score call on the n chains.
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class UlaRun final : public Run {
 public:
  UlaRun(const DistributionOracle& oracle, const State& initial,
         double step_size, Rng rng)
      : oracle_(oracle),
        step_size_(step_size),
        noise_scale_(std::sqrt(2.0 * step_size)),
        rng_(std::move(rng)) {
    state_.points = initial.points;
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

  void step() override {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    for (Index i = 0; i < noise_.rows(); ++i)
      for (Index j = 0; j < noise_.cols(); ++j) noise_(i, j) = rng_.normal();
    state_.points += step_size_ * score_ + noise_scale_ * noise_;
  }
  const State& state() const override { return state_; }

 private:
  const DistributionOracle& oracle_;
  double step_size_, noise_scale_;
  Rng rng_;
  State state_;
  Vector logp_;
  Matrix score_, noise_;
};

class Ula final : public Sampler {
 public:
  static constexpr const char* kName = "ula";
  static constexpr const char* kDescription =
      "unadjusted Langevin algorithm: x <- x + step*grad log p(x) + "
      "sqrt(2*step)*N(0, I), n parallel chains";

  static ParamSpecs params() {
    return {
        ParamSpec::integer("n_chains", 100, "number of parallel chains")
            .at_least(1),
        ParamSpec::real("step_size", 0.01,
                        "step γ (no paper default; the stationary bias "
                        "grows as O(γ))")
            .above(0),
    };
  }

  explicit Ula(const Params& p)
      : n_chains_(static_cast<Index>(p.integer("n_chains"))),
        step_size_(p.real("step_size")) {}

  Index num_points() const override { return n_chains_; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<UlaRun>(oracle, initial, step_size_,
                                    std::move(rng));
  }

 private:
  Index n_chains_;
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Ula);

}  // namespace vibench
