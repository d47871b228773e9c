// Uniform samples of distinct indices: minibatch rows, random supports.
#pragma once

#include <vector>

#include "core/rng.hpp"
#include "core/types.hpp"

namespace vibench {

// `count` distinct indices of [0, n), uniformly (Floyd's algorithm: O(count)
// whatever n), sorted so that a gather reads memory in order.
std::vector<Index> sample_distinct(Index n, Index count, Rng& rng);

}  // namespace vibench
