#include "core/cell_deadline.hpp"

namespace vibench {
namespace {
thread_local std::optional<CellClock::time_point> cell_deadline;
}  // namespace

std::optional<CellClock::time_point> current_cell_deadline() {
  return cell_deadline;
}

CellDeadlineScope::CellDeadlineScope(CellClock::time_point deadline)
    : previous_(cell_deadline) {
  cell_deadline = deadline;
}

CellDeadlineScope::~CellDeadlineScope() { cell_deadline = previous_; }

}  // namespace vibench
