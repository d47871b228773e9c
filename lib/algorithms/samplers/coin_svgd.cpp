// Coin SVGD (Sharrock & Nemeth, "Coin Sampling: Gradient-Based Bayesian
// Inference without Learning Rates", ICML 2023, Algorithm 1 with the
// adaptive bound L). The recursion below follows the authors' code
// (louissharrock/Coin-SVGD main.py, as read in PAPERS.md §1.6); the paper's
// own statement of the adaptive form was not re-read when this was written,
// so the clipping of R is the code's (and COCOB-Backprop's) choice.
//
// SVGD's step size is replaced by a coin-betting bettor (coin_bettor.hpp),
// one per coordinate of each particle, that bets on the SVGD direction
// c_t = φ(x_t) (the same batched direction as svgd, stein_kernel.hpp).
//
// There is no step size. Cost per step: one batched score call on n points,
// plus the kernel's O(n²d).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/coin_bettor.hpp"
#include "algorithms/samplers/stein_kernel.hpp"

namespace vibench {
namespace {

class CoinSvgdRun final : public Run {
 public:
  CoinSvgdRun(const DistributionOracle& oracle, const State& initial,
              KernelConfig kernel)
      : oracle_(oracle), stein_(kernel), bettor_(initial.points) {
    state_.points = initial.points;
  }

  void step() override {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    bandwidth_ = stein_.compute(state_.points, score_, phi_);
    bettor_.advance(state_.points, phi_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {{"kernel", to_string(stein_.config().type)},
            {"bandwidth_rule", to_string(stein_.config().rule)},
            {"last_bandwidth", bandwidth_}};
  }

 private:
  const DistributionOracle& oracle_;
  State state_;
  SteinDirection stein_;
  CoinBettor bettor_;
  Vector logp_;
  Matrix score_, phi_;
  double bandwidth_ = 0.0;
};

class CoinSvgd final : public Sampler {
 public:
  static constexpr const char* kName = "coin_svgd";
  static constexpr const char* kDescription =
      "Coin SVGD (Sharrock & Nemeth 2023): SVGD with a per-coordinate "
      "coin-betting bettor instead of a step size (learning-rate free)";

  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("n_particles", 100, "number of particles n")
            .at_least(1),
    };
    // The Coin code's kernel: exp(−r²/(2σ²)), σ² = med²/(2 log(n+1)).
    for (auto& spec : kernel_params(BandwidthRule::median_code))
      specs.push_back(std::move(spec));
    return specs;
  }

  explicit CoinSvgd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, "coin_svgd")) {}

  Index num_points() const override { return n_particles_; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<CoinSvgdRun>(oracle, initial, kernel_);
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(CoinSvgd);

}  // namespace vibench
