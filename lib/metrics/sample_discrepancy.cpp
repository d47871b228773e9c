#include "metrics/sample_discrepancy.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "metrics/pairwise.hpp"

namespace vibench {

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

void check_pair(const Matrix& x, const Matrix& y, Statistic statistic,
                const char* what) {
  require(x.rows() >= 1 && y.rows() >= 1,
          std::string(what) + ": both point sets must be non-empty");
  require(x.cols() == y.cols(), std::string(what) +
                                    ": point sets of different dimensions (" +
                                    std::to_string(x.cols()) + " and " +
                                    std::to_string(y.cols()) + ")");
  if (statistic == Statistic::u)
    require(x.rows() >= 2 && y.rows() >= 2,
            std::string(what) +
                ": the U-statistic needs at least 2 points in each set");
}

// Subtracts the mean of the pooled rows of x and y from both (in place).
void center_pooled(Matrix& x, Matrix& y) {
  const RowVector center = (x.colwise().sum() + y.colwise().sum()) /
                           static_cast<double>(x.rows() + y.rows());
  x.rowwise() -= center;
  y.rowwise() -= center;
}

// Mean of a within-set pairwise matrix whose diagonal is the i = j term.
double within_mean(const Matrix& k, Statistic statistic) {
  const double n = static_cast<double>(k.rows());
  if (statistic == Statistic::v) return k.sum() / (n * n);
  return (k.sum() - k.trace()) / (n * (n - 1.0));
}

}  // namespace

Statistic parse_statistic(std::string_view name) {
  if (name == "v") return Statistic::v;
  if (name == "u") return Statistic::u;
  throw std::invalid_argument("unknown statistic '" + std::string(name) +
                              "'; allowed: 'v', 'u'");
}

const char* to_string(Statistic statistic) {
  return statistic == Statistic::v ? "v" : "u";
}

double energy_distance(const Matrix& x, const Matrix& y, Statistic statistic) {
  check_pair(x, y, statistic, "energy_distance");
  Matrix xc = x, yc = y;
  center_pooled(xc, yc);
  const double cross = squared_distances(xc, yc).cwiseSqrt().mean();
  // Zero diagonals: the V- and U-statistics differ only in the divisor.
  const double within_x =
      within_mean(squared_distances(xc).cwiseSqrt(), statistic);
  const double within_y =
      within_mean(squared_distances(yc).cwiseSqrt(), statistic);
  return 2.0 * cross - within_x - within_y;
}

double mmd_median_bandwidth(const Matrix& x, const Matrix& y) {
  check_pair(x, y, Statistic::v, "mmd_median_bandwidth");
  Matrix pooled(x.rows() + y.rows(), x.cols());
  pooled << x, y;
  pooled.rowwise() -= pooled.colwise().mean();
  const double median = median_off_diagonal(squared_distances(pooled));
  return median > 0.0 ? std::sqrt(0.5 * median) : 1.0;
}

double mmd_squared(const Matrix& x, const Matrix& y, double bandwidth,
                   Statistic statistic) {
  check_pair(x, y, statistic, "mmd");
  require(std::isfinite(bandwidth) && bandwidth > 0.0,
          "mmd: the bandwidth must be positive and finite");
  Matrix xc = x, yc = y;
  center_pooled(xc, yc);
  const double gamma = 1.0 / (2.0 * bandwidth * bandwidth);
  const double cross =
      (-gamma * squared_distances(xc, yc).array()).exp().mean();
  const Matrix kxx = (-gamma * squared_distances(xc).array()).exp().matrix();
  const Matrix kyy = (-gamma * squared_distances(yc).array()).exp().matrix();
  return within_mean(kxx, statistic) + within_mean(kyy, statistic) -
         2.0 * cross;
}

double ksd_squared(const Matrix& x, const Matrix& score, double c, double beta,
                   Statistic statistic) {
  require(x.rows() >= 1, "ksd: the point set must be non-empty");
  require(x.rows() == score.rows() && x.cols() == score.cols(),
          "ksd: points and scores must have the same shape");
  require(statistic == Statistic::v || x.rows() >= 2,
          "ksd: the U-statistic needs at least 2 points");
  require(std::isfinite(c) && c > 0.0, "ksd: c must be positive");
  require(std::isfinite(beta) && beta < 0.0, "ksd: beta must be negative");
  const double d = static_cast<double>(x.cols());

  const Matrix xc = x.rowwise() - x.colwise().mean();
  const Matrix r2 = squared_distances(xc);
  // B(i, j) = −(x_i − x_j)ᵀ(s_i − s_j)
  //         = (X Sᵀ)_ij + (X Sᵀ)_ji − s_iᵀx_i − s_jᵀx_j.
  const Matrix xs = xc * score.transpose();
  const Vector a = xc.cwiseProduct(score).rowwise().sum();
  Matrix b = xs + xs.transpose();
  b.colwise() -= a;
  b.rowwise() -= a.transpose();

  const Eigen::ArrayXXd u = c * c + r2.array();
  const Eigen::ArrayXXd k = u.pow(beta);  // u^β
  const Eigen::ArrayXXd k1 = k / u;       // u^{β−1}
  const Eigen::ArrayXXd k2 = k1 / u;      // u^{β−2}
  const Matrix ss = score * score.transpose();
  // s_xᵀs_y k + (s_xᵀ∇_y k + s_yᵀ∇_x k) + tr ∇_x∇_y k, where
  // s_xᵀ∇_y k + s_yᵀ∇_x k = 2β u^{β−1} [−(x − y)ᵀ(s_x − s_y)].
  const Matrix kp =
      (ss.array() * k + 2.0 * beta * k1 * b.array() - 2.0 * beta * d * k1 -
       4.0 * beta * (beta - 1.0) * r2.array() * k2)
          .matrix();
  return within_mean(kp, statistic);
}

}  // namespace vibench
