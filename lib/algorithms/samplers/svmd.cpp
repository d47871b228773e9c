// Stein variational mirror descent (Shi, Liu & Mackey, "Sampling with
// Mirrored Stein Operators", ICLR 2022): like msvgd, particles move in the
// dual coordinates η = ∇ψ(θ) of the task's domain and θ = ∇ψ*(η) stays
// inside it, but the direction uses the paper's adaptive matrix kernel built
// from the eigendecomposition of the particles' Gram matrix and the mirror
// map's Hessian (SvmdDirection, mirrored_stein.hpp).
// Cost per step: one batched score call, O(n²d) for the kernel, an O(n³)
// eigendecomposition and r + 1 batched products with ∇²ψ or its inverse
// (r ≤ n retained eigenpairs).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/mirrored_run.hpp"
#include "algorithms/samplers/mirrored_stein_params.hpp"
#include "algorithms/step_schedule.hpp"

namespace vibench {
namespace {

class Svmd final : public Sampler {
 public:
  static constexpr const char* kName = "svmd";
  static constexpr const char* kDescription =
      "Stein variational mirror descent (Shi, Liu & Mackey 2022): mirrored "
      "updates with an adaptive matrix kernel from the Gram matrix's "
      "eigendecomposition";

  static ParamSpecs params() {
    ParamSpecs specs = mirrored_stein_params();
    for (auto& spec : svmd_kernel_params()) specs.push_back(std::move(spec));
    return specs;
  }

  explicit Svmd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        stein_(kernel_from(p, kName), p.real("eigen_threshold"),
               p.real("jitter")),
        schedule_(StepSchedule::from(p)) {}

  Index num_points() const override { return n_particles_; }
  double workspace_bytes(Index) const override {
    return pairwise_bytes(n_particles_, SvmdDirection::kPairwiseMatrices);
  }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<MirroredRun<SvmdDirection>>(oracle, initial, stein_,
                                                        schedule_);
  }

 private:
  Index n_particles_;
  SvmdDirection stein_;
  StepSchedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Svmd);

}  // namespace vibench
