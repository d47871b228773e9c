// Gradient descent with a fixed step: x ← x − η ∇f(x).
// Cost per step: one batched value_grad call (one row per iterate).
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class GdRun final : public Run {
 public:
  GdRun(const ObjectiveOracle& oracle, const State& initial, double step_size)
      : oracle_(oracle), step_size_(step_size) {
    state_.points = initial.points;
  }
  void step() override {
    oracle_.value_grad(state_.points, value_, grad_);
    state_.points.noalias() -= step_size_ * grad_;
  }
  const State& state() const override { return state_; }

 private:
  const ObjectiveOracle& oracle_;
  double step_size_;
  State state_;
  Vector value_;
  Matrix grad_;
};

class Gd final : public Optimizer {
 public:
  static constexpr const char* kName = "gd";
  static constexpr const char* kDescription =
      "gradient descent with a fixed step: x <- x - step*grad f(x)";

  static ParamSpecs params() {
    return {
        ParamSpec::real("step_size", 0.1,
                        "step η (textbook choice 1/L on an L-smooth f; no "
                        "paper default)")
            .above(0),
    };
  }
  explicit Gd(const Params& p) : step_size_(p.real("step_size")) {}

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& initial,
                                 Rng /*rng*/) const override {
    return std::make_unique<GdRun>(oracle, initial, step_size_);
  }

 private:
  double step_size_;
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Gd);

}  // namespace vibench
