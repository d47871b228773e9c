// The shell shared by the bilevel solvers: a solver is its configuration.
// `MethodRun` is built from (oracle, initial state, config), plus the
// algorithm's own random stream when its constructor takes one; the solver
// needs the capabilities `kNeeds`. A registration derives from it and adds
// kName, kDescription, params() and the constructor reading its Config.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "algorithms/algorithm.hpp"

namespace vibench {

template <class MethodRun, class Config, Capability... kNeeds>
class ConfiguredBilevelSolver : public BilevelSolver {
 public:
  explicit ConfiguredBilevelSolver(Config config)
      : config_(std::move(config)) {}
  Capabilities requirements() const override { return {kNeeds...}; }

 protected:
  const Config& config() const { return config_; }
  std::unique_ptr<Run> start_run(const BilevelOracle& oracle,
                                 const State& initial, Rng rng) const override {
    if constexpr (std::is_constructible_v<MethodRun, const BilevelOracle&,
                                          const State&, const Config&, Rng>)
      return std::make_unique<MethodRun>(oracle, initial, config_,
                                         std::move(rng));
    else
      return std::make_unique<MethodRun>(oracle, initial, config_);
  }

 private:
  Config config_;
};

}  // namespace vibench
