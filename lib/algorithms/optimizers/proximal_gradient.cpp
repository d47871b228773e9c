// Proximal gradient (ISTA) and its accelerated form FISTA (Beck & Teboulle,
// "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear Inverse
// Problems", SIAM J. Imaging Sci. 2009) for composite problems
// P = f + g, f smooth and g with a known proximal operator:
//   ISTA   x_{k+1} = prox_{ηg}(x_k − η∇f(x_k));
//   FISTA  x_k = prox_{ηg}(y_k − η∇f(y_k)),
//          t_{k+1} = (1 + √(1 + 4t_k²))/2,  t_1 = 1, y_1 = x_0,
//          y_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1}).
// With η = 1/L: P(x_k) − P* ≤ L‖x₀ − x*‖²/(2k) (ISTA) and
// ≤ 2L‖x₀ − x*‖²/(k+1)² (FISTA), Theorems 3.1 and 4.4 of the paper.
// One gradient per point per step (at y_k for FISTA); the prox is free.
#include <cmath>
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class ProximalGradientRun final : public Run {
 public:
  ProximalGradientRun(const ObjectiveOracle& oracle, const State& initial,
                      double step, bool accelerated)
      : oracle_(oracle), step_(step), accelerated_(accelerated) {
    state_.points = initial.points;
    y_ = initial.points;
  }
  void step() override {
    Matrix& x = state_.points;
    const Matrix& at = accelerated_ ? y_ : x;
    oracle_.value_grad(at, value_, grad_);
    Matrix next = at - step_ * grad_;
    oracle_.prox(next, step_);
    if (accelerated_) {
      const double t_next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t_ * t_));
      y_ = next + ((t_ - 1.0) / t_next) * (next - x);
      t_ = t_next;
    }
    x = std::move(next);
  }
  const State& state() const override { return state_; }

 private:
  const ObjectiveOracle& oracle_;
  double step_;
  bool accelerated_;
  double t_ = 1.0;
  State state_;
  Matrix y_, grad_;
  Vector value_;
};

template <bool Accelerated>
class ProximalGradient final : public Optimizer {
 public:
  static constexpr const char* kName =
      Accelerated ? "fista" : "proximal_gradient";
  static constexpr const char* kDescription =
      Accelerated
          ? "FISTA (Beck & Teboulle 2009): accelerated proximal gradient on "
            "composite problems, step 1/L by default; 1 gradient per step"
          : "proximal gradient / ISTA: x <- prox_{eta g}(x - eta grad f) on "
            "composite problems, step 1/L by default; 1 gradient per step";

  static ParamSpecs params() {
    return {ParamSpec::real("step_size", 0.0,
                            "η; 0 (default) means 1/L from the task's declared "
                            "smoothness, the step of the paper's rates")
                .at_least(0.0)};
  }
  explicit ProximalGradient(const Params& p)
      : step_size_(p.real("step_size")) {}
  Capabilities requirements() const override {
    if (step_size_ > 0) return {Capability::composite};
    return {Capability::composite, Capability::smoothness};
  }
  Capabilities handles() const override { return {Capability::composite}; }

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    const double step = step_size_ > 0 ? step_size_ : 1.0 / oracle.smoothness();
    return std::make_unique<ProximalGradientRun>(oracle, initial, step,
                                                 Accelerated);
  }

 private:
  double step_size_;
};

using Ista = ProximalGradient<false>;
using Fista = ProximalGradient<true>;

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Ista);
VIBENCH_REGISTER_ALGORITHM(Fista);

}  // namespace vibench
