#include "report/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace vibench {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double position =
      std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

double median(const std::vector<double>& values) {
  return quantile(values, 0.5);
}

namespace {

// Number of arrangements of m x's and n y's with U = u, for every u in
// [0, m n]: the largest element is an x (beating all n y's) or a y, so
// c(m, n, u) = c(m − 1, n, u − n) + c(m, n − 1, u).
std::vector<double> u_counts(size_t m, size_t n) {
  // counts[i][j] for the current i, every j.
  std::vector<std::vector<double>> previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = {1.0};  // i = 0: U = 0
  for (size_t i = 1; i <= m; ++i) {
    current[0] = {1.0};  // j = 0: U = 0
    for (size_t j = 1; j <= n; ++j) {
      std::vector<double>& c = current[j];
      c.assign(i * j + 1, 0.0);
      for (size_t u = 0; u < previous[j].size(); ++u)
        c[u + j] += previous[j][u];  // largest is an x
      for (size_t u = 0; u < current[j - 1].size(); ++u)
        c[u] += current[j - 1][u];  // largest is a y
    }
    std::swap(previous, current);
  }
  return previous[n];
}

}  // namespace

MannWhitneyResult mann_whitney_u(const std::vector<double>& x,
                                 const std::vector<double>& y) {
  MannWhitneyResult result;
  const size_t n1 = x.size(), n2 = y.size();
  if (n1 == 0 || n2 == 0) return result;

  // Ranks of the pooled sample, ties getting the mean rank.
  std::vector<std::pair<double, bool>> pooled;  // (value, from x)
  for (double v : x) pooled.emplace_back(v, true);
  for (double v : y) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t n = pooled.size();
  double rank_sum_x = 0, tie_term = 0;
  bool ties = false;
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && pooled[end].first == pooled[start].first) ++end;
    const double t = static_cast<double>(end - start);
    const double mean_rank = (static_cast<double>(start + 1 + end)) / 2.0;
    for (size_t k = start; k < end; ++k)
      if (pooled[k].second) rank_sum_x += mean_rank;
    if (t > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    start = end;
  }
  const double dn1 = static_cast<double>(n1), dn2 = static_cast<double>(n2);
  result.u = rank_sum_x - dn1 * (dn1 + 1) / 2;

  if (!ties && n1 <= kMannWhitneyExactMaxSize &&
      n2 <= kMannWhitneyExactMaxSize) {
    result.exact = true;
    const std::vector<double> counts = u_counts(n1, n2);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    const size_t u = static_cast<size_t>(std::llround(result.u));
    double lower = 0, upper = 0;  // P(U ≤ u), P(U ≥ u) as counts
    for (size_t k = 0; k < counts.size(); ++k) {
      if (k <= u) lower += counts[k];
      if (k >= u) upper += counts[k];
    }
    result.p = std::min(1.0, 2 * std::min(lower, upper) / total);
    return result;
  }

  const double dn = static_cast<double>(n);
  const double mean = dn1 * dn2 / 2;
  const double variance =
      dn1 * dn2 / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
  if (!(variance > 0)) return result;  // every value equal: p = 1
  const double z = (std::abs(result.u - mean) - 0.5) / std::sqrt(variance);
  result.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 0;
  for (size_t k = 0; k < m; ++k) {
    const double scaled =
        std::min(1.0, static_cast<double>(m - k) * p[order[k]]);
    running = std::max(running, scaled);
    adjusted[order[k]] = running;
  }
  return adjusted;
}

}  // namespace vibench
