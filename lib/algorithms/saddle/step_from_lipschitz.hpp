// A saddle solver's step γ: the `step_size` a suite gives, or, when it gives
// none, the paper's default c/L from the task's declared Lipschitz constant
// (Capability::smoothness), so that no method runs with an invented step.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "algorithms/algorithm.hpp"
#include "core/params.hpp"
#include "tasks/oracles.hpp"

namespace vibench {

class StepFromLipschitz {
 public:
  // `factor` c of the default γ = c/L, and the paper it comes from.
  StepFromLipschitz(double factor, std::string source)
      : factor_(factor), source_(std::move(source)) {}
  ParamSpec param() const {
    return ParamSpec::real(
               "step_size", nullptr,
               fmt::format("step γ; default {:g}/L from the task's declared "
                           "Lipschitz constant, the bound of {} (taken "
                           "at the bound)",
                           factor_, source_))
        .above(0.0);
  }
  // Reads `step_size` from the algorithm's params (absent: from L).
  void read(const Params& p) {
    if (p.has("step_size")) given_ = p.real("step_size");
  }
  // The step the suite gave; 0 when it gave none.
  double given() const { return given_; }
  // Without a given step the task must declare L.
  Capabilities requirements() const {
    if (given_ > 0) return {};
    return {Capability::smoothness};
  }
  double resolve(const SaddlePointOracle& oracle) const {
    if (given_ > 0) return given_;
    const double lipschitz = oracle.lipschitz();
    if (!(lipschitz > 0 && std::isfinite(lipschitz)))
      throw std::invalid_argument(fmt::format(
          "the default step {:g}/L needs a finite positive L; the task "
          "declares L = {}: give step_size",
          factor_, lipschitz));
    return factor_ / lipschitz;
  }

 private:
  double factor_;
  std::string source_;
  double given_ = 0;
};

// A saddle solver whose one parameter is its step: `Method` names it
// (kName, kDescription, a static `step()` with its default factor and
// source) and `MethodRun` is constructed from (oracle, initial state, γ).
template <class Method, class MethodRun>
class StepOnlySolver : public SaddleSolver {
 public:
  static constexpr const char* kName = Method::kName;
  static constexpr const char* kDescription = Method::kDescription;
  static ParamSpecs params() { return {Method::step().param()}; }
  explicit StepOnlySolver(const Params& p) : step_(Method::step()) {
    step_.read(p);
  }
  Capabilities requirements() const override { return step_.requirements(); }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<MethodRun>(oracle, initial, step_.resolve(oracle));
  }

 private:
  StepFromLipschitz step_;
};

}  // namespace vibench
