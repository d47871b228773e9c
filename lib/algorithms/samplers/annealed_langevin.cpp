// Annealed Langevin dynamics (Song & Ermon, NeurIPS 2019, "Generative
// Modeling by Estimating Gradients of the Data Distribution", Algorithm 1),
// run as n parallel chains with the exact noise-smoothed score of the task
// instead of a learned one. For geometric noise levels σ_1 > … > σ_L and
// α_i = ε σ_i²/σ_L², each level takes `steps_per_level` steps
//   x ← x + (α_i/2) ∇log p_{σ_i}(x) + √α_i z,   p_σ = π * N(0, σ²I).
// Large σ first connects the modes, so chains spread over them in
// proportion to their mass before the small-σ levels sharpen them; plain
// Langevin with the exact score keeps each chain in the basin it starts
// in and misweights separated modes. After the last level the run keeps
// stepping at σ_L (Langevin on p_{σ_L}), since the runner owns the budget.
// Cost per step: one batched smoothed-score call on the n chains.
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"
#include "core/error.hpp"

namespace vibench {
namespace {

class AnnealedLangevinRun final : public Run {
 public:
  AnnealedLangevinRun(const DistributionOracle& oracle, const State& initial,
                      Vector sigmas, Index steps_per_level, double epsilon,
                      Rng rng)
      : oracle_(oracle),
        sigmas_(std::move(sigmas)),
        steps_per_level_(steps_per_level),
        epsilon_(epsilon),
        rng_(std::move(rng)) {
    state_.points = initial.points;
    noise_.resize(state_.points.rows(), state_.points.cols());
  }

  void step() override {
    const Index levels = sigmas_.size();
    const Index level = std::min(t_ / steps_per_level_, levels - 1);
    const double sigma = sigmas_(level), last = sigmas_(levels - 1);
    const double alpha = epsilon_ * sigma * sigma / (last * last);
    const Matrix score = oracle_.smoothed_score(state_.points, sigma);
    rng_.fill_normal(noise_);
    state_.points += 0.5 * alpha * score + std::sqrt(alpha) * noise_;
    ++t_;
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    const Index levels = sigmas_.size();
    return {
        {"final_sigma", sigmas_(std::min(t_ / steps_per_level_, levels - 1))}};
  }

 private:
  const DistributionOracle& oracle_;
  Vector sigmas_;
  Index steps_per_level_;
  double epsilon_;
  Rng rng_;
  Index t_ = 0;
  State state_;
  Matrix noise_;  // reused every step
};

class AnnealedLangevin final : public Sampler {
 public:
  static constexpr const char* kName = "annealed_langevin";
  static constexpr const char* kDescription =
      "annealed Langevin dynamics (Song & Ermon, NeurIPS 2019) with the "
      "task's exact smoothed score: geometric noise levels, step "
      "ε σ_i²/σ_L², n parallel chains";

  static ParamSpecs params() {
    // Defaults: the paper's 2-D toy as recalled in PAPERS.md §2.7 (σ from
    // 20 to 1, ε = 0.1, T = 100, L = 10), not verified against the paper;
    // its image settings are σ 1 → 0.01, ε = 2e-5.
    return {
        ParamSpec::integer("n_chains", 100, "number of parallel chains")
            .at_least(1),
        ParamSpec::real("sigma_max", 20.0, "largest noise level σ_1").above(0),
        ParamSpec::real("sigma_min", 1.0,
                        "smallest noise level σ_L (≤ sigma_max)")
            .above(0),
        ParamSpec::integer("n_levels", 10,
                           "number L of noise levels, geometric from "
                           "sigma_max to sigma_min")
            .at_least(1),
        ParamSpec::integer("steps_per_level", 100,
                           "Langevin steps T at each level")
            .at_least(1),
        ParamSpec::real("epsilon", 0.1,
                        "step scale ε: level i uses α_i = ε σ_i²/σ_L²")
            .above(0),
    };
  }

  explicit AnnealedLangevin(const Params& p)
      : n_chains_(static_cast<Index>(p.integer("n_chains"))),
        steps_per_level_(static_cast<Index>(p.integer("steps_per_level"))),
        epsilon_(p.real("epsilon")) {
    const double hi = p.real("sigma_max"), lo = p.real("sigma_min");
    if (lo > hi)
      throw ConfigError("",
                        "annealed_langevin: sigma_min must not exceed "
                        "sigma_max");
    const Index levels = static_cast<Index>(p.integer("n_levels"));
    sigmas_.resize(levels);
    for (Index i = 0; i < levels; ++i)
      sigmas_(i) =
          levels == 1
              ? lo
              : hi * std::pow(lo / hi, static_cast<double>(i) / (levels - 1));
  }

  Index num_points() const override { return n_chains_; }
  Capabilities requirements() const override {
    return {Capability::smoothed_score};
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<AnnealedLangevinRun>(
        oracle, initial, sigmas_, steps_per_level_, epsilon_, std::move(rng));
  }

 private:
  Index n_chains_, steps_per_level_;
  double epsilon_;
  Vector sigmas_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(AnnealedLangevin);

}  // namespace vibench
