// Which of a suite's metrics a cell computes, and why the others cannot be
// computed on its task (recorded under diagnostics.metrics_unavailable).
#pragma once

#include "runner/suite.hpp"

namespace vibench {

struct TaskReference;

struct MetricPlan {
  std::vector<const MetricConfig*> metrics;  // computed, in suite order
  Json unavailable = Json::object();         // metric name → reason
  bool needs_reference = false;              // some metric compares with draws
  bool needs_average = false;  // some metric asks for the averaged iterate
  bool needs_history = false;  // some metric reads State::history
};

// `reference` is the task's reference posterior when it has one (else null).
MetricPlan plan_metrics(const Suite& suite, const Task& task,
                        const TaskReference* reference);

}  // namespace vibench
