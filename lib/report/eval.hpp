// `vibench eval` and `vibench reference`: distribution metrics of samples
// produced by other tools, against a task's ground truth.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "metrics/metric.hpp"
#include "tasks/task.hpp"

namespace vibench {

// A task named on the command line.
struct TaskSpec {
  std::string name;
  Json params;  // effective: every declared parameter
  std::shared_ptr<const Task> task;
};

// Parses a TASK-SPEC: `name`, `name{JSON params}` (e.g.
// gmm{"preset":"ring8"}), or the path of a JSON file holding
// {"name": ..., "params": {...}}. Validates the name and the parameters;
// ConfigError messages name the parameter and suggest the closest names.
TaskSpec parse_task_spec(const std::string& spec);

// A metric named on the command line, with its settings.
struct EvalMetric {
  const MetricEntry* entry = nullptr;
  Params settings;
};

// Parses "m1,m2{JSON settings},..." (commas inside braces do not split).
// Empty `list`: every registered distribution metric the task supports.
// Unknown names, metrics of other task kinds and metrics the task cannot
// support are ConfigErrors. With `reference_file`, metrics that need
// reference draws apply to every task (the file supplies them). A metric's
// former name (mmd for mmd2) is accepted, and a note appended to `notes`.
std::vector<EvalMetric> parse_eval_metrics(
    const std::string& list, const TaskSpec& spec, bool reference_file = false,
    std::vector<std::string>* notes = nullptr);

struct EvalOptions {
  long long reference_draws = 1000;  // for metrics that need draws
  std::uint64_t seed = 0;            // of exact reference draws
  // Tasks without exact draws use their NUTS reference posterior, cached
  // here (lib/reference), thinned to reference_draws.
  std::filesystem::path reference_cache;
  // Reference draws from this file instead (reference_draws_file.hpp),
  // every one of them, or evenly thinned to reference_draws when
  // thin_reference_file.
  std::filesystem::path reference_draws_file;
  bool thin_reference_file = false;
  std::function<void(const std::string&)> on_message;  // progress notes
};

// Computes each metric on `samples` (one draw per row). Returns
//   {task, params, dim, n_samples, metrics: {name: value or null},
//    settings: {name: settings}, reference_draws, seed, reference,
//    vibench_version}.
// reference_draws and seed are null when no metric uses reference draws;
// reference is the reference posterior's cache key, or for a file
// {file, format, matched, content_hash, draws}. `reference_used`, when
// given, receives the reference draws the metrics were computed against
// (empty when none was needed).
Json evaluate_samples(const TaskSpec& spec, const Matrix& samples,
                      const std::vector<EvalMetric>& metrics,
                      const EvalOptions& options,
                      Matrix* reference_used = nullptr);

// `n` draws of the task: exact draws with `seed` (n = 0: 1000), or for a
// task with a reference posterior `n` of its NUTS draws evenly thinned
// (n = 0: all of them) (loaded from, or
// computed into, options.reference_cache; `seed` is not used). ConfigError
// when the task is not a distribution, offers neither, or `n` exceeds the
// reference's draws; ReferenceCheckFailed when NUTS fails its checks.
Matrix reference_draws(const TaskSpec& spec, long long n, std::uint64_t seed,
                       const EvalOptions& options = {});

// The task as a distribution; ConfigError for other kinds, naming `command`.
void require_distribution(const TaskSpec& spec, const std::string& command);

}  // namespace vibench
