// A saddle solver's step γ: the `step_size` a suite gives, or, when it gives
// none, the paper's default c/L from the task's declared Lipschitz constant
// (Capability::smoothness), so that no method runs with an invented step.
#pragma once

#include <fmt/format.h>

#include <string>

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
                           "Lipschitz constant ({})",
                           factor_, source_))
        .above(0.0);
  }
  // Reads `step_size` from the algorithm's params (absent: from L).
  void read(const Params& p) {
    if (p.has("step_size")) given_ = p.real("step_size");
  }
  // Without a given step the task must declare L.
  Capabilities requirements() const {
    if (given_ > 0) return {};
    return {Capability::smoothness};
  }
  double resolve(const SaddlePointOracle& oracle) const {
    return given_ > 0 ? given_ : factor_ / oracle.lipschitz();
  }

 private:
  double factor_;
  std::string source_;
  double given_ = 0;
};

}  // namespace vibench
