// Kernel Stein discrepancy descent (Korba, Aubin-Frankowski, Majewski &
// Ablin, "Kernel Stein Discrepancy Descent", ICML 2021): the particles
// descend the squared KSD of their own empirical measure,
//   X ← X − ε ∇_X KSD²(X),   KSD²(X) = (1/n²) Σ_ij k_p(x_i, x_j),
// the gradient-descent form of the paper (its `ksdd_gradient`; the paper
// advocates L-BFGS on the same objective: ksd_descent_lbfgs.cpp).
// The gradient needs the Hessian of log p applied to one vector per
// particle, so the target must offer hessian_vector (ksd_gradient.hpp).
//
// Unlike SVGD, the descent can stall at spurious stationary points on
// non-log-concave targets (the paper's §5 caveat).
//
// Cost per step: one batched score call and one batched Hessian-vector
// product on n points, plus O(n²d) for the kernel terms.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/ksd_descent_run.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "algorithms/step_schedule.hpp"

namespace vibench {
namespace {

class KsdDescent final : public Sampler {
 public:
  static constexpr const char* kName = "ksd_descent";
  static constexpr const char* kDescription =
      "Kernel Stein discrepancy descent (Korba et al. 2021): gradient "
      "descent of the particles' KSD^2; needs hessian_vector";

  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("n_particles", 100, "number of particles n")
            .at_least(1),
    };
    // The Coin paper's KSDD baseline uses the median rule of its code (the
    // authors' package defaults to a fixed h = 2, i.e. its bw = 1 in
    // exp(−r²/(2 bw)): set bandwidth = fixed, bandwidth_value = 2).
    for (auto& spec : kernel_params(BandwidthRule::median_code))
      specs.push_back(std::move(spec));
    specs.push_back(kernel_tile_param(AutomaticTiles::always));
    for (auto& spec : StepSchedule::params(
             0.3, StepRule::fixed,
             "the paper gives no default; 0.3 is the step of the authors' "
             "Gaussian example (pierreablin/ksddescent)"))
      specs.push_back(std::move(spec));
    return specs;
  }

  explicit KsdDescent(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, kName)),
        tile_rows_(kernel_tile_rows(p, n_particles_, AutomaticTiles::always)),
        schedule_(StepSchedule::from(p)) {}

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
    return std::make_unique<KsdDescentRun<StepScheduler>>(
        oracle, initial, kernel_, tile_rows_, StepScheduler(schedule_));
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
  Index tile_rows_;  // 0: the whole n×n matrices
  StepSchedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(KsdDescent);

}  // namespace vibench
