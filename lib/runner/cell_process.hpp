// Runs a piece of work (one cell) in a child process with hard limits, so
// that nothing a cell does can take the run down with it or outlive its
// limits: the child is killed at a wall-time limit even inside a step or a
// metric, its address space is bounded, and a crash ends only the child.
//
// The child is a fork() of the runner, so it computes with the same code,
// data and memory image as an in-process run: its record is bit-identical.
// It returns its result through a pipe as CBOR, which carries doubles
// (and NaN) exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "core/params.hpp"
#include "runner/cell_outcome.hpp"

namespace vibench {

struct ProcessLimits {
  // Kill the child after this many seconds of wall time; <= 0: never.
  double wall_seconds = 0;
  // Address space the child may add to what it inherits (RLIMIT_AS), in
  // bytes; 0: no limit. An allocation beyond it fails with std::bad_alloc
  // inside the child.
  std::uint64_t memory_bytes = 0;
};

// How a child ended without returning its JSON: `timeout` when it was
// killed at the wall-time limit, `failed` otherwise (a signal, an exit
// status, an exception that escaped `work`, a malformed reply).
struct ChildFailure {
  CellStatus status = CellStatus::failed;
  std::string message;
};

// Runs `work` in a forked child under `limits` and returns the JSON it
// produced, or how the child ended. Called from any thread; the child runs
// single-threaded (OpenMP limited to one thread) and never returns into the
// caller's code: it exits with _exit.
std::variant<Json, ChildFailure> run_in_child_process(
    const std::function<Json()>& work, const ProcessLimits& limits);

}  // namespace vibench
