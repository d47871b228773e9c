// The memory a suite will need, estimated before anything is allocated and
// checked against a documented limit, so that `dim: 1e7` or
// `n_particles: 1e6` is an error naming the JSON path, the estimate, the
// limit and how to raise it, instead of a bare std::bad_alloc, an
// out-of-memory kill or hours of swapping.
//
// Two estimates, each bounded by the suite's max_cell_memory_gib:
// - what the suite's tasks hold together: every task is built before any
//   cell runs and kept for the run, shared by its cells. Before a task is
//   built its declared need (TaskEntry::memory_need: dense d×d matrices,
//   synthetic data) is checked; once built, its data (rows × columns) too;
// - what one cell allocates on top: kStateCopies working copies of its
//   num_points() × dim points, the algorithm's own workspace
//   (Algorithm::workspace_bytes: n×n kernel matrices), the chains' recorded
//   history when a metric reads it (Algorithm::history_bytes) and the
//   reference draws its metrics compare with.
// Both are estimates of the dominant terms, not bounds on the peak: they
// refuse sizes that cannot fit, and a cell that still runs out of memory
// says what it was allocating (allocation_failure_details).
#pragma once

#include <string>

#include "runner/suite.hpp"

namespace vibench {

// Arrays of the shape of a cell's points that an algorithm and the runner
// keep at once: the points, the initial copy, scores, a direction, two
// moments of an adaptive step, the iterate average and a metric's copy.
inline constexpr double kStateCopies = 8;
// Copies of the reference draws (reference_draws × dim) a cell holds: the
// draws and a metric's centred or sorted copy.
inline constexpr double kReferenceCopies = 2;

// "8 GiB", "2.91 PiB": binary units, three significant digits.
std::string format_bytes(double bytes);

// Before task `label` is built from `params` at `params_path`
// ("/tasks/0/params"): its declared need, added to what the tasks built
// before it hold (`held_by_earlier_tasks`), must stay within
// suite.max_cell_memory_bytes. Returns the need in bytes (0 when the task
// declares none). Throws ConfigError at params_path/<parameter>, naming the
// estimate, the limit and how to raise it; a ConfigError of the declaration
// itself (a data file that cannot be found) is located at params_path.
double check_memory_before_building(const TaskEntry& entry,
                                    const Params& params,
                                    const std::string& params_path,
                                    const std::string& label,
                                    double held_by_earlier_tasks,
                                    double limit_bytes);

// What one cell of (task, algorithm) allocates beyond the tasks, by part.
struct CellMemory {
  double points = 0;     // kStateCopies × num_points() × dim doubles
  double workspace = 0;  // Algorithm::workspace_bytes
  double history = 0;    // Algorithm::history_bytes, if a metric reads it
  double reference = 0;  // kReferenceCopies × reference_draws × dim doubles
  double total() const { return points + workspace + history + reference; }
};
CellMemory cell_memory(const Suite& suite, const TaskConfig& task,
                       const AlgorithmConfig& algorithm);

// Bytes a built task holds: its declared need, or its data (data_size()
// rows × dim() columns of doubles) when that is more.
double task_memory(const TaskConfig& task);

// After the suite is parsed: the tasks together, then every cell that
// would run (kinds match, the algorithm can run on the task), within
// suite.max_cell_memory_bytes. Throws ConfigError at the task's params or
// the algorithm's params.
void check_suite_memory(const Suite& suite);

// What a cell was doing when an allocation failed.
enum class CellActivity { reference_draws, initial_points, starting, stepping };

// The part of a failed cell's message after "out of memory": what it was
// allocating for (`metric`, when not null, was being computed), at which
// iteration, the cell's entries in the suite file, and the estimate it
// passed before the run with the limit.
std::string allocation_failure_details(const Suite& suite, const Cell& cell,
                                       CellActivity activity,
                                       const MetricConfig* metric,
                                       long long iteration);

}  // namespace vibench
