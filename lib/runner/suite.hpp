// A suite file, validated and expanded: tasks and algorithms (grids
// expanded), seeds, budget, checkpoints and metrics. Everything that can be
// wrong with a suite is found here, before any cell runs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "algorithms/samplers/chain_history.hpp"
#include "metrics/metric.hpp"
#include "runner/iterate_average.hpp"
#include "tasks/gradient_noise.hpp"
#include "tasks/task.hpp"

namespace vibench {

// Bounds checked before anything is expanded (documented in the README):
// configurations of one task or algorithm entry's grid, and cells of a
// suite (tasks × algorithms of their kind × seeds).
inline constexpr long long kMaxConfigurations = 100000;
inline constexpr long long kMaxCells = 1000000;
// The default of the suite's max_cell_memory_gib, in GiB: the memory one
// cell, and the suite's tasks together, may each be estimated to need
// before anything is allocated (runner/cell_memory.hpp); what a
// workstation gives one cell without swapping.
inline constexpr double kDefaultMaxCellMemoryGib = 8;
inline constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

// One task or algorithm configuration after grid expansion.
struct ComponentConfig {
  std::string name;
  std::string json_path;  // of its entry in the suite file
  Json params;            // effective: every declared parameter
  Json given;             // what the suite set (after grid expansion)
  std::string label;  // name plus given parameters, e.g. svgd{"step_size":0.1}
  // The entry's `label` template expanded for this configuration (see
  // report/display_labels.hpp); empty when the entry gives none.
  std::string display_label;
};

struct TaskConfig : ComponentConfig {
  const TaskEntry* entry = nullptr;
  std::shared_ptr<const Task> task;
  // What the task declared it would allocate when built (TaskEntry::
  // memory_need), in bytes; 0 when it declares nothing.
  double memory_bytes = 0;
  // Optional override of the task's initial distribution: N(mean, std² I).
  std::optional<Vector> init_mean;
  std::optional<double> init_std;
  Json init;  // as given, for the record
  // Additive noise on the task's first-order oracle ("noise"; tasks that
  // offer gradient_noise); inactive unless given.
  GradientNoise noise;
};

struct AlgorithmConfig : ComponentConfig {
  const AlgorithmEntry* entry = nullptr;
  std::shared_ptr<const Algorithm> algorithm;
};

struct MetricConfig {
  std::string name;
  const MetricEntry* entry = nullptr;
  Params settings;
  // Its `iterate` setting: on the last iterate (recorded as `name`), on the
  // runner's average (`name@average`), or both.
  bool on_last = true;
  bool on_average = false;
  // The names it is recorded under, in that order.
  std::vector<std::string> recorded_names() const;
};

struct Budget {
  std::optional<long long> max_iterations;
  std::optional<long long> max_grad_evals;
  // Bilevel cells: Counters::oracle_calls (sample-level gradients, HVPs and
  // cross products).
  std::optional<long long> max_oracle_calls;
  std::optional<double> max_seconds;
  Json to_json() const;
};

// Checkpoints on the iteration axis: every k iterations, or `log_spaced`
// points between 1 and max_iterations. Iteration 0 and the last iteration
// are always recorded.
struct CheckpointRule {
  long long every = 0;  // > 0: every k iterations
  int log_spaced = 0;   // > 0: that many log-spaced iterations
  // Without an iteration budget and no rule given: iterations 0..10, then
  // each about 10 % after the last (k + max(1, k/10)), so that a run of any
  // length (max_seconds alone) records about 24 checkpoints a decade —
  // 130 for 10⁶ iterations — instead of one every 10 iterations.
  bool geometric = false;
  Json to_json() const;
};

struct Suite {
  std::string file;  // for messages
  std::string name;
  std::string description;
  Json canonical;    // the suite with every default filled in
  std::string hash;  // of canonical, hex
  std::uint64_t seed = 0;
  std::vector<long long> replicates;
  std::vector<TaskConfig> tasks;
  std::vector<AlgorithmConfig> algorithms;
  std::vector<MetricConfig> metrics;
  Budget budget;
  CheckpointRule checkpoints;
  double timeout_seconds = 600;
  long long reference_draws = 1000;
  double divergence_threshold = 1e100;
  // The limit of the memory estimates (max_cell_memory_gib), in bytes. Not
  // part of the canonical suite: it changes no result, only which suites
  // are refused, so raising it keeps the hash (and --resume).
  double max_cell_memory_bytes = kDefaultMaxCellMemoryGib * kBytesPerGib;
  // How the runner averages iterates, for metrics with iterate = average or
  // both; `averaging_given`: the suite set it (only then is it part of the
  // canonical suite, so older suites keep their hash).
  AveragingRule averaging;
  bool averaging_given = false;
  // The most draws a chain sampler's history keeps for the chain metrics
  // (algorithms/samplers/chain_history.hpp); in the canonical suite only
  // when the suite sets it, so older suites keep their hash.
  long long max_history_draws = kDefaultMaxHistoryDraws;
  std::vector<std::string> warnings;  // valid but probably not intended
};

// One (task, algorithm, replicate) of a suite.
struct Cell {
  std::string id;
  size_t task_index = 0;
  size_t algorithm_index = 0;
  long long replicate = 0;
  std::uint64_t init_seed = 0;       // initial points and reference draws
  std::uint64_t algorithm_seed = 0;  // the algorithm's own randomness
};

// Reads and validates a suite file; throws ConfigError naming the JSON path.
Suite load_suite(const std::string& path);
Suite parse_suite(const Json& document, const std::string& file);

// Every (task, algorithm, replicate) with matching kinds, in suite order:
// tasks, then algorithms, then replicates.
std::vector<Cell> expand_cells(const Suite& suite);

// Iterations at which a checkpoint is recorded, up to `max_iterations`
// (used when the rule is log-spaced).
bool is_checkpoint(const CheckpointRule& rule, long long iteration,
                   const std::vector<long long>& log_iterations);
std::vector<long long> log_spaced_iterations(int count,
                                             long long max_iterations);
// The geometric rule's iterations (CheckpointRule::geometric), up to 2^62.
std::vector<long long> geometric_iterations();
// The iterations a log-spaced or geometric rule checkpoints at (empty for
// `every`), for is_checkpoint.
std::vector<long long> checkpoint_iterations(const CheckpointRule& rule,
                                             long long max_iterations);

}  // namespace vibench
