// `entropic_ot`: entropic optimal transport between two point clouds
// (Cuturi, "Sinkhorn Distances", NeurIPS 2013; PAPERS.md §5.9):
//   minimize F(P) = ⟨C, P⟩ + ε Σ_ij P_ij (log P_ij − 1)
//   over P ≥ 0 with P1 = a, Pᵀ1 = b,
// C_ij = ‖x_i − y_j‖² / max C (normalized, so ε is on the scale of the
// cost), x_i ~ N(0, I), y_j ~ N(shift·1, I) in `dim` dimensions from
// `instance`; a, b uniform unless given. A point is the coupling P
// flattened row by row (dimension n·m) on the positive orthant, where F is
// smooth with ∇F = C + ε log P. The optimum P* = exp((f_i + g_j − C_ij)/ε)
// is computed at construction by log-domain Sinkhorn until both marginal
// errors are below 1e-13 in ℓ1, and F* = F(P*).
#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tasks/objective.hpp"

namespace vibench {
namespace {

Vector weights(const Params& p, const char* name, Index count) {
  if (!p.has(name))
    return Vector::Constant(count, 1.0 / static_cast<double>(count));
  const Vector w = p.vector(name, count);
  if (w.size() != count || !(w.minCoeff() > 0) ||
      std::abs(w.sum() - 1.0) > 1e-12)
    throw ConfigError(name, fmt::format("entropic_ot: '{}' must be {} "
                                        "positive numbers summing to 1 "
                                        "(within 1e-12); they sum to {}",
                                        name, count, w.sum()));
  return w;
}

class EntropicOtTask final : public Objective {
 public:
  static constexpr const char* kName = "entropic_ot";
  static constexpr const char* kDescription =
      "entropic optimal transport <C,P> + eps sum P(log P - 1) on the "
      "transport polytope, between two Gaussian point clouds (normalized "
      "squared distances); P* by log-domain Sinkhorn to 1e-13";
  static constexpr const char* kDimensionRule = "n_source * n_target";

  // The cost matrix, the coupling and Sinkhorn's n × m work at
  // construction (about five n × m matrices), and the two point clouds.
  static MemoryNeed memory_need(const Params& p) {
    const double n = static_cast<double>(p.integer("n_source"));
    const double m = static_cast<double>(p.integer("n_target"));
    const double d = static_cast<double>(p.integer("dim"));
    return {dense_bytes(n, m, 5) + dense_bytes(n + m, d),
            m > n ? "n_target" : "n_source",
            "five n_source × n_target matrices"};
  }

  static ParamSpecs params() {
    return {
        ParamSpec::integer("n_source", 30, "n, points x_i").at_least(1),
        ParamSpec::integer("n_target", 40, "m, points y_j").at_least(1),
        ParamSpec::integer("dim", 2, "dimension of the points").at_least(1),
        ParamSpec::real("shift", 1.0, "y_j ~ N(shift·1, I)"),
        ParamSpec::real("epsilon", 0.05,
                        "ε, the entropic regularization (the cost is "
                        "normalized to max C = 1)")
            .above(0.0),
        ParamSpec::of_type(ParamType::vector, "source_weights", nullptr,
                           "a (default uniform): n positive numbers summing "
                           "to 1"),
        ParamSpec::of_type(ParamType::vector, "target_weights", nullptr,
                           "b (default uniform): m positive numbers summing "
                           "to 1"),
        ParamSpec::integer("instance", 0, "seed of the point clouds")
            .at_least(0),
    };
  }

  explicit EntropicOtTask(const Params& p) {
    const Index n = static_cast<Index>(p.integer("n_source"));
    const Index m = static_cast<Index>(p.integer("n_target"));
    const Index d = static_cast<Index>(p.integer("dim"));
    const Rng root =
        make_rng(static_cast<std::uint64_t>(p.integer("instance")));
    Rng source_rng = root.child("entropic_ot source");
    Rng target_rng = root.child("entropic_ot target");
    const Matrix x = source_rng.normal_matrix(n, d);
    const Matrix y = target_rng.normal_matrix(m, d).array() + p.real("shift");
    Matrix cost =
        (-2.0 * x * y.transpose()).colwise() + x.rowwise().squaredNorm();
    cost.rowwise() += y.rowwise().squaredNorm().transpose();
    cost = cost.cwiseMax(0.0);
    const double largest = cost.maxCoeff();
    if (largest > 0) cost /= largest;
    if (!cost.allFinite())
      throw ConfigError("shift", "entropic_ot: the cost is not finite");
    problem_.cost_transposed = cost.transpose();
    problem_.cost = std::move(cost);
    problem_.a = weights(p, "source_weights", n);
    problem_.b = weights(p, "target_weights", m);
    problem_.epsilon = p.real("epsilon");
    solve();
  }

  Index dim() const override { return problem_.cost.size(); }
  const Domain& domain() const override { return *orthant_domain(); }
  Capabilities capabilities() const override {
    return {Capability::optimum, Capability::optimal_value,
            Capability::transport};
  }
  // The independent coupling abᵀ, on the polytope (row 0), and
  // multiplicative perturbations of it for further rows.
  Matrix initial_points(Index count, Rng& rng) const override {
    Matrix start(count, dim());
    const Matrix product = problem_.a * problem_.b.transpose();
    for (Index r = 0; r < count; ++r) {
      Matrix coupling = product;
      if (r > 0)
        coupling.array() *=
            (0.1 * rng.normal_matrix(product.rows(), product.cols()))
                .array()
                .exp();
      start.row(r) = flatten(coupling);
    }
    return start;
  }
  // F(P) = ⟨C, P⟩ + ε Σ P(log P − 1); ∇F = C + ε log P (P > 0).
  void value_grad(const Matrix& points, Vector& f,
                  Matrix& grad) const override {
    const RowVector c = flatten(problem_.cost);
    const Matrix log_p = points.array().log().matrix();
    f = points * c.transpose() +
        problem_.epsilon *
            (points.array() * (log_p.array() - 1.0)).rowwise().sum().matrix();
    grad = (problem_.epsilon * log_p).rowwise() + c;
  }
  const TransportProblem& transport() const override { return problem_; }
  // Convex (strictly); ∇F = C + ε log P is not Lipschitz near P = 0.
  ObjectiveProperties properties() const override { return {true, 0.0}; }
  double optimal_value() const override { return optimal_value_; }
  Vector optimum() const override { return optimum_; }

 private:
  // Row-major flattening: entry (i, j) at i·m + j.
  static RowVector flatten(const Matrix& coupling) {
    RowVector out(coupling.size());
    for (Index i = 0; i < coupling.rows(); ++i)
      out.segment(i * coupling.cols(), coupling.cols()) = coupling.row(i);
    return out;
  }
  void solve() {
    const TransportProblem& t = problem_;
    const Vector log_a = t.a.array().log().matrix();
    const Vector log_b = t.b.array().log().matrix();
    Vector f = Vector::Zero(t.a.size()), g = Vector::Zero(t.b.size());
    Matrix coupling;
    for (int it = 0; it < 1'000'000; ++it) {
      f = t.epsilon * log_a + soft_min_rows(t.cost, g, t.epsilon);
      g = t.epsilon * log_b + soft_min_rows(t.cost_transposed, f, t.epsilon);
      if (it % 10 != 9) continue;
      coupling =
          (((-t.cost).colwise() + f).rowwise() + g.transpose()) / t.epsilon;
      coupling = coupling.array().exp().matrix();
      const double error =
          (coupling.rowwise().sum() - t.a).cwiseAbs().sum() +
          (coupling.colwise().sum().transpose() - t.b).cwiseAbs().sum();
      if (error < 1e-13) {
        optimum_ = flatten(coupling).transpose();
        Vector value;
        Matrix grad;
        value_grad(optimum_.transpose(), value, grad);
        optimal_value_ = value(0);
        return;
      }
    }
    throw ConfigError("epsilon",
                      "entropic_ot: Sinkhorn did not reach marginal errors "
                      "of 1e-13 at construction; increase epsilon");
  }
  TransportProblem problem_;
  Vector optimum_;
  double optimal_value_ = 0;
};

}  // namespace

VIBENCH_REGISTER_TASK(EntropicOtTask);

}  // namespace vibench
