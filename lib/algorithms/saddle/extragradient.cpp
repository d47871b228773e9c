// Extragradient (Korpelevich 1976) on the operator F(z) = (∇_x L, −∇_y L):
//   z½ = z − γ F(z),   z⁺ = z − γ F(z½).
// Cost per step: two operator calls. On a bilinear L = xᵀAy with A = σI it
// contracts the distance to z* by √(1 − γ²σ² + γ⁴σ⁴) per step.
// The state is the last iterate; the runner averages it on request. The
// step γ_t follows the schedule (`schedule`, default constant), the same γ_t
// for the extrapolation and the update of step t.
//
// On a game with a feasible box, both points are clamped into it: the
// projected extra-gradient of Korpelevich and of Gidel et al. (2019) for
// clipped GANs (and so are SEG, clipped SEG and two-timescale EG).
//
// `mirror_prox` (Nemirovski 2004) is the same method in the task's mirror
// geometry, z½ = ∇ψ*(∇ψ(z) − γF(z)), z⁺ = ∇ψ*(∇ψ(z) − γF(z½)): on a
// product of simplices, two multiplicative-weights steps per step. Its
// default step is 1/L (Nemirovski's γ ≤ 1/L for a 1-strongly convex ψ);
// O(1/t) ergodic gap on monotone problems.
//
// `stochastic_extragradient` (SEG; Hsieh et al. 2019 compare it with the
// single-call methods) is the same step on a stochastic oracle, with the
// two calls of a step drawing independent samples or the same one
// (`same_sample`), and a default step 1/(2L) with any schedule;
// `clipped_seg` (Sadiev et al. 2023) clips both samples at λ.
//
// `two_timescale_eg` ("Two-timescale extragradient for finding local
// minimax points", PAPERS.md §6.3) moves y with the step τγ and x with γ,
// both in the extrapolation and the update.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/schedule.hpp"
#include "algorithms/saddle/operator_clipping.hpp"
#include "algorithms/saddle/step_from_lipschitz.hpp"

namespace vibench {
namespace {

// How a step draws and treats its two operator samples.
struct SampleOptions {
  bool same_sample = false;  // the second call replays the first's sample
  double clip_level = 0;     // > 0: clip each sample at this norm
  double y_ratio = 1;        // τ: the y block steps τγ (two-timescale EG)
};

class ExtragradientRun final : public Run {
 public:
  ExtragradientRun(const SaddlePointOracle& oracle, const State& initial,
                   double step_size, const Schedule& schedule,
                   bool mirror = false, SampleOptions sampling = {})
      : oracle_(oracle),
        step_size_(step_size),
        schedule_(schedule),
        mirror_(mirror),
        sampling_(sampling) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& z = state_.points;
    const double gamma = step_size_ * schedule_.factor(t_++);
    if (sampling_.same_sample) oracle_.remember_next_sample();
    sample(z);
    if (mirror_) {
      const Domain& domain = oracle_.domain();
      dual_ = domain.to_dual(z);
      half_ = domain.to_primal(dual_ - gamma * field_);
      if (sampling_.same_sample) oracle_.reuse_last_sample();
      sample(half_);
      z = domain.to_primal(dual_ - gamma * field_);
      return;
    }
    half_ = z - gamma * field_;
    oracle_.project_feasible(half_);
    if (sampling_.same_sample) oracle_.reuse_last_sample();
    sample(half_);
    z.noalias() -= gamma * field_;
    oracle_.project_feasible(z);
  }
  const State& state() const override { return state_; }

 private:
  void sample(const Matrix& z) {
    field_ = oracle_.operator_value(z);
    if (sampling_.clip_level > 0) clip_rows(field_, sampling_.clip_level);
    if (sampling_.y_ratio != 1)
      field_.rightCols(oracle_.dim_y()) *= sampling_.y_ratio;
  }

  const SaddlePointOracle& oracle_;
  double step_size_;
  Schedule schedule_;
  bool mirror_;
  SampleOptions sampling_;
  long long t_ = 0;
  State state_;
  Matrix field_, half_, dual_;
};

class Extragradient final : public SaddleSolver {
 public:
  static constexpr const char* kName = "extragradient";
  static constexpr const char* kDescription =
      "extragradient (Korpelevich): z_half = z - step*F(z), z <- z - "
      "step*F(z_half); 2 operator calls per step";

  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "step γ (theory: γ < 1/L for an L-Lipschitz F; no "
                        "paper default)")
            .above(0),
        schedule_param(),
    };
  }
  explicit Extragradient(const Params& p)
      : step_size_(p.real("step_size")),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {}
  Capabilities handles() const override { return {Capability::feasible_set}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(oracle, initial, step_size_,
                                              schedule_);
  }

 private:
  double step_size_;
  Schedule schedule_;
};

StepFromLipschitz mirror_prox_step() {
  return {1.0, "Nemirovski 2004: γ ≤ 1/L"};
}

class MirrorProx final : public SaddleSolver {
 public:
  static constexpr const char* kName = "mirror_prox";
  static constexpr const char* kDescription =
      "mirror prox (Nemirovski 2004): extra-gradient in the task's mirror "
      "geometry (multiplicative weights on simplices); 2 operator calls per "
      "step; default step 1/L";
  static ParamSpecs params() {
    return {mirror_prox_step().param(), schedule_param()};
  }
  explicit MirrorProx(const Params& p)
      : step_(mirror_prox_step()),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {
    step_.read(p);
  }
  Capabilities requirements() const override {
    Capabilities c = step_.requirements();
    c.insert(Capability::mirror_domain);
    return c;
  }
  Capabilities handles() const override { return {Capability::mirror_domain}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(
        oracle, initial, step_.resolve(oracle), schedule_, /*mirror=*/true);
  }

 private:
  StepFromLipschitz step_;
  Schedule schedule_;
};

StepFromLipschitz stochastic_step() {
  return {0.5, "Hsieh et al. 2019: γ < 1/(2L), as the single-call methods"};
}

// SEG and its clipped form: the same parameters but the clipping level.
template <bool kClipped>
class StochasticExtragradientFamily : public SaddleSolver {
 public:
  static ParamSpecs params() {
    ParamSpecs specs = {
        stochastic_step().param(), schedule_param(),
        ParamSpec::boolean("same_sample", false,
                           "true: the extrapolation and the update use the "
                           "same sample (minibatch rows, noise); false: "
                           "independent samples")};
    if (kClipped) specs.push_back(clip_level_param());
    return specs;
  }
  explicit StochasticExtragradientFamily(const Params& p)
      : step_(stochastic_step()),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {
    step_.read(p);
    sampling_.same_sample = p.boolean("same_sample");
    if (kClipped) sampling_.clip_level = p.real("clip_level");
  }
  Capabilities requirements() const override { return step_.requirements(); }
  Capabilities handles() const override { return {Capability::feasible_set}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(oracle, initial,
                                              step_.resolve(oracle), schedule_,
                                              /*mirror=*/false, sampling_);
  }

 private:
  StepFromLipschitz step_;
  Schedule schedule_;
  SampleOptions sampling_;
};

class StochasticExtragradient final
    : public StochasticExtragradientFamily<false> {
 public:
  using StochasticExtragradientFamily::StochasticExtragradientFamily;
  static constexpr const char* kName = "stochastic_extragradient";
  static constexpr const char* kDescription =
      "stochastic extra-gradient (SEG): extra-gradient with independent or "
      "the same samples for its 2 operator calls; default step 1/(2L), any "
      "schedule";
};

class ClippedSeg final : public StochasticExtragradientFamily<true> {
 public:
  using StochasticExtragradientFamily::StochasticExtragradientFamily;
  static constexpr const char* kName = "clipped_seg";
  static constexpr const char* kDescription =
      "clipped stochastic extra-gradient (Sadiev et al. 2023): SEG with each "
      "operator sample clipped to norm clip_level; 2 operator calls per "
      "step";
};

class TwoTimescaleExtragradient final : public SaddleSolver {
 public:
  static constexpr const char* kName = "two_timescale_eg";
  static constexpr const char* kDescription =
      "two-timescale extra-gradient: extra-gradient whose y block steps "
      "timescale*step and x block step; 2 operator calls per step";
  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1, "γ of the x block (no paper default)")
            .above(0.0),
        ParamSpec::real("timescale", 10.0,
                        "τ = η_y/η_x (the paper asks for τ large "
                        "enough; no single default)")
            .above(0.0),
        schedule_param()};
  }
  explicit TwoTimescaleExtragradient(const Params& p)
      : step_size_(p.real("step_size")),
        schedule_(p.component_name("schedule"),
                  p.component_settings("schedule")) {
    sampling_.y_ratio = p.real("timescale");
  }
  Capabilities handles() const override { return {Capability::feasible_set}; }

 protected:
  std::unique_ptr<Run> start_run(const SaddlePointOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<ExtragradientRun>(
        oracle, initial, step_size_, schedule_, /*mirror=*/false, sampling_);
  }

 private:
  double step_size_;
  Schedule schedule_;
  SampleOptions sampling_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Extragradient);
VIBENCH_REGISTER_ALGORITHM(TwoTimescaleExtragradient);
VIBENCH_REGISTER_ALGORITHM(MirrorProx);
VIBENCH_REGISTER_ALGORITHM(StochasticExtragradient);
VIBENCH_REGISTER_ALGORITHM(ClippedSeg);

}  // namespace vibench
