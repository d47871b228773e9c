#include "core/distinct_sample.hpp"

#include <algorithm>
#include <unordered_set>

namespace vibench {

std::vector<Index> sample_distinct(Index n, Index count, Rng& rng) {
  std::unordered_set<Index> chosen;
  chosen.reserve(static_cast<size_t>(count) * 2);
  std::vector<Index> out;
  out.reserve(static_cast<size_t>(count));
  // Floyd: for j = n − count … n − 1 pick t in [0, j]; if t was chosen
  // before, j (which cannot have been) is taken instead.
  for (Index j = n - count; j < n; ++j) {
    const Index t = rng.index(j + 1);
    const Index pick = chosen.insert(t).second ? t : j;
    if (pick == j) chosen.insert(j);
    out.push_back(pick);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vibench
