// Runs the cells of a suite in parallel (OpenMP over cells) and assembles
// the result document.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runner/suite.hpp"

namespace vibench {

// Where cells run: each in a child process with hard limits (the default),
// or in the runner's own process (no hard limits; a crash ends the run).
enum class CellIsolation { process, none };

// Cells run in child processes by default; in a build under clang 14's
// AddressSanitizer (scripts/sanitize_and_fuzz.sh) they run in-process
// instead. Its allocator takes no lock around fork (later LLVM releases
// do), so a cell's process forked while another runner thread allocates
// can wait forever on the lock that thread held at the fork.
#if defined(__SANITIZE_ADDRESS__)
#define VIBENCH_FORK_UNSAFE_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIBENCH_FORK_UNSAFE_ALLOCATOR 1
#endif
#endif
#ifdef VIBENCH_FORK_UNSAFE_ALLOCATOR
inline constexpr CellIsolation kDefaultCellIsolation = CellIsolation::none;
#else
inline constexpr CellIsolation kDefaultCellIsolation = CellIsolation::process;
#endif

// Seconds a cell's process may run past the suite's timeout_seconds before
// it is killed, unless RunOptions::kill_grace_seconds says otherwise: the
// cell's own check between steps records a soft timeout with its trace
// first, when its steps and metrics return in time.
double default_kill_grace(double timeout_seconds);

struct RunOptions {
  int jobs = 1;
  CellIsolation isolation = kDefaultCellIsolation;
  // Memory a cell's process may allocate beyond what the runner holds
  // (tasks, data, reference draws), in bytes; 0: no limit. Process
  // isolation only.
  std::uint64_t memory_limit_bytes = 0;
  // < 0: default_kill_grace(suite.timeout_seconds). Process isolation only.
  double kill_grace_seconds = -1;
  std::string output;   // result file; its journal sits beside it
  bool resume = false;  // reuse the finished records of an interrupted run
  // Reuse a journal written by another build (version, revision, compiler,
  // flags), whose records may differ from this build's.
  bool resume_other_build = false;
  std::string command_line;
  // How the cells were chosen (run --filter REGEX, --shard K/N), recorded in
  // the context as "filter" and "shard" when not empty, so that `vibench
  // merge` knows which cells a set of result files should cover.
  std::string filter;
  std::string shard;
  // Where reference posteriors of tasks without exact draws are cached.
  std::string reference_cache;  // empty: default_reference_cache()
  // One-line notes for the user (e.g. a reference posterior being computed).
  std::function<void(const std::string&)> on_message;
  // Called after each finished cell (from one thread at a time).
  std::function<void(const Json& record, size_t done, size_t total)> on_cell;
};

// Runs `cells` (a subset of expand_cells(suite), e.g. filtered) and writes
// the result document atomically to options.output. Records are in cell
// order whatever the number of jobs. Returns the document.
Json run_suite(const Suite& suite, const std::vector<Cell>& cells,
               const RunOptions& options);

// True when every record is ok or skipped.
bool all_ok(const Json& results);

}  // namespace vibench
