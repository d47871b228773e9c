// The radix-select median against a full sort of the same values, on the
// shapes of data that stress it: few values, ties, all equal, zeros of both
// signs, values packed into one 1/65536 slice of keys, and collections
// larger than the in-memory limit (several refining visits). Then the
// one-pass PairwiseMedian against std::nth_element, bit for bit, on the same
// shapes and on subnormals, through each of its paths.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "core/order_statistics.hpp"
#include "core/pairwise_median.hpp"
#include "core/types.hpp"

using namespace vibench;

namespace {

double sorted_median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// The median by radix select over `values`, counting the visits.
double radix_median(const std::vector<double>& values,
                    std::uint64_t max_in_memory, int* visits = nullptr) {
  SelectionScratch scratch;
  int calls = 0;
  const auto visit = [&](auto&& sink) {
    ++calls;
    for (double v : values) sink(v);
  };
  const double m =
      median_of_nonnegative(visit, values.size(), max_in_memory, scratch);
  if (visits) *visits = calls;
  return m;
}

}  // namespace

TEST_CASE("order statistics: radix-select median equals the sorted median") {
  std::mt19937_64 gen(7);
  std::exponential_distribution<double> exponential(0.3);
  for (size_t n : {1, 2, 3, 10, 1000, 40000, 40001, 100000}) {
    std::vector<double> values(n);
    for (double& v : values) v = exponential(gen);
    INFO("n = " << n);
    // Bit-identical: the same order statistics, the same mean.
    CHECK(radix_median(values, n) == sorted_median(values));
    CHECK(radix_median(values, 64) == sorted_median(values));
  }
  std::vector<double> none;
  CHECK(radix_median(none, 10) == 0.0);
}

TEST_CASE("order statistics: ties, zeros, one packed slice, equal values") {
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<int> small(0, 5);
  std::normal_distribution<double> normal;
  const size_t n = 50000;  // above the direct-selection count
  std::vector<double> ties(n), packed(n), zeros(n), equal(n, 2.5);
  for (size_t i = 0; i < n; ++i) {
    ties[i] = small(gen);
    // 1 + 1e-9·|z|: every key shares its top 32 bits.
    packed[i] = 1.0 + 1e-9 * std::abs(normal(gen));
    zeros[i] = i % 3 == 0 ? 0.0 : (i % 3 == 1 ? -0.0 : 1.0 + i);
  }
  for (const auto* values : {&ties, &packed, &zeros, &equal}) {
    CHECK(radix_median(*values, n) == sorted_median(*values));
    CHECK(radix_median(*values, 16) == sorted_median(*values));
  }
  // Even count with the two middle ranks on either side of a slice boundary:
  // half the values 1, half 2.
  std::vector<double> halves(n);
  for (size_t i = 0; i < n; ++i) halves[i] = i < n / 2 ? 1.0 : 2.0;
  CHECK(radix_median(halves, n) == 1.5);
  CHECK(radix_median(halves, 1) == 1.5);
}

TEST_CASE("order statistics: three visits suffice when the slice fits") {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> uniform(0.0, 100.0);
  std::vector<double> values(200000);
  for (double& v : values) v = uniform(gen);
  int visits = 0;
  CHECK(radix_median(values, values.size(), &visits) == sorted_median(values));
  CHECK(visits == 3);  // the range, one count, one gather
  // With room for only a few values, more refining visits, same answer.
  CHECK(radix_median(values, 4, &visits) == sorted_median(values));
  CHECK(visits > 3);
}

TEST_CASE("order statistics: median below the diagonal of a matrix") {
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (Index n : {2, 5, 300}) {
    Matrix m(n, n);
    for (Index j = 0; j < n; ++j)
      for (Index i = 0; i < n; ++i) m(i, j) = i > j ? uniform(gen) : -1.0;
    std::vector<double> below;
    for (Index j = 0; j < n; ++j)
      for (Index i = j + 1; i < n; ++i) below.push_back(m(i, j));
    SelectionScratch scratch;
    CHECK(median_below_diagonal(m, scratch) == sorted_median(below));
  }
}

// ------------------------------------------------------ PairwiseMedian

namespace {

// The median as a full selection computes it (metrics/pairwise.cpp's
// median_off_diagonal): std::nth_element at count/2, and for an even count
// the mean with the largest value below it.
double nth_element_median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const auto mid =
      values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  const double upper = *mid;
  if (values.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(values.begin(), mid));
}

std::uint64_t bits_of(double value) {
  return std::bit_cast<std::uint64_t>(value);
}

// n points' pair values, drawn by `draw`, below the diagonal of an n×n
// matrix (−1 elsewhere, never read), and the same values in a list.
template <class Draw>
Matrix pair_matrix(Index n, Draw draw, std::vector<double>& values) {
  Matrix m = Matrix::Constant(n, n, -1.0);
  values.clear();
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) {
      m(i, j) = draw();
      values.push_back(m(i, j));
    }
  return m;
}

// PairwiseMedian over the strict lower triangle of m, its values added in
// runs of `run` (or by column when run = 0), the sample read through
// pair_value; counts the fallback visits.
template <class PairValue>
double streamed_median(const Matrix& m, PairValue pair_value, std::size_t run,
                       std::uint64_t max_in_memory, int& visits) {
  const Index n = m.rows();
  std::vector<double> values;
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) values.push_back(m(i, j));
  SelectionScratch scratch;
  PairwiseMedian median(n, pair_value, scratch, max_in_memory);
  if (run == 0) {
    for (Index j = 0; j + 1 < n; ++j)
      median.add(m.col(j).data() + j + 1, static_cast<std::size_t>(n - j - 1));
  } else {
    for (std::size_t start = 0; start < values.size(); start += run)
      median.add(values.data() + start, std::min(run, values.size() - start));
  }
  visits = 0;
  return median.finish([&](auto&& sink) {
    ++visits;
    for (double v : values) sink(v);
  });
}

}  // namespace

TEST_CASE("pairwise median: equals std::nth_element bit for bit") {
  std::mt19937_64 gen(17);
  std::exponential_distribution<double> exponential(0.3);
  std::uniform_int_distribution<int> small(0, 5);
  std::uniform_int_distribution<int> pool_index(0, 49);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal;
  std::vector<double> pool(50);
  for (double& v : pool) v = exponential(gen);
  const double tiny = std::numeric_limits<double>::denorm_min();
  // Shapes of data: continuous, small-integer ties, mostly zeros (the median
  // is 0), a few values repeated, subnormals among zeros and normal values,
  // all equal, and values packed into a sliver of keys.
  const std::vector<std::pair<const char*, std::function<double()>>> shapes = {
      {"exponential", [&] { return exponential(gen); }},
      {"ties", [&] { return double(small(gen)); }},
      {"zeros", [&] { return uniform(gen) < 0.6 ? 0.0 : exponential(gen); }},
      {"duplicates", [&] { return pool[pool_index(gen)]; }},
      {"subnormals",
       [&] {
         const double u = uniform(gen);
         return u < 0.2 ? 0.0 : u < 0.8 ? tiny * small(gen) * 1000.0 : u;
       }},
      {"equal", [] { return 2.5; }},
      {"packed", [&] { return 1.0 + 1e-9 * std::abs(normal(gen)); }},
  };
  // Pair counts 0, 1, 3, 6, 10, 15, 21 (odd and even), then either side of
  // kDirectSelectionCount (2^15): 257 points give 32896 pairs (even), 258
  // give 33153 (odd), 300 give 44850 (even), 302 give 45451 (odd).
  for (const Index n : {1, 2, 3, 4, 5, 6, 7, 257, 258, 300, 302}) {
    for (const auto& shape : shapes) {
      const char* const name = shape.first;
      const std::function<double()>& draw = shape.second;
      CAPTURE(n);
      CAPTURE(name);
      std::vector<double> values;
      const Matrix m = pair_matrix(n, draw, values);
      const double expected = nth_element_median(values);
      // Through median_below_diagonal (the sample read from the matrix).
      SelectionScratch scratch;
      CHECK(bits_of(median_below_diagonal(m, scratch)) == bits_of(expected));
      // The radix select it replaces gives the same bits.
      CHECK(bits_of(median_of_nonnegative(strictly_lower_visit(m),
                                          values.size(), values.size(),
                                          scratch)) == bits_of(expected));
      const auto exact = [&m](Index i, Index j) { return m(i, j); };
      int visits = 0;
      // Values in runs of every length that splits the buffer's chunks.
      for (const std::size_t run : {std::size_t{1}, std::size_t{7},
                                    std::size_t{256}, std::size_t{1000}})
        CHECK(bits_of(streamed_median(m, exact, run, ~std::uint64_t{0},
                                      visits)) == bits_of(expected));
      // A sample that places the bracket far from the median: the bracket
      // misses, the radix select visits, the value is the same.
      const auto wrong = [](Index, Index) { return 1e300; };
      CHECK(bits_of(streamed_median(m, wrong, 0, ~std::uint64_t{0}, visits)) ==
            bits_of(expected));
      // Room for too few keys: the bracket is given up, same value.
      CHECK(bits_of(streamed_median(m, exact, 0, 3, visits)) ==
            bits_of(expected));
    }
  }
}

TEST_CASE("pairwise median: one pass when the bracket holds the median") {
  std::mt19937_64 gen(23);
  std::gamma_distribution<double> chi_square(25.0, 2.0);  // distances, d = 50
  for (const Index n : {300, 302, 1000}) {
    CAPTURE(n);
    std::vector<double> values;
    const Matrix m = pair_matrix(
        n, [&] { return chi_square(gen); }, values);
    int visits = -1;
    const double median = streamed_median(
        m, [&m](Index i, Index j) { return m(i, j); }, 0, ~std::uint64_t{0},
        visits);
    CHECK(bits_of(median) == bits_of(nth_element_median(values)));
    CHECK(visits == 0);  // no fallback: the sampled bracket held it
    // All pairs equal: the bracket has no width and every value is in it,
    // more than its buffer holds; the radix select finds the value.
    const Matrix equal = Matrix::Constant(n, n, 4.0);
    CHECK(streamed_median(
              equal, [&equal](Index i, Index j) { return equal(i, j); }, 0,
              ~std::uint64_t{0}, visits) == 4.0);
    CHECK(visits >= 1);
  }
}

TEST_CASE("pairwise median: zeros of both signs and NaN") {
  // −0 and +0 share a key: when the middle values are zeros the median is a
  // zero, equal (==) to the full selection's, whose sign may differ (a full
  // selection, like the radix select's last step, returns either).
  std::mt19937_64 gen(29);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (const Index n : {6, 300}) {
    CAPTURE(n);
    std::vector<double> values;
    int k = 0;
    // Four zeros in five, alternately −0 and +0.
    const Matrix m = pair_matrix(
        n,
        [&] {
          const int slot = k++ % 5;
          return slot == 0 ? 0.5 + uniform(gen) : slot % 2 == 1 ? -0.0 : 0.0;
        },
        values);
    SelectionScratch scratch;
    const double median = median_below_diagonal(m, scratch);
    CHECK(median == nth_element_median(values));
    CHECK(median == 0.0);
  }
  // NaN sorts above every number (core/order_statistics.hpp): a few NaN
  // values shift the middle up as large values would.
  std::vector<double> values;
  const Matrix m = pair_matrix(
      300, [&] { return uniform(gen) < 0.01 ? std::nan("") : uniform(gen); },
      values);
  std::vector<double> as_large = values;
  for (double& v : as_large)
    if (std::isnan(v)) v = std::numeric_limits<double>::infinity();
  SelectionScratch scratch;
  CHECK(bits_of(median_below_diagonal(m, scratch)) ==
        bits_of(nth_element_median(as_large)));
}
