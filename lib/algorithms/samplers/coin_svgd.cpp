// Coin SVGD (Sharrock & Nemeth, "Coin Sampling: Gradient-Based Bayesian
// Inference without Learning Rates", ICML 2023, Algorithm 1 with the
// adaptive bound L). The recursion below follows the authors' code
// (louissharrock/Coin-SVGD main.py, as read in PAPERS.md §1.6); the paper's
// own statement of the adaptive form was not re-read when this was written,
// so the clipping of R is the code's (and COCOB-Backprop's) choice.
//
// SVGD's step size is replaced by a coin-betting bettor
// (first_order/coin_bettor.hpp), one per coordinate of each particle, that bets
// on the SVGD direction c_t = φ(x_t) (the same batched direction as svgd,
// stein_kernel.hpp).
//
// There is no step size. Cost per step: one batched score call on n points,
// plus the kernel's O(n²d).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/coin_bettor.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "algorithms/samplers/svgd_run.hpp"

namespace vibench {
namespace {

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
    specs.push_back(kernel_tile_param());
    return specs;
  }

  explicit CoinSvgd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, "coin_svgd")),
        tile_rows_(kernel_tile_rows(p, n_particles_)) {}

  Index num_points() const override { return n_particles_; }
  double workspace_bytes(Index) const override {
    return SteinDirection::pairwise_workspace_bytes(n_particles_, tile_rows_);
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<SvgdRun<CoinBettor>>(oracle, initial, kernel_,
                                                 tile_rows_, CoinBettor());
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
  Index tile_rows_;  // 0: the whole kernel
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(CoinSvgd);

}  // namespace vibench
