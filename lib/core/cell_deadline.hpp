// The time limit of the cell the calling thread is running, for code that
// waits on something outside the runner's loop from inside an oracle (a
// density served by another process): such a wait must end with the cell,
// not hang it. The runner sets it for the extent of a cell; elsewhere (a
// metric computed by `vibench eval`, a test) there is none.
#pragma once

#include <chrono>
#include <optional>

namespace vibench {

using CellClock = std::chrono::steady_clock;

// The deadline of the cell running on this thread, if any.
std::optional<CellClock::time_point> current_cell_deadline();

// Sets this thread's cell deadline for its lifetime, restoring the one
// before.
class CellDeadlineScope {
 public:
  explicit CellDeadlineScope(CellClock::time_point deadline);
  ~CellDeadlineScope();
  CellDeadlineScope(const CellDeadlineScope&) = delete;
  CellDeadlineScope& operator=(const CellDeadlineScope&) = delete;

 private:
  std::optional<CellClock::time_point> previous_;
};

}  // namespace vibench
