// Stein variational gradient descent (Liu & Wang, "Stein Variational Gradient
// Descent: A General Purpose Bayesian Inference Algorithm", NeurIPS 2016).
//
// Particles follow the RKHS direction that most quickly decreases KL(q‖p):
//   φ(x_i) = (1/n) Σ_j [k(x_j, x_i) ∇log p(x_j) + ∇_{x_j} k(x_j, x_i)],
//   x_i ← x_i + ε φ(x_i)   (or the AdaGrad-with-momentum step of the
//                           authors' code, see step_schedule.hpp).
// Cost per step: one batched score call on n points, plus O(n²d) for the
// kernel.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/stein_kernel.hpp"
#include "algorithms/step_schedule.hpp"
#include "core/error.hpp"

namespace vibench {
namespace {

class SvgdRun final : public Run {
 public:
  SvgdRun(const DistributionOracle& oracle, const State& initial,
          RbfKernelConfig kernel, const StepSchedule& schedule)
      : oracle_(oracle), stein_(kernel), scheduler_(schedule) {
    state_.points = initial.points;
  }

  void step() override {
    oracle_.log_prob_grad(state_.points, logp_, score_);
    bandwidth_ = stein_.compute(state_.points, score_, phi_);
    scheduler_.advance(state_.points, phi_);
  }
  const State& state() const override { return state_; }
  Json diagnostics() const override {
    return {{"kernel", "rbf"}, {"last_bandwidth", bandwidth_}};
  }

 private:
  const DistributionOracle& oracle_;
  State state_;
  SteinDirection stein_;
  StepScheduler scheduler_;
  Vector logp_;
  Matrix score_, phi_;
  double bandwidth_ = 0.0;
};

class Svgd final : public Sampler {
 public:
  static constexpr const char* kName = "svgd";
  static constexpr const char* kDescription =
      "Stein variational gradient descent (Liu & Wang 2016) with an RBF "
      "kernel exp(-|x-y|^2/h)";

  static ParamSpecs params() {
    ParamSpecs specs = {
        ParamSpec::integer("n_particles", 100, "number of particles n")
            .at_least(1),
        ParamSpec::string("kernel", "rbf", {"rbf"},
                          "kernel k(x, y); rbf: exp(−‖x − y‖²/h)"),
        ParamSpec::string(
            "bandwidth", "median", {"median", "fixed"},
            "bandwidth rule, re-evaluated at every step: median (SVGD "
            "paper): h = med²/log n with med the median pairwise distance "
            "(h = 1 if n = 1 or all particles coincide); fixed: h = "
            "bandwidth_value"),
        ParamSpec::real("bandwidth_value", nullptr,
                        "h for bandwidth = fixed (required then, not allowed "
                        "otherwise)")
            .above(0),
    };
    for (auto& spec : StepSchedule::params(
             0.1, StepRule::adagrad_momentum,
             "default 0.1 is the master step size of the authors' MATLAB "
             "code (their Python update() defaults to 1e-3)"))
      specs.push_back(std::move(spec));
    return specs;
  }

  explicit Svgd(const Params& p)
      : n_particles_(static_cast<Index>(p.integer("n_particles"))),
        schedule_(StepSchedule::from(p)) {
    if (p.string("bandwidth") == "fixed") {
      if (!p.has("bandwidth_value"))
        throw ConfigError("",
                          "svgd: bandwidth = 'fixed' needs "
                          "bandwidth_value");
      kernel_.rule = BandwidthRule::fixed;
      kernel_.fixed_bandwidth = p.real("bandwidth_value");
    } else if (p.has("bandwidth_value")) {
      throw ConfigError("",
                        "svgd: bandwidth_value is only used with "
                        "bandwidth = 'fixed'");
    }
  }

  Index num_points() const override { return n_particles_; }

 protected:
  std::unique_ptr<Run> start_run(const DistributionOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<SvgdRun>(oracle, initial, kernel_, schedule_);
  }

 private:
  Index n_particles_;
  RbfKernelConfig kernel_;
  StepSchedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Svgd);

}  // namespace vibench
