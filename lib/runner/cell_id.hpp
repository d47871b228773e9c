// The id of a cell, as results, journals, --filter and merge spell it.
#pragma once

#include <fmt/format.h>

#include <string>

namespace vibench {

// "TASK_LABEL|ALGORITHM_LABEL|rREPLICATE".
inline std::string cell_id(const std::string& task_label,
                           const std::string& algorithm_label,
                           long long replicate) {
  return fmt::format("{}|{}|r{}", task_label, algorithm_label, replicate);
}

}  // namespace vibench
