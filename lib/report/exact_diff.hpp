// `vibench compare --exact`: whether a candidate reproduces a baseline bit
// for bit — every cell's status and every metric value at every checkpoint.
// CI uses it on its own suite, so that a change which silently moves the
// numbers fails even when the significance-gated verdict would pass it.
#pragma once

#include <string>
#include <vector>

#include "core/params.hpp"

namespace vibench {

struct ExactDifferences {
  std::vector<std::string> lines;  // one per moved value (up to the limit)
  size_t count = 0;                // all moved values
};

// Compares two result documents (same cells by id); `limit` caps the lines.
ExactDifferences exact_differences(const Json& baseline, const Json& candidate,
                                   size_t limit = 50);

}  // namespace vibench
