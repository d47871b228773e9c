// Coin KSD descent (Sharrock & Nemeth, "Coin Sampling: Gradient-Based
// Bayesian Inference without Learning Rates", ICML 2023): the coin-betting
// bettor of first_order/coin_bettor.hpp fed with the outcomes c_t = −∇_X
// KSD²(X_t) (ksd_gradient.hpp) instead of a step size times that gradient.
//
// Differences from the authors' code (PAPERS.md §1.8), on purpose: the code
// starts L at 0 and replaces NaNs by random normals; vibench starts L at
// 1e-10 and resets a non-finite coordinate to its anchor, as coin_svgd does,
// so the two coin samplers differ only in their outcomes. The code's Stein
// kernel also evaluates exp(−r²/(2h)) with the SVGD bandwidth h unsquared;
// vibench uses the bandwidth rule it records (median_code by default).
//
// There is no step size. Cost per step: one batched score call and one
// batched Hessian-vector product on n points, plus O(n²d).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/coin_bettor.hpp"
#include "algorithms/samplers/ksd_descent_run.hpp"
#include "algorithms/samplers/stein_kernel.hpp"

namespace vibench {
namespace {

class CoinKsdd final : public Sampler {
 public:
  static constexpr const char* kName = "coin_ksdd";
  static constexpr const char* kDescription =
      "Coin KSD descent (Sharrock & Nemeth 2023): KSD descent with a "
      "per-coordinate coin-betting bettor instead of a step size; needs "
      "hessian_vector";

  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("n_particles", 100, "number of particles n")
            .at_least(1),
    };
    for (auto& spec : kernel_params(BandwidthRule::median_code))
      specs.push_back(std::move(spec));
    specs.push_back(kernel_tile_param(AutomaticTiles::always));
    return specs;
  }

  explicit CoinKsdd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, kName)),
        tile_rows_(kernel_tile_rows(p, n_particles_, AutomaticTiles::always)) {}

  Index num_points() const override { return n_particles_; }
  double workspace_bytes(Index) const override {
    return KsdGradient::pairwise_workspace_bytes(n_particles_, tile_rows_);
  }
  Capabilities requirements() const override {
    return {Capability::hessian_vector};
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<KsdDescentRun<CoinBettor>>(
        oracle, initial, kernel_, tile_rows_, CoinBettor());
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
  Index tile_rows_;  // 0: the whole n×n matrices
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(CoinKsdd);

}  // namespace vibench
