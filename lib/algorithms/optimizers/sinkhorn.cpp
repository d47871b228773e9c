// Sinkhorn's algorithm in the log domain (Cuturi 2013; the log-domain form
// of Peyré & Cuturi, "Computational Optimal Transport", §4.4) on an
// entropic-OT task: with dual potentials f, g (from 0),
//   f ← ε log a + softmin_ε(g)_rows,   g ← ε log b + softmin_ε(f)_cols,
// where softmin_ε(h)_i = −ε log Σ_j exp((h_j − C_ij)/ε). The coupling
// P_ij = exp((f_i + g_j − C_ij)/ε), flattened row by row, is the state: after
// each step its column marginals are exact and its row marginals converge.
// Exact in the log domain for any ε (no underflow of e^{−C/ε}). Cost: two
// kernel products per step, counted as two gradient evaluations by the
// oracle. One coupling, whatever the initial points (Sinkhorn starts from
// its duals, not from a coupling).
#include <memory>

#include "algorithms/algorithm.hpp"

namespace vibench {
namespace {

class SinkhornRun final : public Run {
 public:
  explicit SinkhornRun(const ObjectiveOracle& oracle)
      : oracle_(oracle),
        problem_(oracle.transport()),
        log_a_(problem_.a.array().log().matrix()),
        log_b_(problem_.b.array().log().matrix()),
        f_(Vector::Zero(problem_.a.size())),
        g_(Vector::Zero(problem_.b.size())) {
    update_state();
  }
  void step() override {
    f_ = problem_.epsilon * log_a_ + oracle_.transport_softmin_rows(g_);
    g_ = problem_.epsilon * log_b_ + oracle_.transport_softmin_cols(f_);
    update_state();
  }
  const State& state() const override { return state_; }

 private:
  void update_state() {
    const Index n = f_.size(), m = g_.size();
    state_.points.resize(1, n * m);
    for (Index i = 0; i < n; ++i)
      state_.points.row(0).segment(i * m, m) =
          (((g_.transpose() - problem_.cost.row(i)).array() + f_(i)) /
           problem_.epsilon)
              .exp()
              .matrix();
  }
  const ObjectiveOracle& oracle_;
  const TransportProblem& problem_;
  Vector log_a_, log_b_, f_, g_;
  State state_;
};

class Sinkhorn final : public Optimizer {
 public:
  static constexpr const char* kName = "sinkhorn";
  static constexpr const char* kDescription =
      "Sinkhorn's algorithm in the log domain on entropic optimal transport "
      "(Cuturi 2013): alternate exact dual updates; 2 kernel products per "
      "step";
  static ParamSpecs params() { return {}; }
  explicit Sinkhorn(const Params&) {}
  Capabilities requirements() const override { return {Capability::transport}; }
  Capabilities handles() const override { return {Capability::transport}; }

 protected:
  std::unique_ptr<Run> start_run(const ObjectiveOracle& oracle,
                                 const State& /*initial*/,
                                 Rng /*rng*/) const override {
    return std::make_unique<SinkhornRun>(oracle);
  }
};

}  // namespace

VIBENCH_REGISTER_ALGORITHM(Sinkhorn);

}  // namespace vibench
