#include "runner/metric_plan.hpp"

#include <fmt/format.h>

#include "runner/cell_runner.hpp"

namespace vibench {

MetricPlan plan_metrics(const Suite& suite, const Task& task,
                        const TaskReference* reference) {
  MetricPlan plan;
  for (const auto& metric : suite.metrics) {
    if (!metric.entry->kinds.count(task.kind())) continue;
    if (metric.entry->reals_only && task.domain().name() != "reals") {
      plan.unavailable[metric.name] =
          fmt::format("defined only on R^d; the task's domain is the {}",
                      task.domain().name());
      continue;
    }
    if (metric.entry->unstructured_only) {
      std::string structure;
      for (Capability c : kStructuralCapabilities)
        if (imposes_structure(task, c)) structure = structure_description(c);
      if (!structure.empty()) {
        plan.unavailable[metric.name] = fmt::format(
            "not a stationarity measure on a task {}: it need not vanish at "
            "the optimum",
            structure);
        continue;
      }
    }
    std::vector<std::string> missing;
    for (Capability c : metric.entry->requirements)
      if (!task.offers(c)) missing.push_back(to_string(c));
    if (metric.entry->needs_reference_draws &&
        !task.offers(Capability::exact_draws)) {
      if (!task.offers(Capability::reference)) {
        missing.push_back("exact_draws or reference");
      } else if (!reference || reference->draws.rows() == 0) {
        plan.unavailable[metric.name] =
            reference && !reference->unavailable.empty()
                ? reference->unavailable
                : "no reference posterior was computed for this task";
        continue;
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      plan.unavailable[metric.name] = "the task does not offer " + list;
      continue;
    }
    plan.metrics.push_back(&metric);
    plan.needs_reference =
        plan.needs_reference || metric.entry->needs_reference_draws;
    plan.needs_average = plan.needs_average || metric.on_average;
    plan.needs_history = plan.needs_history || metric.entry->needs_history;
  }
  return plan;
}

}  // namespace vibench
