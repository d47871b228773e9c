// Stein variational gradient descent (Liu & Wang, "Stein Variational Gradient
// Descent: A General Purpose Bayesian Inference Algorithm", NeurIPS 2016).
//
// Particles follow the RKHS direction that most quickly decreases KL(q‖p):
//   φ(x_i) = (1/n) Σ_j [k(x_j, x_i) ∇log p(x_j) + ∇_{x_j} k(x_j, x_i)],
//   x_i ← x_i + ε φ(x_i)   (or the AdaGrad-with-momentum step of the
//                           authors' code, RMSProp or Adam, see
//                           step_schedule.hpp).
// Kernels (rbf, imq) and bandwidth rules: see stein_kernel.hpp.
// Cost per step: one batched score call on n points, plus O(n²d) for the
// kernel.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "algorithms/samplers/svgd_run.hpp"
#include "algorithms/step_schedule.hpp"

namespace vibench {
namespace {

class Svgd final : public Sampler {
 public:
  static constexpr const char* kName = "svgd";
  static constexpr const char* kDescription =
      "Stein variational gradient descent (Liu & Wang 2016) with an RBF "
      "exp(-|x-y|^2/h) or IMQ (c^2 + |x-y|^2/h)^beta kernel";

  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("n_particles", 100, "number of particles n")
            .at_least(1),
    };
    for (auto& spec : kernel_params()) specs.push_back(std::move(spec));
    specs.push_back(kernel_tile_param());
    for (auto& spec : StepSchedule::params(
             0.1, StepRule::adagrad_momentum,
             "default 0.1 is the master step size of the authors' MATLAB "
             "code (their Python update() defaults to 1e-3)"))
      specs.push_back(std::move(spec));
    return specs;
  }

  explicit Svgd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, "svgd")),
        tile_rows_(kernel_tile_rows(p, n_particles_)),
        schedule_(StepSchedule::from(p)) {}

  Index num_points() const override { return n_particles_; }
  double workspace_bytes(Index) const override {
    return SteinDirection::pairwise_workspace_bytes(n_particles_, tile_rows_);
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<SvgdRun<StepScheduler>>(
        oracle, initial, kernel_, tile_rows_, StepScheduler(schedule_));
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
  Index tile_rows_;  // 0: the whole kernel
  StepSchedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Svgd);

}  // namespace vibench
