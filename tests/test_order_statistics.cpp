// The radix-select median against a full sort of the same values, on the
// shapes of data that stress it: few values, ties, all equal, zeros of both
// signs, values packed into one 1/65536 slice of keys, and collections
// larger than the in-memory limit (several refining visits).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/order_statistics.hpp"
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
