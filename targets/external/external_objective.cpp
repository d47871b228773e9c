// `external_objective`: a function to minimize whose oracles another program
// serves over the line protocol (docs/PROTOCOL.md, the serving role), in any
// language. Every native optimizer runs on it, its calls counted like a
// native task's. Ground truth is optional: x* and f*, given in the entry.
#include <fmt/format.h>

#include <optional>

#include "core/error.hpp"
#include "external/protocol.hpp"
#include "served_task.hpp"
#include "tasks/objective.hpp"
#include "tasks/warm_up.hpp"

namespace vibench {
namespace {

class ExternalObjectiveTask final : public Objective, public WarmUp {
 public:
  static constexpr const char* kName = "external_objective";
  static constexpr const char* kDescription =
      "a function to minimize served by another program over vibench's line "
      "protocol (docs/PROTOCOL.md): f and ∇f of any model, in any language; "
      "optional ground truth x* and f*";
  static constexpr const char* kDimensionRule = "dim (the program's)";

  static ParamSpecs params() {
    ParamSpecs specs = served_task::params(R"(["python3", "my_objective.py"])");
    specs.push_back(ParamSpec::of_type(
        ParamType::vector, "optimum", Json(),
        "x*, a minimizer, if known (a number for every coordinate, or dim "
        "numbers): for distance_to_optimum"));
    specs.push_back(
        ParamSpec::real("optimal_value", Json(),
                        "f*, the minimum, if known: for the optimality gap"));
    return specs;
  }

  explicit ExternalObjectiveTask(const Params& p)
      : servers_(
            served_task::spec(p, kName, "objective", {"value_grad", "value"})) {
    if (p.has("optimum")) optimum_ = p.vector("optimum", dim());
    if (p.has("optimal_value")) optimal_value_ = p.real("optimal_value");
  }

  Index dim() const override { return servers_.spec().dim; }
  Capabilities capabilities() const override {
    Capabilities c;
    if (optimum_.size() > 0) c.insert(Capability::optimum);
    if (optimal_value_) c.insert(Capability::optimal_value);
    return c;
  }

  void value_grad(const Matrix& x, Vector& f, Matrix& grad) const override {
    const auto& spec = servers_.spec();
    servers_.call("value_grad", x, nullptr, [&](const Json& reply) {
      f = read_vector(served_task::field(reply, "value", spec), x.rows(),
                      served_task::what(spec, "value_grad", "value"), true);
      grad =
          read_matrix(served_task::field(reply, "grad", spec), x.rows(), dim(),
                      served_task::what(spec, "value_grad", "grad"), true);
    });
  }

  Vector value(const Matrix& x) const override {
    const auto& spec = servers_.spec();
    Vector f;
    servers_.call("value", x, nullptr, [&](const Json& reply) {
      f = read_vector(served_task::field(reply, "value", spec), x.rows(),
                      served_task::what(spec, "value", "value"), true);
    });
    return f;
  }

  void warm_up() const override { servers_.warm_up(); }

  double optimal_value() const override {
    return optimal_value_ ? *optimal_value_ : Objective::optimal_value();
  }
  Vector optimum() const override {
    return optimum_.size() > 0 ? optimum_ : Objective::optimum();
  }

 private:
  OracleServers servers_;
  Vector optimum_;
  std::optional<double> optimal_value_;
};

}  // namespace

VIBENCH_REGISTER_TASK(ExternalObjectiveTask);

}  // namespace vibench
