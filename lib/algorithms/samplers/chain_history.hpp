// The recording of a chain sampler's draws into State::history, for the
// chain metrics (R-hat, ESS: metrics/chain_metrics.cpp), shared by the
// native chain samplers (chain_sampler.hpp) and external ones that declare
// chains (external/external_algorithm.cpp).
//
// After `warmup` iterations, every `record_every`-th iteration's chains are
// kept. The history is bounded: when it holds `max_draws` draws and another
// is due, every other draw is dropped and the interval doubles, so it always
// holds the draws at every stride()-th iteration after the warm-up
// (record_every · 2^k), between max_draws/2 and max_draws of them — the
// whole run, thinned evenly, in memory that does not grow with the run.
// Both chain metrics need all the draws they see (ESS ranks them), so
// bounding the memory must thin; it is the thinning a user would choose
// with record_every, chosen as the run grows.
#pragma once

#include <vector>

#include "core/types.hpp"

namespace vibench {

// The suite's max_history_draws when it does not say: 10 000 draws per
// chain (Stan's default keeps 1000 after warm-up; posterior's diagnostics
// are usually read over a few thousand).
inline constexpr long long kDefaultMaxHistoryDraws = 10000;

class ChainHistory {
 public:
  // max_draws ≥ 2.
  ChainHistory(long long warmup, long long record_every, long long max_draws);

  // After iteration `iteration` (1 for the first) left the chains at
  // `points`: appends them to `history` if that iteration is recorded,
  // first thinning `history` if it is full.
  void record(long long iteration, const Matrix& points,
              std::vector<Matrix>& history);

  // Iterations between recorded draws now: record_every until the first
  // thinning.
  long long stride() const { return stride_; }

  // Draws kept by a run of at most `max_iterations` iterations (negative:
  // no such bound), at most max_draws.
  static long long draws_for(long long warmup, long long record_every,
                             long long max_draws, long long max_iterations);

 private:
  long long warmup_;
  long long stride_;
  long long max_draws_;
};

}  // namespace vibench
