// Metrics: pure functions of (task, state, reference) → number, registered
// by name with their settings recorded in the output.
#pragma once

#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/registry.hpp"
#include "core/state.hpp"
#include "tasks/counters.hpp"
#include "tasks/task.hpp"

namespace vibench {

struct MetricContext {
  const Task& task;  // the task itself: metric evaluations are not counted
  const State& state;
  // Reference draws of the task: exact draws drawn once per cell (same for
  // every checkpoint and every algorithm on that task and replicate), or for
  // a task without exact draws its NUTS reference posterior thinned to the
  // suite's reference_draws (lib/reference). Empty unless the metric
  // declared `needs_reference_draws`.
  const Matrix& reference;
  const Params& settings;
  // The cell's cost counters at this checkpoint, for metrics per unit of
  // cost (ess_per_grad); null where there are none (evaluation of external
  // samples, direct calls).
  const Counters* counters = nullptr;
};

struct MetricEntry {
  std::string name;
  std::set<TaskKind> kinds;  // task kinds the metric applies to
  std::string description;
  Capabilities requirements;  // of the task
  // Needs draws of the task: exact draws or a reference posterior, so the
  // metric is unavailable on tasks that offer neither.
  bool needs_reference_draws = false;
  bool smaller_is_better = true;
  ParamSpecs settings;
  std::function<double(const MetricContext&)> compute;
  // NaN from compute() means "not defined for this state yet" (e.g. a chain
  // history too short for R-hat), not a numerical failure: the runner records
  // null without marking the cell diverged. An infinite value still does.
  bool nan_when_undefined = false;
  // Valid only on ℝ^d: e.g. KSD, whose Stein identity needs the density to
  // vanish at infinity, fails on a domain with a boundary where it does not
  // (a Dirichlet with α < 1). Unavailable, with that reason, elsewhere.
  bool reals_only = false;
  // A metric of the run rather than of its iterate (average_regret, from
  // the counters): it takes no `iterate` setting.
  bool of_run = false;
  // Meaningless on a structured objective (kStructuralCapabilities: a box,
  // a composite or mirror-domain or transport problem), where it does not
  // vanish at the optimum (grad_norm); unavailable there, with the reason.
  bool unstructured_only = false;
  // Computed only where it is named (a suite's or eval's metric list), not
  // in eval's default "every metric that applies": a cost that can grow far
  // beyond the others' (exact transport on n·m arcs, Sinkhorn at small ε).
  bool named_only = false;
  // Reads State::history (the chain metrics): only then do chain samplers
  // keep it during a cell.
  bool needs_history = false;
  // Names the metric had before (`mmd` for `mmd2`): still accepted in suites
  // and by `eval`, with a note, and recorded under the current name.
  std::vector<std::string> former_names = {};
};
using MetricRegistry = Registry<MetricEntry>;

// The metric called `name` now or formerly; null when none is. Sets
// `renamed` to a note for the user when `name` is a former name.
const MetricEntry* find_metric(const std::string& name,
                               std::string* renamed = nullptr);

// The points of the state, for metrics that need at least one; throws a
// runtime_error naming `metric` when the state is empty.
inline const Matrix& state_points(const MetricContext& ctx,
                                  const char* metric) {
  if (ctx.state.points.rows() < 1)
    throw std::runtime_error(std::string(metric) + ": the state has no points");
  return ctx.state.points;
}

// The iterate a metric of an optimizer or saddle-point solver is computed
// on: the last one, the runner's average of the iterates (suite key
// "averaging"), or both (recorded as `name` and `name@average`).
inline constexpr const char* kIterateSetting = "iterate";
inline constexpr const char* kAverageSuffix = "@average";

// Whether a metric takes the `iterate` setting: it applies to optimizers or
// saddle-point solvers, whose iterates the runner can average (a sample of
// particles or chains has no meaningful average).
bool takes_iterate_setting(const MetricEntry& entry);

// Adds the runner-owned settings (`iterate`) to the entry, then registers it.
bool register_metric(MetricEntry entry);

// Registration, one statement per metric:
//   VIBENCH_REGISTER_METRIC(energy_distance, {.name = ..., ...});
#define VIBENCH_REGISTER_METRIC(id, ...)                              \
  [[maybe_unused]] static const bool vibench_registered_metric_##id = \
      ::vibench::register_metric(::vibench::MetricEntry __VA_ARGS__)

}  // namespace vibench
