#include "metrics/wasserstein.hpp"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"

namespace vibench {

namespace {

// Row i: log Σ_j exp(m_ij), stably.
Vector log_sum_exp_rows(const Matrix& m) {
  const Vector top = m.rowwise().maxCoeff();
  return top.array() +
         ((m.colwise() - top).array().exp().rowwise().sum()).log();
}

// ‖x_i − y_j‖² by one product: ‖x‖² + ‖y‖² − 2xyᵀ.
Matrix squared_distances(const Matrix& x, const Matrix& y) {
  Matrix cost =
      (-2.0 * x * y.transpose()).colwise() + x.rowwise().squaredNorm();
  cost.rowwise() += y.rowwise().squaredNorm().transpose();
  return cost.cwiseMax(0.0);
}

}  // namespace

double wasserstein_exact(const Matrix& x, const Matrix& y, int p) {
  if (p != 1 && p != 2)
    throw std::invalid_argument("wasserstein_exact: p must be 1 or 2");
  if (x.cols() != y.cols() || x.rows() == 0 || y.rows() == 0)
    throw std::invalid_argument(
        "wasserstein_exact: two non-empty samples of the same dimension");
  const Index n = x.rows(), m = y.rows();
  Matrix cost = squared_distances(x, y);
  if (p == 1) cost = cost.cwiseSqrt();

  lemon::SmartDigraph graph;
  graph.reserveNode(static_cast<int>(n + m));
  graph.reserveArc(static_cast<int>(n * m));
  std::vector<lemon::SmartDigraph::Node> nodes;
  nodes.reserve(static_cast<size_t>(n + m));
  for (Index k = 0; k < n + m; ++k) nodes.push_back(graph.addNode());
  lemon::SmartDigraph::ArcMap<double> arc_cost(graph);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < m; ++j) {
      const auto arc = graph.addArc(nodes[static_cast<size_t>(i)],
                                    nodes[static_cast<size_t>(n + j)]);
      arc_cost[arc] = cost(i, j);
    }
  // Integer supplies: m units leave each x_i, n units reach each y_j.
  lemon::SmartDigraph::NodeMap<long long> supply(graph);
  for (Index i = 0; i < n; ++i) supply[nodes[static_cast<size_t>(i)]] = m;
  for (Index j = 0; j < m; ++j) supply[nodes[static_cast<size_t>(n + j)]] = -n;
  lemon::NetworkSimplex<lemon::SmartDigraph, long long, double> simplex(graph);
  simplex.costMap(arc_cost).supplyMap(supply);
  if (simplex.run() != decltype(simplex)::OPTIMAL)
    throw std::runtime_error(
        "wasserstein_exact: the transport problem was "
        "not solved to optimality");
  const double total =
      simplex.totalCost<double>() / (static_cast<double>(n) * m);
  return p == 2 ? std::sqrt(std::max(total, 0.0)) : total;
}

double sinkhorn_cost(const Matrix& x, const Matrix& y, double epsilon,
                     double tolerance, long long max_iterations) {
  if (x.cols() != y.cols() || x.rows() == 0 || y.rows() == 0)
    throw std::invalid_argument(
        "sinkhorn_cost: two non-empty samples of the same dimension");
  const Index n = x.rows(), m = y.rows();
  const Matrix cost = squared_distances(x, y);
  const double log_a = -std::log(static_cast<double>(n));
  const double log_b = -std::log(static_cast<double>(m));
  Vector f = Vector::Zero(n), g = Vector::Zero(m);
  Matrix scaled(n, m);
  for (long long k = 0; k < max_iterations; ++k) {
    // g from f, then f from g: after the f-update the row marginals are
    // exact, so the column marginals measure convergence.
    scaled = ((-cost).colwise() + f) / epsilon;
    g = epsilon * (log_b - log_sum_exp_rows(scaled.transpose()).array());
    scaled = ((-cost).rowwise() + g.transpose()) / epsilon;
    f = epsilon * (log_a - log_sum_exp_rows(scaled).array());
    // The coupling costs as much as an iteration: checked every 10.
    if (k % 10 != 9 && k + 1 < max_iterations) continue;
    const Matrix coupling =
        ((((-cost).colwise() + f).rowwise() + g.transpose()) / epsilon)
            .array()
            .exp()
            .matrix();
    const double error =
        (coupling.colwise().sum().array() - std::exp(log_b)).abs().sum();
    if (error <= tolerance) return coupling.cwiseProduct(cost).sum();
  }
  throw std::runtime_error(
      "sinkhorn_cost: the marginals did not converge; raise max_iterations "
      "or epsilon");
}

double wasserstein_2_squared_1d(Vector a, Vector b) {
  std::sort(a.data(), a.data() + a.size());
  std::sort(b.data(), b.data() + b.size());
  const Index n = a.size(), m = b.size();
  // Walk the merged breakpoints of the two step quantile functions.
  double total = 0, t = 0;
  Index i = 0, j = 0;
  while (i < n && j < m) {
    const double next_a = static_cast<double>(i + 1) / static_cast<double>(n);
    const double next_b = static_cast<double>(j + 1) / static_cast<double>(m);
    const double next = std::min(next_a, next_b);
    const double diff = a(i) - b(j);
    total += (next - t) * diff * diff;
    t = next;
    if (next_a <= next) ++i;
    if (next_b <= next) ++j;
  }
  return total;
}

double sliced_wasserstein_2(const Matrix& x, const Matrix& y, Index projections,
                            std::uint64_t seed) {
  if (x.cols() != y.cols() || x.rows() == 0 || y.rows() == 0)
    throw std::invalid_argument(
        "sliced_wasserstein_2: two non-empty samples of the same dimension");
  Rng rng = make_rng(seed);
  Matrix directions = rng.normal_matrix(x.cols(), projections);
  directions.colwise().normalize();
  const Matrix px = x * directions, py = y * directions;
  double sum = 0;
  for (Index k = 0; k < projections; ++k)
    sum += wasserstein_2_squared_1d(px.col(k), py.col(k));
  return std::sqrt(sum / static_cast<double>(projections));
}

}  // namespace vibench
