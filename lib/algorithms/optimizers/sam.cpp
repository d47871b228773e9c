// Sharpness-aware minimization (Foret et al., "Sharpness-Aware Minimization
// for Efficiently Improving Generalization", ICLR 2021) and its
// unnormalized variant USAM (Andriushchenko & Flammarion 2022; studied in
// "An SDE for Modeling SAM: Theory and Insights", Compagnoni et al. 2023):
//   g = ∇f(x),  x̃ = x + ρ g/‖g‖ (SAM)  or  x̃ = x + ρ g (USAM),
//   x ← x + move(−∇f(x̃)) by the update rule (default sgd: x − η∇f(x̃)).
// Per point (each row its own perturbation). Cost per step: two gradients
// per point. A zero gradient gives no perturbation.
#include <memory>

#include "algorithms/algorithm.hpp"
#include "algorithms/first_order/first_order_step.hpp"

namespace vibench {
namespace {

class SamRun final : public Run {
 public:
  SamRun(const ObjectiveOracle& oracle, const State& initial,
         const FirstOrderConfig& config, double rho, bool normalize)
      : oracle_(oracle), step_(config), rho_(rho), normalize_(normalize) {
    state_.points = initial.points;
  }
  void step() override {
    Matrix& x = state_.points;
    oracle_.value_grad(x, value_, grad_);
    perturbed_ = x;
    for (Index i = 0; i < x.rows(); ++i) {
      const double norm = grad_.row(i).norm();
      if (norm > 0)
        perturbed_.row(i) += (normalize_ ? rho_ / norm : rho_) * grad_.row(i);
    }
    oracle_.value_grad(perturbed_, value_, grad_);
    grad_ = -grad_;
    step_.apply(x, grad_);
  }
  const State& state() const override { return state_; }

 private:
  const ObjectiveOracle& oracle_;
  FirstOrderStep step_;
  double rho_;
  bool normalize_;
  State state_;
  Vector value_;
  Matrix grad_, perturbed_;
};

template <bool Normalize>
class SamFamily final : public Optimizer {
 public:
  static constexpr const char* kName = Normalize ? "sam" : "usam";
  static constexpr const char* kDescription =
      Normalize ? "sharpness-aware minimization (Foret et al. 2021): the "
                  "gradient at x + rho*g/|g|, moved by any update rule; 2 "
                  "gradients per step"
                : "unnormalized SAM (Andriushchenko & Flammarion 2022): the "
                  "gradient at x + rho*g, moved by any update rule; 2 "
                  "gradients per step";

  static ParamSpecs params() {
    ParamSpecs specs = FirstOrderConfig::params_with_rule(
        0.1, "no paper default; 1/L is the textbook choice", "sgd");
    specs.push_back(ParamSpec::real("rho", 0.05,
                                    Normalize
                                        ? "ρ, the radius of the ascent step "
                                          "(Foret et al. 2021: 0.05)"
                                        : "ρ, the scale of the ascent step "
                                          "(no paper default; SAM's 0.05)")
                        .at_least(0));
    return specs;
  }
  explicit SamFamily(const Params& p)
      : config_(FirstOrderConfig::from_params(p)), rho_(p.real("rho")) {}

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<SamRun>(oracle, initial, config_, rho_, Normalize);
  }

 private:
  FirstOrderConfig config_;
  double rho_;
};

using Sam = SamFamily<true>;
using Usam = SamFamily<false>;

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Sam);
VIBENCH_REGISTER_ALGORITHM(Usam);

}  // namespace vibench
