// The exact median of the n(n − 1)/2 values of the pairs of n points
// (squared distances, for the bandwidth rules) in one pass over the values
// as they are produced, rather than a selection over them afterwards.
//
// Before the pass, the values of a few thousand pairs drawn at random place
// a bracket [low, high] of keys (core/order_statistics.hpp) around the
// middle ranks: order statistics of the sample, four standard deviations of
// the sample median's rank either side of the middle. The pass counts the
// values below the bracket and keeps the keys inside it, without a branch
// (core/bracketed_keys.hpp: a vector compress with the native kernels, on a
// column still in cache); afterwards the
// middle ranks are selected among the kept keys, a few percent of the
// values. The counts prove whether the bracket held both middle ranks. It
// does except with probability about 10⁻⁴ (the pairs are drawn uniformly,
// from a fixed seed, so this holds for any data not arranged against that
// seed); when it does not, or when ties at the bracket overflow its buffer,
// the radix select of core/order_statistics.hpp runs over the values again.
// Either way the result is the median itself, the number
// median_of_nonnegative returns: the sample decides only how fast it is
// found, never what is found.
//
// Why a sampled bracket rather than a histogram of the keys: a histogram is
// only resolved after the last value, so a second pass must gather the
// values of the bucket that holds the median; the bracket is known before
// the first value, so the one pass that produces the values also counts and
// gathers them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/bracketed_keys.hpp"
#include "core/order_statistics.hpp"
#include "core/types.hpp"

namespace vibench {

class PairwiseMedian {
 public:
  // Starts the median of the values of the pairs i > j of `points` points.
  // pair_value(i, j), for i > j, returns one pair's value: it is called
  // here, for the sampled pairs, when there are more pairs than
  // kDirectSelectionCount (with fewer, every value is kept and selected).
  // It need not equal bit for bit the value later given to add(), since it
  // only places the bracket. At most `max_in_memory` keys are kept (beyond,
  // the bracket is given up for the radix select, itself bounded by it).
  // `scratch` holds the buffers across selections: once they have grown to
  // a size, selections of that size do not allocate.
  template <class PairValue>
  PairwiseMedian(
      Index points, PairValue&& pair_value, SelectionScratch& scratch,
      std::uint64_t max_in_memory = std::numeric_limits<std::uint64_t>::max());

  // The values of the next `size` pairs, in any order; every pair once over
  // all the calls.
  void add(const double* values, std::size_t size);

  // The median of the values given to add(), as median_of_nonnegative
  // defines it: for an even count, the mean of the two middle values; 0
  // without pairs. visit(sink), as for median_of_nonnegative, calls
  // sink(value) for the value of every pair; it is called only when the
  // bracket missed.
  template <class Visit>
  double finish(Visit&& visit);

 private:
  // The bracket's half-width, in standard deviations of the sample's middle
  // rank: the middle ranks fall outside with probability about 2Φ(−4),
  // 6·10⁻⁵.
  static constexpr double kBracketDeviations = 4.0;
  // Values added between checks of the kept keys' buffer: the buffer has
  // this much room beyond its capacity, so that a chunk is written without
  // a check per value.
  static constexpr std::size_t kChunk = 256;
  // Keys above this one are NaN (order_key sorts them above +∞).
  static constexpr std::uint64_t kInfinityKey = 0x7ff0000000000000;
  // Seed of the sampled pairs: fixed, so that a selection's cost is
  // reproducible.
  static constexpr std::uint64_t kSampleSeed = 0x5eed'a11d'ba5e'ca5e;

  template <class PairValue>
  void place_bracket(Index points, PairValue& pair_value);

  // About count^(2/3)/2 pairs (Floyd and Rivest's order, which balances the
  // sample's random reads against the selection among the kept keys), from
  // 2^10 to 2^18.
  static std::size_t sample_size(std::uint64_t count) {
    const double root = std::cbrt(static_cast<double>(count));
    return static_cast<std::size_t>(
        std::clamp(0.5 * root * root, 1024.0, 262144.0));
  }

  // splitmix64.
  static std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  // A pair i > j of n ≥ 2 points, uniform over the n(n − 1)/2 pairs, from
  // 64 random bits: a in [0, n) and b in [0, n) \ {a}, each from 32 bits by
  // a multiply-shift (bias below n/2³², immaterial to a bracket).
  static std::pair<Index, Index> random_pair(std::uint64_t bits, Index n) {
    const auto size = static_cast<std::uint64_t>(n);
    const std::uint64_t a = ((bits >> 32) * size) >> 32;
    std::uint64_t b = ((bits & 0xffffffff) * (size - 1)) >> 32;
    if (b >= a) ++b;
    return {static_cast<Index>(std::max(a, b)),
            static_cast<Index>(std::min(a, b))};
  }

  SelectionScratch& scratch_;
  std::uint64_t count_;  // pairs
  std::uint64_t max_in_memory_;
  std::uint64_t seen_ = 0;   // values given to add()
  std::uint64_t below_ = 0;  // of them, those with a key below the bracket
  // The bracket: the keys k with k − low_ ≤ width_ (unsigned), i.e. low_ ≤
  // k ≤ low_ + width_. Without a sample, every key.
  std::uint64_t low_ = 0;
  std::uint64_t width_ = std::numeric_limits<std::uint64_t>::max();
  std::size_t kept_ = 0;      // keys kept in scratch_.bracketed_keys
  std::size_t capacity_ = 0;  // keys kept before the bracket is given up
  bool bracketing_ = true;    // false once given up: finish() visits
};

template <class PairValue>
PairwiseMedian::PairwiseMedian(Index points, PairValue&& pair_value,
                               SelectionScratch& scratch,
                               std::uint64_t max_in_memory)
    : scratch_(scratch),
      count_(points < 2 ? 0
                        : static_cast<std::uint64_t>(points) *
                              static_cast<std::uint64_t>(points - 1) / 2),
      max_in_memory_(max_in_memory) {
  if (count_ > kDirectSelectionCount)
    place_bracket(points, pair_value);
  else
    capacity_ = static_cast<std::size_t>(count_);
  if (capacity_ > max_in_memory_) bracketing_ = false;
  if (!bracketing_) return;
  std::vector<std::uint64_t>& kept = scratch_.bracketed_keys;
  if (kept.size() < capacity_ + kChunk) kept.resize(capacity_ + kChunk);
}

template <class PairValue>
void PairwiseMedian::place_bracket(Index points, PairValue& pair_value) {
  const std::size_t size = sample_size(count_);
  std::vector<std::uint64_t>& sample = scratch_.sample_keys;
  if (sample.size() < size) sample.resize(size);
  std::uint64_t state = kSampleSeed;
  for (std::size_t t = 0; t < size; ++t) {
    const auto [i, j] = random_pair(next_random(state), points);
    sample[t] = order_key(pair_value(i, j));
  }
  // The sample's middle rank q·s (q the population's middle rank over the
  // count) has a standard deviation of √(s·q(1 − q)) ranks; one more rank
  // each side for the even count's lower middle value.
  const double s = static_cast<double>(size);
  const double q =
      static_cast<double>(count_ / 2) / static_cast<double>(count_);
  const double spread = kBracketDeviations * std::sqrt(s * q * (1.0 - q)) + 1;
  const auto first =
      static_cast<std::ptrdiff_t>(std::max(0.0, std::floor(q * s - spread)));
  const auto last =
      static_cast<std::ptrdiff_t>(std::min(s - 1.0, std::ceil(q * s + spread)));
  const auto begin = sample.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(size);
  std::nth_element(begin, begin + first, end);
  // Read before the next selection, which reorders everything from `first`
  // on (the first rank among them too).
  const std::uint64_t low = begin[first];
  // Everything from `first` on is at least `low`: the last rank is selected
  // among those.
  std::nth_element(begin + first, begin + last, end);
  const std::uint64_t high = begin[last];
  if (high > kInfinityKey) {
    // NaN at the bracket's end: the radix select orders NaN keys.
    bracketing_ = false;
    return;
  }
  low_ = low;
  width_ = high - low_;
  // Twice the expected number of kept keys: the fraction of the values in
  // the bracket varies by a few percent of itself between samples.
  const double expected =
      static_cast<double>(count_) * static_cast<double>(last - first + 1) / s;
  capacity_ = static_cast<std::size_t>(2.0 * expected) + kChunk;
}

inline void PairwiseMedian::add(const double* values, std::size_t size) {
  seen_ += size;
  if (!bracketing_) return;
  std::uint64_t* const kept = scratch_.bracketed_keys.data();
  const std::uint64_t low = low_, width = width_;
  std::size_t taken = kept_;
  std::uint64_t below = 0;
  for (std::size_t start = 0; start < size; start += kChunk) {
    // A chunk writes at most kChunk keys, the buffer's room beyond
    // capacity_.
    if (taken > capacity_) {
      bracketing_ = false;
      return;
    }
    const std::size_t end = std::min(size, start + kChunk);
    taken = keep_bracketed_keys(values + start, end - start, low, width, kept,
                                taken, below);
  }
  kept_ = taken;
  below_ += below;
}

template <class Visit>
double PairwiseMedian::finish(Visit&& visit) {
  if (seen_ != count_)
    throw std::logic_error("PairwiseMedian: " + std::to_string(seen_) +
                           " values given for " + std::to_string(count_) +
                           " pairs");
  if (count_ == 0) return 0.0;
  // The middle ranks (0-based): count/2, and count/2 − 1 for an even count.
  const std::uint64_t upper_rank = count_ / 2;
  const std::uint64_t lower_rank =
      count_ % 2 == 0 ? upper_rank - 1 : upper_rank;
  // The kept keys hold the ranks below_ … below_ + kept_ − 1.
  if (bracketing_ && below_ <= lower_rank && upper_rank < below_ + kept_) {
    const auto first = scratch_.bracketed_keys.begin();
    const auto nth = first + static_cast<std::ptrdiff_t>(upper_rank - below_);
    std::nth_element(first, nth, first + static_cast<std::ptrdiff_t>(kept_));
    const double upper = value_of_key(*nth);
    if (count_ % 2 == 1) return upper;
    // lower_rank ≥ below_: the lower middle value is among the kept keys
    // before nth (at least one).
    const double lower = value_of_key(*std::max_element(first, nth));
    return 0.5 * (upper + lower);
  }
  return median_of_nonnegative(visit, count_, max_in_memory_, scratch_);
}

// The median of the squared distances between the rows of `points`, each
// unordered pair once, when the distances are recomputed rather than held:
// for_each_run(run) calls run(values, size) on runs of consecutive values
// that cover every pair once, and is called once, or again only if the
// sampled bracket misses (the radix select's visits). At most
// `max_in_memory` keys are held (by default 2^22, 32 MB; more than this
// cost further visits of the pairs instead).
// A caller that selects repeatedly (a step of a particle method) passes
// its own `scratch`, so that its key buffers are allocated once.
inline constexpr std::uint64_t kRecomputedPairsMaxKeys = std::uint64_t{1} << 22;
template <class ForEachRun>
double median_of_recomputed_pairs(
    const Matrix& points, ForEachRun&& for_each_run, SelectionScratch& scratch,
    std::uint64_t max_in_memory = kRecomputedPairsMaxKeys) {
  // Point i as column i, so that a sampled pair reads two contiguous runs.
  const Matrix by_column = points.transpose();
  PairwiseMedian selection(
      points.rows(),
      [&by_column](Index i, Index j) {
        return (by_column.col(i) - by_column.col(j)).squaredNorm();
      },
      scratch, max_in_memory);
  for_each_run([&selection](const double* values, Index size) {
    selection.add(values, static_cast<std::size_t>(size));
  });
  return selection.finish([&for_each_run](auto&& sink) {
    for_each_run([&sink](const double* values, Index size) {
      for (Index v = 0; v < size; ++v) sink(values[v]);
    });
  });
}
template <class ForEachRun>
double median_of_recomputed_pairs(
    const Matrix& points, ForEachRun&& for_each_run,
    std::uint64_t max_in_memory = kRecomputedPairsMaxKeys) {
  SelectionScratch scratch;
  return median_of_recomputed_pairs(
      points, std::forward<ForEachRun>(for_each_run), scratch, max_in_memory);
}

// visit(sink) over the entries below the diagonal of a square matrix, each
// unordered pair once: PairwiseMedian::finish's fallback for a matrix of
// pairwise values.
template <class SquareMatrix>
auto strictly_lower_visit(const SquareMatrix& m) {
  return [&m](auto&& sink) {
    const auto n = m.rows();
    for (decltype(m.rows()) j = 0; j < n; ++j)
      for (decltype(m.rows()) i = j + 1; i < n; ++i) sink(m(i, j));
  };
}

// The median of the entries below the diagonal of a square matrix (each
// unordered pair once), e.g. symmetric squared distances: PairwiseMedian
// over the matrix's columns, after the fact (a producer of the values
// should call PairwiseMedian itself, as it produces them).
inline double median_below_diagonal(const Matrix& m,
                                    SelectionScratch& scratch) {
  const Index n = m.rows();
  PairwiseMedian median(
      n, [&m](Index i, Index j) { return m(i, j); }, scratch);
  for (Index j = 0; j + 1 < n; ++j)
    median.add(m.col(j).data() + j + 1, static_cast<std::size_t>(n - j - 1));
  return median.finish(strictly_lower_visit(m));
}

}  // namespace vibench
