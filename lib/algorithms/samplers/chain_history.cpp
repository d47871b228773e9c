#include "algorithms/samplers/chain_history.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <utility>

namespace vibench {

ChainHistory::ChainHistory(long long warmup, long long record_every,
                           long long max_draws)
    : warmup_(warmup), stride_(record_every), max_draws_(max_draws) {
  if (warmup < 0 || record_every < 1 || max_draws < 2)
    throw std::invalid_argument(
        "ChainHistory: needs warmup >= 0, record_every >= 1, max_draws >= 2");
}

void ChainHistory::record(long long iteration, const Matrix& points,
                          std::vector<Matrix>& history) {
  const long long kept = iteration - warmup_;
  if (kept <= 0 || kept % stride_ != 0) return;
  if (static_cast<long long>(history.size()) >= max_draws_) {
    // The draws are at kept = stride, 2·stride, …: those at odd multiples
    // go, the others move to the front, and the stride doubles.
    std::size_t out = 0;
    for (std::size_t i = 1; i < history.size(); i += 2)
      history[out++] = std::move(history[i]);
    history.resize(out);
    stride_ *= 2;
    if (kept % stride_ != 0) return;
  }
  history.push_back(points);
}

long long ChainHistory::draws_for(long long warmup, long long record_every,
                                  long long max_draws,
                                  long long max_iterations) {
  if (max_iterations < 0) return max_draws;
  const long long after_warmup = std::max(0LL, max_iterations - warmup);
  return std::min(max_draws, after_warmup / record_every);
}

}  // namespace vibench
