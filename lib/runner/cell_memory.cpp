#include "runner/cell_memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.hpp"
#include "runner/cell_runner.hpp"

namespace vibench {

namespace {

// How to raise the limit, said by every error that reports it.
std::string limit_advice(double limit_bytes) {
  return fmt::format(
      "the limit is {} (the suite's max_cell_memory_gib, default {} GiB): "
      "give the suite a larger \"max_cell_memory_gib\" if the machine has "
      "the memory",
      format_bytes(limit_bytes), kDefaultMaxCellMemoryGib);
}

double doubles_bytes(double count) {
  return count * static_cast<double>(sizeof(double));
}

bool needs_reference_draws(const Suite& suite, TaskKind kind) {
  return std::any_of(suite.metrics.begin(), suite.metrics.end(),
                     [&](const MetricConfig& metric) {
                       return metric.entry->needs_reference_draws &&
                              metric.entry->kinds.count(kind) > 0;
                     });
}

bool reads_history(const Suite& suite, TaskKind kind) {
  return std::any_of(suite.metrics.begin(), suite.metrics.end(),
                     [&](const MetricConfig& metric) {
                       return metric.entry->needs_history &&
                              metric.entry->kinds.count(kind) > 0;
                     });
}

double tasks_memory(const Suite& suite) {
  double held = 0;
  for (const TaskConfig& task : suite.tasks) held += task_memory(task);
  return held;
}

}  // namespace

std::string format_bytes(double bytes) {
  static constexpr std::array<const char*, 7> kUnits = {
      "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (!std::isfinite(bytes)) return "an unbounded amount";
  size_t unit = 0;
  double value = bytes;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  if (value >= 1024) return fmt::format("{:.3g} bytes", bytes);
  return fmt::format("{:.3g} {}", value, kUnits[unit]);
}

double check_memory_before_building(const TaskEntry& entry,
                                    const Params& params,
                                    const std::string& params_path,
                                    const std::string& label,
                                    double held_by_earlier_tasks,
                                    double limit_bytes) {
  if (!entry.memory_need) return 0;
  MemoryNeed need;
  try {
    need = entry.memory_need(params);
  } catch (const ConfigError& e) {
    throw ConfigError(append_json_path(params_path, e.where()),
                      fmt::format("task '{}': {}", label, e.what()));
  }
  const std::string path = append_json_path(params_path, need.parameter);
  const std::string value =
      need.parameter.empty() || !params.json().contains(need.parameter)
          ? std::string()
          : fmt::format(", {} = {}", need.parameter,
                        params.json().at(need.parameter).dump());
  if (need.bytes > limit_bytes)
    throw ConfigError(
        path, fmt::format("task '{}' would allocate about {} when it is built "
                          "({}{}), before any cell runs; {}",
                          label, format_bytes(need.bytes), need.what, value,
                          limit_advice(limit_bytes)));
  if (held_by_earlier_tasks + need.bytes > limit_bytes)
    throw ConfigError(
        path,
        fmt::format("task '{}' would allocate about {} when it is built ({}{}) "
                    "and the suite's tasks before it hold about {}: every "
                    "task is built before any cell runs and kept for the "
                    "run, together about {}; split the suite, or {}",
                    label, format_bytes(need.bytes), need.what, value,
                    format_bytes(held_by_earlier_tasks),
                    format_bytes(held_by_earlier_tasks + need.bytes),
                    limit_advice(limit_bytes)));
  return need.bytes;
}

double task_memory(const TaskConfig& task) {
  const double data =
      doubles_bytes(static_cast<double>(task.task->data_size()) *
                    static_cast<double>(task.task->dim()));
  return std::max(task.memory_bytes, data);
}

CellMemory cell_memory(const Suite& suite, const TaskConfig& task,
                       const AlgorithmConfig& algorithm) {
  const double n = static_cast<double>(algorithm.algorithm->num_points());
  const Index dim = task.task->dim();
  const double d = static_cast<double>(dim);
  CellMemory out;
  out.points = doubles_bytes(kStateCopies * n * d);
  out.workspace = algorithm.algorithm->workspace_bytes(dim);
  if (reads_history(suite, task.task->kind()))
    out.history = algorithm.algorithm->history_bytes(
        dim, suite.budget.max_iterations.value_or(-1), suite.max_history_draws);
  if (needs_reference_draws(suite, task.task->kind()))
    out.reference = doubles_bytes(
        kReferenceCopies * static_cast<double>(suite.reference_draws) * d);
  return out;
}

void check_suite_memory(const Suite& suite) {
  const double limit = suite.max_cell_memory_bytes;
  double held = 0;
  for (const TaskConfig& task : suite.tasks) {
    const double bytes = task_memory(task);
    held += bytes;
    if (held > limit)
      throw ConfigError(
          task.json_path + "/params",
          fmt::format("task '{}' holds about {} once built (its declared "
                      "need, or its data of {} rows × {} columns), and the "
                      "suite's tasks together about {}: every task is built "
                      "before any cell runs and kept for the run; split the "
                      "suite, or {}",
                      task.label, format_bytes(bytes), task.task->data_size(),
                      task.task->dim(), format_bytes(held),
                      limit_advice(limit)));
  }
  for (const AlgorithmConfig& algorithm : suite.algorithms)
    for (const TaskConfig& task : suite.tasks) {
      if (task.task->kind() != algorithm.algorithm->kind() ||
          !incompatibility(*task.task, *algorithm.algorithm).empty())
        continue;
      const CellMemory cell = cell_memory(suite, task, algorithm);
      if (!(cell.total() > limit)) continue;
      const Index n = algorithm.algorithm->num_points();
      throw ConfigError(
          algorithm.json_path + "/params",
          fmt::format(
              "algorithm '{}' on task '{}' ({}) would need about {} per "
              "cell: {} for {} working copies of its {} points of dimension "
              "{}, {} of the algorithm's own workspace (such as n×n kernel "
              "matrices), {} of recorded chain history for the chain "
              "metrics (fewer with the suite's max_history_draws or the "
              "algorithm's record_every), {} "
              "for {} reference draws; use fewer points or a smaller task, "
              "or {}",
              algorithm.label, task.label, task.json_path,
              format_bytes(cell.total()), format_bytes(cell.points),
              kStateCopies, n, task.task->dim(), format_bytes(cell.workspace),
              format_bytes(cell.history), format_bytes(cell.reference),
              suite.reference_draws, limit_advice(limit)));
    }
}

std::string allocation_failure_details(const Suite& suite, const Cell& cell,
                                       CellActivity activity,
                                       const MetricConfig* metric,
                                       long long iteration) {
  const TaskConfig& task = suite.tasks[cell.task_index];
  const AlgorithmConfig& algorithm = suite.algorithms[cell.algorithm_index];
  const Index n = algorithm.algorithm->num_points();
  const Index d = task.task->dim();
  std::string doing;
  if (metric) {
    doing = fmt::format("computing metric '{}' at iteration {}", metric->name,
                        iteration);
  } else {
    switch (activity) {
      case CellActivity::reference_draws:
        doing = fmt::format("drawing the {} reference draws of dimension {}",
                            suite.reference_draws, d);
        break;
      case CellActivity::initial_points:
        doing =
            fmt::format("drawing the {} initial points of dimension {}", n, d);
        break;
      case CellActivity::starting:
        doing = fmt::format(
            "starting the algorithm (its workspaces for {} points of "
            "dimension {})",
            n, d);
        break;
      case CellActivity::stepping:
        doing =
            fmt::format("in the algorithm's step at iteration {}", iteration);
        break;
    }
  }
  const CellMemory estimate = cell_memory(suite, task, algorithm);
  return fmt::format(
      "it was {} ({}: task {}, algorithm {}); before the run its estimate "
      "was {} for the cell and {} for the suite's tasks, against a limit of "
      "{} per cell (max_cell_memory_gib), so the machine gave less than "
      "that or the estimate missed what failed",
      doing, suite.file, task.json_path, algorithm.json_path,
      format_bytes(estimate.total()), format_bytes(tasks_memory(suite)),
      format_bytes(suite.max_cell_memory_bytes));
}

}  // namespace vibench
