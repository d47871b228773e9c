// How a cell ended, typed: the runner's loop is controlled by these, and
// the record's "status" and "stopped_by" strings are written from them.
#pragma once

#include <string>

namespace vibench {

enum class CellStatus { ok, diverged, timeout, failed, skipped };
const char* to_string(CellStatus status);

// Which budget limit ended an ok cell (none: it ended otherwise).
enum class StopReason {
  none,
  max_iterations,
  max_grad_evals,
  max_oracle_calls,
  max_seconds
};
const char* to_string(StopReason reason);  // "" for none

struct CellOutcome {
  CellStatus status = CellStatus::ok;
  std::string message;
  StopReason stopped_by = StopReason::none;
  void end(CellStatus s, std::string why) {
    status = s;
    message = std::move(why);
  }
};

}  // namespace vibench
