// The exact median of a large collection of non-negative doubles (squared
// pairwise distances, for the bandwidth heuristics) without sorting it and
// without necessarily holding it: a radix select on the values' bit
// patterns, which for non-negative IEEE doubles order like the values.
//
// The collection is given by a visitor, `visit(sink)`, which calls
// sink(value) once for each value, and must produce the same multiset on
// every call (a visit may recompute the values, e.g. distances a block at a
// time). A first visit finds the range of the keys; the next counts the
// values in 65536 equal slices of that range, which finds the slice holding
// the middle ranks; while that slice holds more than `max_in_memory` values,
// further visits split it again; then one visit gathers its values and they
// are selected in memory (std::nth_element). Typically three cheap visits
// and a selection among a small fraction of the values, against one
// nth_element over all of them: the result is the same number, an order
// statistic being unique.
//
// The pairwise medians of the bandwidth rules go through PairwiseMedian
// (core/pairwise_median.hpp), one pass over the values as they are
// produced; this select is its fallback when its sampled bracket misses.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace vibench {

// Sort key of a value ≥ 0 (or NaN): its bit pattern, with −0 mapped to +0.
// NaN (any sign) sorts above +∞. Negative values are outside the contract.
inline std::uint64_t order_key(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits &= ~(std::uint64_t{1} << 63);
  return bits;
}

inline double value_of_key(std::uint64_t key) {
  double value;
  std::memcpy(&value, &key, sizeof value);
  return value;
}

// Scratch space of the selections (this radix select and the one-pass
// PairwiseMedian of core/pairwise_median.hpp), reused across calls so that
// repeated medians of the same size do not allocate.
struct SelectionScratch {
  std::vector<double> candidates;
  std::vector<std::uint32_t> histogram;
  std::vector<std::uint64_t> sample_keys;     // PairwiseMedian's sample
  std::vector<std::uint64_t> bracketed_keys;  // and the keys in its bracket
};

// The median of the `count` values produced by `visit` (for an even count,
// the mean of the two middle values; 0 for an empty collection). Below
// kDirectSelectionCount values one visit gathers them all at once.
inline constexpr std::uint64_t kDirectSelectionCount = std::uint64_t{1} << 15;

template <class Visit>
double median_of_nonnegative(Visit&& visit, std::uint64_t count,
                             std::uint64_t max_in_memory,
                             SelectionScratch& scratch) {
  if (count == 0) return 0.0;
  constexpr std::uint64_t kBuckets = std::uint64_t{1} << 16;
  // The middle ranks: `rank` (0-based) and, for an even count, rank − 1.
  std::uint64_t rank = count / 2;  // rank among the candidates [low, high]
  std::uint64_t low = 0, high = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t candidates = count;
  if (count > kDirectSelectionCount) {
    // The keys' range first, so that the slices split the occupied range
    // (distances in high dimension crowd into a sliver of one octave).
    std::uint64_t min_key = high, max_key = 0;
    visit([&](double value) {
      const std::uint64_t key = order_key(value);
      min_key = std::min(min_key, key);
      max_key = std::max(max_key, key);
    });
    low = min_key;
    high = max_key;
    std::vector<std::uint32_t>& histogram = scratch.histogram;
    histogram.resize(kBuckets);
    // At least one counting visit (a gather of everything would be the
    // full selection again), then more while the slice does not fit.
    bool counted = false;
    while ((!counted || candidates > max_in_memory) && high > low) {
      counted = true;
      int shift = 0;
      while (((high - low) >> shift) >= kBuckets) ++shift;
      std::fill(histogram.begin(), histogram.end(), 0);
      visit([&](double value) {
        const std::uint64_t key = order_key(value);
        if (key >= low && key <= high) ++histogram[(key - low) >> shift];
      });
      std::uint64_t bucket = 0, below = 0;
      while (below + histogram[bucket] <= rank) below += histogram[bucket++];
      rank -= below;
      candidates = histogram[bucket];
      low += bucket << shift;
      high = std::min(high, low + ((std::uint64_t{1} << shift) - 1));
    }
  }
  double upper, lower;
  if (high == low) {
    // One key left: every candidate is the same value.
    upper = value_of_key(low);
    lower = upper;
    if (rank == 0 && count % 2 == 0) {
      std::uint64_t below_key = 0;
      visit([&](double value) {
        const std::uint64_t key = order_key(value);
        if (key < low) below_key = std::max(below_key, key);
      });
      lower = value_of_key(below_key);
    }
  } else {
    // Gather the candidates, noting the largest value below them (rank − 1
    // when the middle rank is the smallest candidate).
    std::vector<double>& buffer = scratch.candidates;
    buffer.clear();
    buffer.reserve(static_cast<size_t>(candidates));
    std::uint64_t below_key = 0;
    visit([&](double value) {
      const std::uint64_t key = order_key(value);
      if (key < low)
        below_key = std::max(below_key, key);
      else if (key <= high)
        buffer.push_back(value);
    });
    const auto nth = buffer.begin() + static_cast<std::ptrdiff_t>(rank);
    std::nth_element(buffer.begin(), nth, buffer.end());
    upper = *nth;
    lower = rank > 0 ? *std::max_element(buffer.begin(), nth)
                     : value_of_key(below_key);
  }
  if (count % 2 == 1) return upper;
  return 0.5 * (upper + lower);
}

}  // namespace vibench
