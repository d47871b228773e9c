// Runs one cell: the loop that every algorithm shares (budget, checkpoints,
// paused clock, divergence check, timeout), producing its result record.
#pragma once

#include "runner/cell_outcome.hpp"
#include "runner/suite.hpp"

namespace vibench {

// The reference posterior of a task without exact draws, loaded or computed
// once per suite run (lib/reference), or why there is none.
struct TaskReference {
  Matrix draws;             // pooled NUTS draws; empty when unavailable
  std::string key;          // the cache key, recorded in each cell
  std::string unavailable;  // why there are no draws, e.g. failed checks
};

// The JSON record of one cell. Never throws for problems of the cell itself:
// they become `failed` records with the message. `reference` is the task's
// reference posterior when metrics need draws of a task without exact draws.
Json run_cell(const Suite& suite, const Cell& cell,
              const TaskReference* reference = nullptr);

// The message of a cell that ran out of memory (std::bad_alloc).
inline constexpr char kCellOutOfMemoryMessage[] =
    "out of memory (std::bad_alloc) while running the cell: the task's or "
    "algorithm's sizes (particles, dimension, data) need more memory than "
    "the machine gives";

// The record of a cell that ended without producing one itself (its
// process killed at the hard time limit, or crashed): which cell it is, how
// it ended, and an empty trace, in the shape of every other record.
Json abnormal_cell_record(const Suite& suite, const Cell& cell,
                          CellStatus status, const std::string& message,
                          double wall_seconds);

// Whether a metric of `suite` needs draws of task `task_index` that only a
// reference posterior can give (no exact draws, but a reference).
bool needs_reference_posterior(const Suite& suite, size_t task_index);

// Writes the suite's display labels of the cell's task and algorithm into
// its record (or removes them where the suite gives none): presentation
// only, out of the suite hash and the cell id, so a record resumed from a
// journal takes the labels of the suite as it is now.
void set_display_labels(const Suite& suite, const Cell& cell, Json& record);

// The reason a (task, algorithm) pair cannot run, or "" when it can.
std::string incompatibility(const Task& task, const Algorithm& algorithm);

}  // namespace vibench
