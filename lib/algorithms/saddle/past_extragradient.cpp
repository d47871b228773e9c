// Past extra-gradient (Popov 1980; Hsieh, Iutzeler, Malick & Mertikopoulos,
// "On the convergence of single-call stochastic extra-gradient methods",
// NeurIPS 2019, PEG): extra-gradient that reuses the previous leading
// point's operator value instead of computing a new one,
//   z½_t = z_t − γ_t F(z½_{t−1}),   z_{t+1} = z_t − γ_t F(z½_t),
// so one operator call per step (the first step also evaluates F(z_0),
// standing in for F(z½_{−1})). The state is the base point z_t.
//
// Its mirror form, `optimistic_mirror_descent` (single-call mirror prox,
// Rakhlin & Sridharan's optimistic mirror descent), takes both steps in
// the task's mirror geometry: z½ = ∇ψ*(∇ψ(z) − γF(z½_prev)),
// z⁺ = ∇ψ*(∇ψ(z) − γF(z½)); on ℝ^d it is PEG.
//
// On a game with a feasible box, PEG clamps both points into it.
//
// Default step 1/(2L) (Hsieh et al. prove convergence for γ < 1/(2L));
// any `schedule` for the stochastic case (their γ_t ∝ 1/t).
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

class PastExtragradientRun final : public Run {
 public:
  PastExtragradientRun(const SaddlePointOracle& oracle, const State& initial,
                       double step_size, const Schedule& schedule, bool mirror)
      : oracle_(oracle),
        step_size_(step_size),
        schedule_(schedule),
        mirror_(mirror) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    if (t_ == 0) field_ = oracle_.operator_value(z);
    const double gamma = step_size_ * schedule_.factor(t_++);
    move(z, gamma, field_, half_);
    field_ = oracle_.operator_value(half_);
    move(z, gamma, field_, next_);
    z.swap(next_);
  }
  const State& state() const override { return state_; }

 private:
  // out = z − γg, or its mirror step ∇ψ*(∇ψ(z) − γg).
  void move(const Matrix& z, double gamma, const Matrix& g, Matrix& out) const {
    if (!mirror_) {
      out = z - gamma * g;
      oracle_.project_feasible(out);
      return;
    }
    const Domain& domain = oracle_.domain();
    out = domain.to_primal(domain.to_dual(z) - gamma * g);
  }

  const SaddlePointOracle& oracle_;
  double step_size_;
  Schedule schedule_;
  bool mirror_;
  long long t_ = 0;
  State state_;
  Matrix field_, half_;  // F at the last leading point, and that point
  Matrix next_;          // the next base point, swapped into the state
};

template <bool kMirror>
class PastExtragradientFamily : public SaddleSolver {
 public:
  static ParamSpecs params() { return {step().param(), schedule_param()}; }
  explicit PastExtragradientFamily(const Params& p)
      : step_(step()),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {
    step_.read(p);
  }
  Capabilities requirements() const override {
    Capabilities c = step_.requirements();
    if (kMirror) c.insert(Capability::mirror_domain);
    return c;
  }
  Capabilities handles() const override {
    if (kMirror) return {Capability::mirror_domain};
    return {Capability::feasible_set};
  }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<PastExtragradientRun>(
        oracle, initial, step_.resolve(oracle), schedule_, kMirror);
  }

 private:
  static StepFromLipschitz step() {
    return {0.5, "Hsieh et al. 2019: γ < 1/(2L)"};
  }
  StepFromLipschitz step_;
  Schedule schedule_;
};

class PastExtragradient final : public PastExtragradientFamily<false> {
 public:
  using PastExtragradientFamily::PastExtragradientFamily;
  static constexpr const char* kName = "past_extragradient";
  static constexpr const char* kDescription =
      "past extra-gradient (Popov; Hsieh et al. 2019): z_half = z - "
      "step*F(z_half_prev), z <- z - step*F(z_half); 1 operator call per "
      "step; default step 1/(2L)";
};

class OptimisticMirrorDescent final : public PastExtragradientFamily<true> {
 public:
  using PastExtragradientFamily::PastExtragradientFamily;
  static constexpr const char* kName = "optimistic_mirror_descent";
  static constexpr const char* kDescription =
      "single-call mirror prox (optimistic mirror descent): past "
      "extra-gradient in the task's mirror geometry; 1 operator call per "
      "step; default step 1/(2L)";
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(PastExtragradient);
VIBENCH_REGISTER_ALGORITHM(OptimisticMirrorDescent);

}  // namespace vibench
