// Mirror descent (Nemirovski & Yudin; Bubeck, "Convex Optimization:
// Algorithms and Complexity", §4.2): x⁺ = ∇ψ*(∇ψ(x) − η_t ∇f(x)) with the
// task's mirror map ψ (Task::domain()). On the simplex with the entropic map
// it is exponentiated gradient, p_i ← p_i e^{−η g_i} / Σ_j p_j e^{−η g_j};
// on the orthant x ← x e^{−η g}; on a box the entropic map of its two gaps.
// Iterates never leave the open domain. η_t = step_size · schedule(t);
// Bubeck's η = √(2 log K)/(L√T) for the simplex is one choice of them.
// One gradient per point per step. Needs a task on a domain with a mirror
// map (capability mirror_domain): on ℝ^d it would be gradient descent.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"

namespace vibench {
namespace {

class MirrorDescentRun final : public Run {
 public:
  MirrorDescentRun(const ObjectiveOracle& oracle, const State& initial,
                   double step_size, const Schedule& schedule)
      : oracle_(oracle), step_size_(step_size), schedule_(schedule) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& x = state_.points;
    oracle_.value_grad(x, value_, grad_);
    const double eta = step_size_ * schedule_.factor(t_++);
    x = oracle_.domain().to_primal(oracle_.domain().to_dual(x) - eta * grad_);
  }
  const State& state() const override { return state_; }

 private:
  const ObjectiveOracle& oracle_;
  double step_size_;
  Schedule schedule_;
  long long t_ = 0;
  State state_;
  Vector value_;
  Matrix grad_;
};

class MirrorDescent final : public Optimizer {
 public:
  static constexpr const char* kName = "mirror_descent";
  static constexpr const char* kDescription =
      "mirror descent x+ = grad psi*(grad psi(x) - eta grad f) with the "
      "task's mirror map (exponentiated gradient on the simplex); 1 gradient "
      "per step";
  static ParamSpecs params() {
    return {ParamSpec::real("step_size", 0.1,
                            "η (no paper default: Bubeck's √(2 log K)/(L√T) "
                            "depends on L and the horizon)")
                .above(0.0),
            schedule_param()};
  }
  explicit MirrorDescent(const Params& p)
      : step_size_(p.real("step_size")),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {}
  Capabilities requirements() const override {
    return {Capability::mirror_domain};
  }
  Capabilities handles() const override { return {Capability::mirror_domain}; }

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<MirrorDescentRun>(oracle, initial, step_size_,
                                              schedule_);
  }

 private:
  double step_size_;
  Schedule schedule_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(MirrorDescent);

}  // namespace vibench
