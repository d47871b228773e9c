// The No-U-Turn sampler (Hoffman & Gelman 2014) as Stan runs it: multinomial
// trajectory sampling, step size by dual averaging and a diagonal metric from
// Stan's windowed warm-up (lib/mcmc/nuts.hpp, AdaptiveNutsChain), n
// independent chains. A step is one transition of every chain.
//
// Trajectories have a different length in every chain, so the chains cannot
// share batched oracle calls: each gradient is an oracle call with one row.
// The counts stay right because the oracle counts per point.
#include "mcmc/nuts.hpp"

#include <memory>
#include <string>
#include <vector>

#include "algorithms/samplers/chain_sampler.hpp"

namespace vibench {
namespace {

class NutsRun final : public ChainRun {
 public:
  NutsRun(const DistributionOracle& oracle, const State& initial,
          const ChainSettings& chains, const NutsSettings& settings,
          const Rng& rng)
      : ChainRun(initial, chains) {
    const LogDensityGradient f = [&oracle](const Vector& x, Vector& grad) {
      const Matrix point = x.transpose();
      Vector logp;
      Matrix g;
      oracle.log_prob_grad(point, logp, g);
      grad = g.row(0).transpose();
      return logp(0);
    };
    const Index n = state_.points.rows();
    chains_.reserve(n);
    rngs_.reserve(n);
    for (Index c = 0; c < n; ++c) {
      chains_.emplace_back(f, state_.points.row(c).transpose(), settings);
      rngs_.push_back(rng.child("nuts chain " + std::to_string(c)));
    }
  }

  Json run_diagnostics() const override {
    double step_size = 0.0;
    for (const auto& chain : chains_) step_size += chain.chain().step_size();
    const double n = static_cast<double>(chains_.size());
    const double kept = static_cast<double>(sampling_transitions_);
    return {{"divergences", divergences_},
            {"warmup_divergences", warmup_divergences_},
            {"mean_accept_stat", kept > 0 ? accept_stat_sum_ / kept : 0.0},
            {"mean_tree_depth", kept > 0 ? tree_depth_sum_ / kept : 0.0},
            {"mean_step_size", step_size / n}};
  }

 protected:
  void advance() override {
    for (size_t c = 0; c < chains_.size(); ++c) {
      const bool warmup = chains_[c].warming_up();
      const NutsTransition t = chains_[c].iterate(rngs_[c]);
      state_.points.row(static_cast<Index>(c)) =
          chains_[c].chain().position().transpose();
      if (warmup) {
        warmup_divergences_ += t.divergent;
      } else {
        divergences_ += t.divergent;
        accept_stat_sum_ += t.accept_stat;
        tree_depth_sum_ += t.tree_depth;
        ++sampling_transitions_;
      }
    }
  }

 private:
  std::vector<AdaptiveNutsChain> chains_;
  std::vector<Rng> rngs_;
  long long divergences_ = 0, warmup_divergences_ = 0,
            sampling_transitions_ = 0;
  double accept_stat_sum_ = 0.0, tree_depth_sum_ = 0.0;
};

class Nuts final : public ChainSampler {
 public:
  static constexpr const char* kName = "nuts";
  static constexpr const char* kDescription =
      "No-U-Turn sampler with Stan's multinomial transition and warm-up "
      "(step size by dual averaging, diagonal metric), n independent chains";

  static ParamSpecs params() {
    return chain_params(
        1000,
        "Stan's adaptation of the step size and diagonal metric runs during "
        "them (Stan's default 1000; windows 75/25/50 scaled down when "
        "shorter)",
        {ParamSpec::real("target_accept", 0.8,
                         "target mean accept statistic δ of dual averaging "
                         "(Stan's default 0.8)")
             .above(0)
             .below(1),
         ParamSpec::integer("max_depth", 10,
                            "maximum tree depth: at most 2^max_depth − 1 "
                            "leapfrog steps per transition (Stan's default "
                            "10)")
             .at_least(1)
             .at_most(30)});
  }

  explicit Nuts(const Params& p) : ChainSampler(p) {
    settings_.warmup = chains().warmup;
    settings_.target_accept = p.real("target_accept");
    settings_.max_depth = static_cast<int>(p.integer("max_depth"));
    settings_.draws = 1;  // unused: the runner decides how long chains run
    settings_.validate();
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial, Rng rng) const override {
    return std::make_unique<NutsRun>(oracle, initial, chains(), settings_, rng);
  }

 private:
  NutsSettings settings_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Nuts);

}  // namespace vibench
