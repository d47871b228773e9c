// Runs one cell: the loop that every algorithm shares (budget, checkpoints,
// paused clock, divergence check, timeout), producing its result record.
#pragma once

#include "runner/suite.hpp"

namespace vibench {

// Status values of a cell record.
inline constexpr const char* kStatusOk = "ok";
inline constexpr const char* kStatusDiverged = "diverged";
inline constexpr const char* kStatusTimeout = "timeout";
inline constexpr const char* kStatusFailed = "failed";
inline constexpr const char* kStatusSkipped = "skipped";

// The JSON record of one cell. Never throws for problems of the cell itself:
// they become `failed` records with the message.
Json run_cell(const Suite& suite, const Cell& cell);

// The reason a (task, algorithm) pair cannot run, or "" when it can.
std::string incompatibility(const Task& task, const Algorithm& algorithm);

}  // namespace vibench
