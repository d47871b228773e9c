// Mirrored SVGD (Shi, Liu & Mackey, "Sampling with Mirrored Stein
// Operators", ICLR 2022): SVGD run in the dual coordinates η = ∇ψ(θ) of the
// task's domain, with the kernel on the primal θ (mirrored_stein.hpp):
//   Δη_j = (1/n) Σ_i [k(θ_i, θ_j) ∇_η log p_H(η_i) + ∇²ψ(θ_i)⁻¹ ∇_{θ_i} k],
//   η ← η + ε Δη (through the step schedule; RMSProp in the paper),
//   θ = ∇ψ*(η),
// so every particle stays strictly inside the domain whatever the step. On
// ℝ^d (ψ = ½‖x‖²) it is SVGD.
// Cost per step: one batched score call, O(n²d) for the kernel and n
// batched (∇²ψ)⁻¹ products for the repulsion.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/mirrored_run.hpp"
#include "algorithms/samplers/mirrored_stein_params.hpp"
#include "algorithms/step_schedule.hpp"

namespace vibench {
namespace {

class Msvgd final : public Sampler {
 public:
  static constexpr const char* kName = "msvgd";
  static constexpr const char* kDescription =
      "mirrored SVGD (Shi, Liu & Mackey 2022): SVGD in the dual space of "
      "the task's mirror map; particles stay inside constrained domains";

  static ParamSpecs params() {
    ParamSpecs specs = mirrored_stein_params();
    specs.push_back(kernel_tile_param());
    return specs;
  }

  explicit Msvgd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        kernel_(kernel_from(p, kName)),
        tile_rows_(kernel_tile_rows(p, n_particles_)),
        schedule_(StepSchedule::from(p)) {}

  Index num_points() const override { return n_particles_; }
  double workspace_bytes(Index) const override {
    return MsvgdDirection::pairwise_workspace_bytes(n_particles_, tile_rows_);
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<MirroredRun<MsvgdDirection>>(
        oracle, initial, MsvgdDirection(kernel_, tile_rows_), schedule_);
  }

 private:
  Index n_particles_;
  KernelConfig kernel_;
  Index tile_rows_;  // 0: the whole n×n kernel
  StepSchedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Msvgd);

}  // namespace vibench
